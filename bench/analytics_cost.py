"""Time the network analytics on the full graph: building the view, and each `amurkg analyze` command end to end.

Run: .venv/bin/python bench/analytics_cost.py [--store data/store]
The view is built from the store once in this process (cold), then every command runs in its own process, as a
user would run it, reading the view pickled beside the build (warm). Figures are reported, never asserted; the
aim of issue 7 is every analysis under 10 s.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg import analytics, config
from kg.store import layout as kgstore

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [["threats"], ["gaps"], ["similarity"], ["centrality"], ["path", "Panax ginseng", "Econet-Green Belt"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=config.store_path())
    args = parser.parse_args()
    build = kgstore.current_build(args.store)
    if build is None:
        sys.exit(f"no graph built at {args.store}")
    started = time.perf_counter()
    graph = analytics.graph_from_store(ox.Store.read_only(str(build / "oxigraph")))
    cold = time.perf_counter() - started
    started = time.perf_counter()
    pickle.loads(pickle.dumps(graph))
    unpickle = time.perf_counter() - started
    analytics.load(args.store)  # make sure the pickle the commands read exists
    print(f"build {build.name}: view of {graph.number_of_nodes()} nodes, {graph.number_of_edges()} links")
    print(f"{'view from the store (cold)':<40} {cold:6.2f} s")
    print(f"{'view from its pickle (dump + load)':<40} {unpickle:6.2f} s")
    for command in COMMANDS:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "analyze", *command, "--store", str(args.store), "--format", "json"],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        print(f"{'amurkg analyze ' + ' '.join(command):<40} {seconds:6.2f} s")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
