"""Time every named query (queries/*.rq) on the full graph, in process on the built store, as the server runs them.

Run: .venv/bin/python -m bench.query_cost [--store data/store] [--runs 5] [--old tests/data/named-queries-before]
Each query runs once untimed (warm-up), then ``--runs`` times; the median is printed in milliseconds. With ``--old``,
the earlier text of each rewritten query (a file of the same name there) is timed beside the current one. Figures
are reported in docs/benchmarks.md, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from kg import config
from kg.query import named_queries, run, with_prefixes
from kg.store import layout as kgstore


def median_ms(store: ox.Store, text: str, runs: int) -> float:
    query = with_prefixes(text)
    list(run(store, query))  # warm-up: the store's pages in memory
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        list(run(store, query))
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=config.store_path())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old", type=Path, help="a folder with the earlier texts of rewritten queries")
    parser.add_argument("--only", nargs="*", help="these queries only")
    args = parser.parse_args()
    build = kgstore.current_build(args.store)
    store = ox.Store.read_only(str(build / "oxigraph"))
    print(f"build {build.name}, median of {args.runs} runs (ms)")
    for query in named_queries():
        if query.params or (args.only and query.name not in args.only):
            continue
        now = median_ms(store, query.text, args.runs)
        old = args.old / f"{query.name}.rq" if args.old else None
        if old is not None and old.exists():
            before = median_ms(store, old.read_text(encoding="utf-8"), args.runs)
            print(f"{query.name:36} before {before:8.1f}  after {now:8.1f}")
        else:
            print(f"{query.name:36} {now:8.1f}")


if __name__ == "__main__":
    main()
