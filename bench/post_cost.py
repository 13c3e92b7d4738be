"""The SPARQL part of the benchmark alone (issue 24): first-time and repeated POSTed named queries on our server
against Oxigraph server, on the same dump of the built store, with the harness's own peers (bench/peers.py).

For every named query (queries/*.rq without parameters): Oxigraph server's median (it keeps no answers); our
server's first-time median (each request made unique by a comment, as the harness times a first request); and our
server's median for the same query POSTed again, as a form (what YASGUI, the query editor, sends) and as a direct
``application/sparql-query`` body, served from the per-build response cache. The heavy queries are those costing
Oxigraph server more than 5 ms, as in the harness's repeated-query table.

    .venv/bin/python -m bench.post_cost [--store data/store] [--reps 15] [--json out.json]

Figures are reported, never asserted (a shared machine); `make bench` runs the whole harness.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import synthetic
from bench.mix import SPARQL_ACCEPT, sparql_items
from bench.peers import OurServer, OxigraphServer
from kg import config
from kg import store as kgstore

HEAVY_SECONDS = 0.005
SECTION = "## POSTed and first-time queries against Oxigraph server (bench/post_cost.py)"


def post(url: str, query: str, direct: bool) -> float:
    """One POSTed query, read to the end: its wall time in seconds."""
    if direct:
        request = urllib.request.Request(
            url, data=query.encode(), headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_ACCEPT}
        )
    else:
        request = urllib.request.Request(
            url, data=urllib.parse.urlencode({"query": query}).encode(), headers={"Accept": SPARQL_ACCEPT}
        )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        if response.status != 200:
            raise OSError(f"HTTP {response.status}")
        while response.read(1 << 16):
            pass
    return time.perf_counter() - started


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def run(store_path: Path, workdir: Path, reps: int, echo=print) -> dict:
    manifest = kgstore.manifest(store_path) or {}
    store = kgstore.open_read_only(store_path)
    dump = workdir / "full.nq"
    synthetic.dump_store(store, dump)
    del store
    items = [i for i in sparql_items() if len(i.sparql) == 1]
    oxigraph, ours = OxigraphServer(workdir), OurServer(workdir, manifest)
    rows: dict[str, dict] = {}
    try:
        echo("oxigraph: loading")
        oxigraph.start(dump)
        for item in items:
            query = item.sparql[0]
            post(oxigraph.endpoint, query, False)  # warm-up, untimed
            rows[item.name] = {"oxigraph": median_ms([post(oxigraph.endpoint, query, False) for _ in range(reps)])}
        oxigraph.stop()
        echo("amurkg: loading")
        ours.start(dump)
        for n, item in enumerate(items):
            query = item.sparql[0]
            post(ours.endpoint, f"{query}\n# warm {n}", False)  # the query worker has read what this query reads
            first = [post(ours.endpoint, f"{query}\n# first {n} {i}", False) for i in range(reps)]
            post(ours.endpoint, query, False)  # computes and keeps the answer
            form = [post(ours.endpoint, query, False) for _ in range(reps)]
            direct = [post(ours.endpoint, query, True) for _ in range(reps)]
            rows[item.name] |= {"first": median_ms(first), "form": median_ms(form), "direct": median_ms(direct)}
    finally:
        for peer in (oxigraph, ours):
            peer.stop()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "reps": reps,
        "load": os.getloadavg(),
        "rows": rows,
    }


def markdown(result: dict) -> str:
    rows = result["rows"]
    heavy = {name: r for name, r in rows.items() if r["oxigraph"] > HEAVY_SECONDS * 1000}
    lines = [
        f"Run {result['date']}, {result['reps']} timed requests per figure (medians, ms), load average "
        f"{result['load'][0]:.1f} at the end. Heavy: Oxigraph server > {HEAVY_SECONDS * 1000:g} ms.",
        "",
        "| query | Oxigraph server | ours, first time | × | ours, POSTed again (form) | × | (direct body) | × |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in sorted(rows.items(), key=lambda kv: -kv[1]["oxigraph"]):
        o = r["oxigraph"]
        mark = " (heavy)" if name in heavy else ""
        lines.append(
            f"| {name}{mark} | {o:.1f} | {r['first']:.1f} | {r['first'] / o:.2f} | {r['form']:.1f} | "
            f"{r['form'] / o:.2f} | {r['direct']:.1f} | {r['direct'] / o:.2f} |"
        )
    if heavy:

        def geo(key: str) -> float:
            return statistics.geometric_mean([r[key] / r["oxigraph"] for r in heavy.values()])

        worst = max(max(r["form"], r["direct"]) / r["oxigraph"] for r in heavy.values())
        lines += [
            "",
            f"Heavy queries ({len(heavy)}): first time {geo('first'):.2f}× Oxigraph server (geometric "
            f"mean; aim ≤ 1.2×); POSTed again {geo('form'):.2f}× as a form and {geo('direct'):.2f}× as a "
            f"direct body, at most {worst:.2f}× (aim ≤ 0.2×).",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=config.store_path())
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write", type=Path, help="put the table into this markdown file (docs/benchmarks.md)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="amurkg-post-cost-"))
    try:
        result = run(args.store, workdir, args.reps)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    text = markdown(result)
    if args.write:
        write_section(args.write, text)
    print(text)


def write_section(path: Path, table: str) -> None:
    """Replace this script's section of ``path`` (or add it at the end); `make bench` keeps it."""
    from bench.soak import soak_section

    section = (
        f"{SECTION}\n\nWritten by `python -m bench.post_cost --write docs/benchmarks.md`: the SPARQL part of "
        "the harness alone, on the same dump and peers. " + table
    )
    text = path.read_text() if path.exists() else ""
    old = soak_section(text, SECTION)
    text = (
        text.replace(old, section + ("\n" if old.endswith("\n\n") else ""))
        if old
        else text.rstrip("\n") + "\n\n" + section
    )
    path.write_text(text)


if __name__ == "__main__":
    main()
