"""ingest/formats/rserial.py: R lists read to plain values; a file it cannot read is an error naming the file."""

import pytest

from ingest.formats.rserial import RSerialError, read_rda


def test_fishbase_records_are_named_lists(sources_dir):
    (records,) = read_rda(sources_dir / "fishbase-2013" / "fishbase.rda").values()
    assert records.kind == "list" and len(records.values) == 30970
    first = dict(zip(records.values[0].attributes["names"].values, records.values[0].values, strict=True))
    assert first["ScientificName"].kind == "character" and isinstance(first["ScientificName"].values[0], str)


def test_only_the_named_objects_are_read(sources_dir):
    objects = read_rda(sources_dir / "rangebuilder-2022" / "sysdata.rda", {"mammalCoordRange"})
    matrix = objects["mammalCoordRange"]
    assert list(objects) == ["mammalCoordRange"] and matrix.kind == "double"
    rows, columns = (names.values for names in matrix.attributes["dimnames"].values)
    assert len(rows) * len(columns) == len(matrix.values) and "longMin" in columns


def test_a_missing_object_is_an_error_naming_it(sources_dir):
    path = sources_dir / "rangebuilder-2022" / "sysdata.rda"
    with pytest.raises(RSerialError, match=f"{path}: objects not found: noSuchTable"):
        read_rda(path, {"mammalCoordRange", "noSuchTable"})


def test_a_truncated_file_is_an_error_naming_it(sources_dir, tmp_path):
    broken = tmp_path / "fishbase.rda"
    broken.write_bytes((sources_dir / "fishbase-2013" / "fishbase.rda").read_bytes()[:500_000])
    with pytest.raises(RSerialError, match=f"{broken}: not a readable R data file"):
        read_rda(broken)


def test_a_file_that_is_not_r_data_is_an_error_naming_it(tmp_path):
    text = tmp_path / "notes.rda"
    text.write_text("not R")
    with pytest.raises(RSerialError, match=f"{text}: not an R data file"):
        read_rda(text)
