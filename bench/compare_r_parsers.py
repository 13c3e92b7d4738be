"""Compare the build's R parsers with rdata (pure Python), which the build used before, on every .rda of the sources.

Run: .venv/bin/python bench/compare_r_parsers.py [SOURCES_DIR]   (rdata comes with the bench extra)
- data frames: pyreadr (ingest/formats/rframes.py) against rdata.read_rda, cell by cell (R's NA as None for
  both; 3 and 3.0
  count as equal here, the readers' JSON extracts are compared byte for byte below and in the build's graph);
- the two files of R lists: the readers' extracts from ingest/formats/rserial.py against the same extracts computed from
  rdata's parse tree (the code the readers had), as JSON text.
With the seconds each takes. The evidence of docs/decisions/0012-r-data-parser.md. Reports, never asserts.
"""

from __future__ import annotations

import json
import math
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyreadr
import rdata

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the readers, run from anywhere


def cells(series: pd.Series) -> list:
    return [
        None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
        for v in series.astype(object).tolist()
    ]


def differences(ours: pd.DataFrame, theirs: pd.DataFrame) -> list[str]:
    if list(ours.columns) != list(theirs.columns) or len(ours) != len(theirs):
        return [f"shape or columns differ: {ours.shape} vs {theirs.shape}"]
    found = []
    for column in ours.columns:
        bad = [i for i, (a, b) in enumerate(zip(cells(ours[column]), cells(theirs[column]), strict=True)) if a != b]
        if bad:
            found.append(f"column {column}: {len(bad)} cells differ (first row {bad[0]})")
    return found


def fishbase_by_rdata(path: Path) -> list[dict]:
    """ingest/fishes.py's extract as it was computed on rdata's parse tree."""
    from ingest.fishes import FIELDS

    rows = []
    for record in rdata.parser.parse_file(path).object.value[0].value:
        names = [c.value.decode() for c in record.attributes.value[0].value]
        row = {}
        for name, value in zip(names, record.value, strict=True):
            if name in FIELDS:
                kind = value.info.type.name
                if kind == "STR":
                    texts = [c.value.decode("utf-8", "replace") if c.value is not None else None for c in value.value]
                    row[name] = texts[0] if texts else None
                else:
                    row[name] = int(value.value[0]) if kind in ("INT", "REAL") else None
        rows.append(row)
    return rows


def rangebuilder_by_rdata(path: Path) -> dict:
    """ingest/rangebuilder.py's extract as it was computed from rdata's conversion of the objects it uses."""
    from rdata.conversion import SimpleConverter

    from ingest.rangebuilder import BOXES, COUNTRIES, _flatten, mollweide_box_to_lonlat, species_key

    converter = SimpleConverter(default_encoding="utf8")
    node, objects = rdata.parser.parse_file(path).object, {}
    while node is not None and getattr(node, "value", None):
        name = converter.convert(node.tag) if node.tag is not None else None
        if name in set(BOXES.values()) | set(COUNTRIES.values()):
            objects[name] = converter.convert(node.value[0])
        node = node.value[1] if len(node.value) > 1 else None
    boxes, native = {}, {}
    for group, name in BOXES.items():
        array = objects[name]
        columns = [str(c) for c in array.coords["dim_1"].values]
        order = [columns.index(c) for c in ("longMin", "longMax", "latMin", "latMax")]
        boxes[group], native[group] = {}, {}
        for key, row in zip(array.coords["dim_0"].values, array.values, strict=True):
            box = [float(row[i]) for i in order]
            if any(math.isnan(v) for v in box):
                continue
            native[group][species_key(key)] = box
            if group == "bird":
                box = list(mollweide_box_to_lonlat(*box))
            boxes[group][species_key(key)] = [round(v, 4) for v in box]
    countries = {
        group: {species_key(k): sorted({c for c in _flatten(v) if c != "none"}) for k, v in objects[name].items()}
        for group, name in COUNTRIES.items()
    }
    return {"boxes": boxes, "countries": countries, "native_boxes": native}


def compare_lists(sources: Path) -> None:
    from ingest import fishes, rangebuilder

    for path, ours, theirs in (
        (sources / "fishbase-2013" / "fishbase.rda", fishes._extract, fishbase_by_rdata),
        (sources / "rangebuilder-2022" / "sysdata.rda", rangebuilder._extract, rangebuilder_by_rdata),
    ):
        started = time.perf_counter()
        fast = json.dumps(ours(path), ensure_ascii=False)
        middle = time.perf_counter()
        slow = json.dumps(theirs(path), ensure_ascii=False)
        done = time.perf_counter()
        verdict = "identical" if fast == slow else "DIFFERENT"
        print(
            f"{path.name}: ingest/formats/rserial.py {middle - started:.1f} s, rdata {done - middle:.1f} s; "
            f"extracts {verdict} ({len(fast):,} characters)"
        )


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
            problems = (
                differences(frame, other)
                if isinstance(other, pd.DataFrame)
                else [f"rdata gives a {type(other).__name__}"]
            )
            verdict = "; ".join(problems) or "equal"
            print(f"  {name} {frame.shape[0]} x {frame.shape[1]}: {verdict}")


if __name__ == "__main__":
    main()
    compare_lists(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "sources")
