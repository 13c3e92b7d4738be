"""R data files (.rda) whose objects are data frames, read by pyreadr (the C library librdata).

pyreadr reads the AviList, plant and letsRept frames 10-20 times faster than the pure-Python ``rdata`` parser and
in a fraction of its memory, to the same values (docs/decisions/0012-r-data-parser.md). It skips R lists: the
files that hold lists (fishbase.rda, rangeBuilder's sysdata.rda) are read by ingest/formats/rserial.py.
"""

from __future__ import annotations

from pathlib import Path


class RDataError(ValueError):
    """An R data file that cannot be read as the data frame its reader expects."""


def data_frame(path: Path):
    """The one data frame of an .rda file (a pandas DataFrame; R's NA as NaN or None)."""
    import pyreadr  # imported here: only the build's cold parse needs it

    try:
        objects = pyreadr.read_r(str(path))
    except (pyreadr.PyreadrError, pyreadr.LibrdataError) as error:  # a truncated or corrupt file, or not R data
        raise RDataError(f"{path}: not a readable R data file ({error})") from error
    if len(objects) != 1:
        raise RDataError(
            f"{path}: expected one data frame, found {len(objects)} readable objects ({', '.join(objects) or 'none'})"
        )
    (frame,) = objects.values()
    return frame
