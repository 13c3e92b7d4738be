"""The named queries rewritten for Oxigraph's planner (issue 15) answer exactly as their earlier texts did, on the
full graph. The earlier texts are kept in tests/data/named-queries-before/; timings are in docs/benchmarks.md.
Some rewrites read what the build materialised (placement-confidence: the amur:PlacementTally summaries) or what a
property's definition guarantees (analytics-link-confidence: a possible pair's placements are all low, held by
tests/kg/build/test_species.py); comparing with the earlier texts on the built graph checks both."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.query import QUERIES_DIR, run, with_prefixes
from kg.store import layout as kgstore

BEFORE = Path(__file__).resolve().parents[1] / "data" / "named-queries-before"
REWRITTEN = sorted(p.stem for p in BEFORE.glob("*.rq"))


@pytest.fixture(scope="module")
def store(built_store) -> ox.Store:
    return ox.Store.read_only(str(kgstore.current_build(built_store) / "oxigraph"))


def answers(store: ox.Store, text: str) -> tuple[list[str], list[tuple]]:
    result = run(store, with_prefixes(text))
    names = [v.value for v in result.variables]
    return names, [tuple(None if row[n] is None else str(row[n]) for n in names) for row in result]


def test_the_rewritten_queries_are_the_named_ones():
    assert REWRITTEN == [
        "analytics-link-confidence",
        "ecoregion-richness",
        "endangered-daurian-steppe",
        "placement-confidence",
        "threats-without-action",
    ]
    for name in REWRITTEN:
        assert (QUERIES_DIR / f"{name}.rq").read_text() != (BEFORE / f"{name}.rq").read_text()


@pytest.mark.parametrize("name", REWRITTEN)
def test_rewritten_query_answers_as_before(store, name):
    names_before, before = answers(store, (BEFORE / f"{name}.rq").read_text(encoding="utf-8"))
    names_now, now = answers(store, (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"))
    assert before, "the earlier text answers nothing: the comparison would prove nothing"
    assert names_now == names_before
    assert Counter(now) == Counter(before)  # the same rows, each as often, with the same datatypes
