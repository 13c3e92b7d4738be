"""ingest/formats/rframes.py: an R data file that cannot be read as one data frame is an error naming the file."""

import pytest

from ingest.formats.rframes import RDataError, data_frame


def test_a_truncated_file_is_an_error_naming_it(sources_dir, tmp_path):
    broken = tmp_path / "allReptiles.rda"
    broken.write_bytes((sources_dir / "letsrept-1.1.1" / "allReptiles.rda").read_bytes()[:100_000])
    with pytest.raises(RDataError, match=f"{broken}: not a readable R data file"):
        data_frame(broken)


def test_a_file_without_a_data_frame_is_an_error_naming_it(sources_dir):
    lists = sources_dir / "fishbase-2013" / "fishbase.rda"  # one R list: pyreadr skips it
    with pytest.warns(UserWarning), pytest.raises(RDataError, match=f"{lists}: expected one data frame, found 0"):
        data_frame(lists)


def test_a_data_frame_is_read_whole(sources_dir):
    frame = data_frame(sources_dir / "letsrept-1.1.1" / "allReptiles.rda")
    assert frame.shape == (12650, 8) and "species" in frame.columns
