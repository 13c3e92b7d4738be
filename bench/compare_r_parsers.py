"""Compare the two R parsers on every .rda file of the sources: pyreadr (C librdata) against rdata (pure Python).

Run: .venv/bin/python bench/compare_r_parsers.py [SOURCES_DIR]
For each file: the seconds each parser takes, and for every data frame pyreadr reads, whether rdata reads the same
values cell by cell (R's NA as None for both; 3 and 3.0 count as equal, the readers' extracts are compared
byte for byte by the build's graph). The evidence of docs/decisions/0012-r-data-parser.md. Reports, never asserts.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyreadr
import rdata

ROOT = Path(__file__).resolve().parents[1]


def cells(series: pd.Series) -> list:
    return [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
            for v in series.astype(object).tolist()]


def differences(ours: pd.DataFrame, theirs: pd.DataFrame) -> list[str]:
    if list(ours.columns) != list(theirs.columns) or len(ours) != len(theirs):
        return [f"shape or columns differ: {ours.shape} vs {theirs.shape}"]
    found = []
    for column in ours.columns:
        bad = [i for i, (a, b) in enumerate(zip(cells(ours[column]), cells(theirs[column]), strict=True)) if a != b]
        if bad:
            found.append(f"column {column}: {len(bad)} cells differ (first row {bad[0]})")
    return found


def main() -> None:
    sources = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "sources"
    for path in sorted(sources.glob("*/*.rda")):
        with warnings.catch_warnings():  # "no readable objects", "Missing constructor for R class tbl_df"
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            frames = pyreadr.read_r(str(path))
            fast = time.perf_counter() - started
            if not frames:
                print(f"{path.name}: pyreadr reads no data frame (R lists), {fast:.1f} s")
                continue
            started = time.perf_counter()
            try:
                reference = rdata.read_rda(str(path))
            except Exception as error:  # rangeBuilder's sysdata.rda: rdata reads it only object by object
                why = type(error).__name__
                print(f"{path.name}: pyreadr {fast:.1f} s; rdata.read_rda cannot read it whole ({why})")
                continue
            slow = time.perf_counter() - started
        print(f"{path.name}: pyreadr {fast:.1f} s, rdata {slow:.1f} s")
        for name, frame in frames.items():
            other = reference.get(name)
            problems = (differences(frame, other) if isinstance(other, pd.DataFrame)
                        else [f"rdata gives a {type(other).__name__}"])
            verdict = "; ".join(problems) or "equal"
            print(f"  {name} {frame.shape[0]} x {frame.shape[1]}: {verdict}")


if __name__ == "__main__":
    main()
