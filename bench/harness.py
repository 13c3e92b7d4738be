"""The benchmark: the same graph and query mix on our server, Oxigraph server, rdflib-endpoint and rdflib in-process.

Run: .venv/bin/python -m bench.harness [--write docs/benchmarks.md]   (what `make bench` does)
     .venv/bin/python -m bench.harness --smoke --workdir /tmp/x        (a tiny graph, one repetition: the test)

Every peer loads the same N-Quads dump of the built store (data/store) and runs every item of the mix (bench/mix.py)
once untimed (warm-up; it also finds the queries a peer cannot finish within its timeout), then ``reps`` times at
concurrency 1, then a bounded number of requests at concurrency 8. The graph is then grown with synthetic species
(bench/synthetic.py) to draw the scale curve of our server and Oxigraph server. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox

from bench import build_cost, mix, report, synthetic
from bench.peers import OurServer, OxigraphServer, Peer, RdflibEndpoint, RdflibInProcess, Sample
from kg import store as kgstore
from kg.namespaces import BASE
from server.explorer.graphdata import query_text

ROOT = Path(__file__).resolve().parents[1]
PREFERRED_SPECIES = ("panthera-tigris", "grus-japonensis", "panax-ginseng")
PREFERRED_ECOREGION = "PA0443"
PATH_ENDS = ("Panax ginseng", "Econet-Green Belt")


@dataclass
class ItemResult:
    name: str
    kind: str
    note: str = ""
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: str = ""

    def quantile(self, q: float) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None


@dataclass
class PeerResult:
    name: str
    label: str
    load_seconds: float = 0.0
    load_peak: int = 0
    serving_peak: int = 0
    items: dict[str, ItemResult] = field(default_factory=dict)
    throughput: dict = field(default_factory=dict)
    reps: int = 0
    timeout: float = 0.0


@dataclass
class Settings:
    reps: dict[str, int]
    item_budget: float = 5.0  # seconds of timed runs per item and peer, then fewer repetitions
    concurrency: int = 8
    requests: int = 160
    deadline: float = 60.0
    scales: tuple[int, ...] = (5, 10)
    scale_reps: int = 3
    scale_timeout: float = 60.0
    timeouts: dict[str, float] = field(default_factory=dict)  # per peer, else the peer's own


def measure(peer: Peer, items: list[mix.Item], settings: Settings, skip: dict[str, str]) -> PeerResult:
    """Warm-up and timed runs of every item at concurrency 1 on a started peer."""
    reps = settings.reps.get(peer.name, peer.reps)
    result = PeerResult(peer.name, peer.label, peer.load_seconds, peer.load_peak, reps=reps, timeout=peer.timeout)
    for item in items:
        outcome = result.items[item.name] = ItemResult(item.name, item.kind, item.note)
        if not peer.answers(item):
            outcome.skipped = "no equivalent"
            continue
        if item.name in skip:
            outcome.skipped, outcome.errors = skip[item.name], ["timeout"]
            continue
        first: Sample = peer.warm(item)
        if first.error:
            outcome.errors.append(first.error)
            continue
        spent = 0.0
        for _ in range(reps):
            sample = peer.run(item)
            if sample.error:
                outcome.errors.append(sample.error)
                break
            outcome.samples.append(sample.seconds)
            spent += sample.seconds
            if spent > settings.item_budget:
                break
    return result


def common_items(items: list[mix.Item], results: list[PeerResult]) -> list[mix.Item]:
    """Items every peer answered without error: the throughput mix, the same for all."""
    return [i for i in items if all(r.items[i.name].samples and not r.items[i.name].errors for r in results)]


def pick_species(dump: Path) -> str:
    slugs = synthetic.species_slugs(dump)
    slug = next((s for s in PREFERRED_SPECIES if s in slugs), slugs[0])
    return f"{BASE}taxon/{slug}"


def incoming_predicates(store: ox.Store, iri: str) -> list[str]:
    rows = store.query(query_text("neighbours-in-predicates"), use_default_graph_as_union=True,
                       substitutions={ox.Variable("iri"): ox.NamedNode(iri)})
    return [row["p"].value for row in rows]


def server_routes(store_path: Path) -> set[str]:
    from server import create_app

    return {rule.rule for rule in create_app({"STORE_PATH": str(store_path)}).url_map.iter_rules()}


def compare(dump: Path, manifest: dict, items: list[mix.Item], workdir: Path, settings: Settings,
            echo) -> tuple[list[PeerResult], list[str]]:
    """All four peers on one dump; Oxigraph first (the reference), rdflib-endpoint last (it skips what rdflib
    in-process, the same engine, could not finish)."""
    peers: list[Peer] = [OxigraphServer(workdir), OurServer(workdir, manifest), RdflibInProcess(workdir),
                         RdflibEndpoint(workdir)]
    for peer in peers:
        peer.timeout = settings.timeouts.get(peer.name, peer.timeout)
    results: list[PeerResult] = []
    started: list[Peer] = []
    skip: dict[str, str] = {}
    try:
        for peer in peers:
            echo(f"{peer.name}: loading {dump.name}")
            started.append(peer)
            peer.start(dump)
            echo(f"{peer.name}: loaded in {peer.load_seconds:.1f} s; running the mix")
            result = measure(peer, items, settings, skip if peer.name == "rdflib-endpoint" else {})
            results.append(result)
            if peer.name == "rdflib":
                skip = {name: "not sent: timed out on rdflib in-process (same engine)"
                        for name, r in result.items.items() if "timeout" in r.errors}
        shared = common_items(items, results)
        echo(f"throughput at concurrency {settings.concurrency} over {len(shared)} items")
        for peer, result in zip(peers, results, strict=True):
            if shared:
                result.throughput = peer.throughput(shared, settings.concurrency, settings.requests,
                                                    settings.deadline)
            result.serving_peak = peer.serving_peak()
    finally:
        for peer in started:
            peer.stop()
    return results, [i.name for i in shared]


def scale_curve(dump: Path, manifest: dict, items: list[mix.Item], workdir: Path, settings: Settings,
                echo) -> list[dict]:
    """Our server and Oxigraph server on the graph grown ×k with synthetic species."""
    rows = []
    for factor in settings.scales:
        scaled = workdir / f"scaled-x{factor}.nq"
        started = time.perf_counter()
        quads = synthetic.write_scaled(dump, scaled, factor)
        echo(f"x{factor}: {quads} quads written in {time.perf_counter() - started:.0f} s")
        scale_settings = Settings(reps={"amurkg": settings.scale_reps, "oxigraph": settings.scale_reps},
                                  item_budget=settings.item_budget)
        for peer_class in (OxigraphServer, OurServer):
            peer = peer_class(workdir, manifest) if peer_class is OurServer else peer_class(workdir)
            peer.timeout = settings.scale_timeout
            try:
                peer.start(scaled)
                echo(f"x{factor} {peer.name}: loaded in {peer.load_seconds:.0f} s")
                result = measure(peer, items, scale_settings, {})
                result.serving_peak = peer.serving_peak()
            finally:
                peer.stop()
            rows.append({"factor": factor, "quads": quads, "result": result})
        scaled.unlink()
        shutil.rmtree(workdir / "stores", ignore_errors=True)
        shutil.rmtree(workdir / "oxigraph-server", ignore_errors=True)
    return rows


def versions() -> dict[str, str]:
    names = ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "gunicorn", "flask", "uvicorn", "fastapi")
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    return {"host": platform.node(), "cpu": cpu, "cores": os.cpu_count(), "memory_gib": int(memory) / 1024 ** 2,
            "python": platform.python_version(), "system": platform.platform()}


def run_bench(store_path: Path, workdir: Path, settings: Settings, smoke: bool = False, build: bool = True,
              sources: str | None = None, echo=print) -> dict:
    """The whole benchmark; returns everything the report shows."""
    began = time.perf_counter()
    load_start = os.getloadavg()[0]
    manifest = kgstore.manifest(store_path) or {}
    store = kgstore.open_read_only(store_path)
    full = workdir / "full.nq"
    synthetic.dump_store(store, full)
    dump = full
    if smoke:
        dump = workdir / "tiny.nq"
        synthetic.write_slice(full, dump, species_count=20, keep=PREFERRED_SPECIES)
    quads = synthetic.count_lines(dump)
    species = pick_species(dump)
    ecoregion = f"{BASE}ecoregion/{PREFERRED_ECOREGION}"
    explorer, missing = mix.explorer_items(species, ecoregion, incoming_predicates(store, species), PATH_ENDS,
                                           server_routes(store_path))
    del store
    items = mix.sparql_items() + explorer
    echo(f"mix: {len(items)} items ({len(explorer)} explorer requests; missing: {', '.join(missing) or 'none'})")
    results, shared = compare(dump, manifest, items, workdir, settings, echo)
    build_row = None
    if build:
        echo("full build from the sources (cold parse cache)")
        with tempfile.TemporaryDirectory(dir=workdir) as tmp:
            seconds, peak_mib = build_cost.run_build(Path(tmp) / "store", Path(tmp) / "cache", sources)
        build_row = {"seconds": seconds, "peak_mib": peak_mib}
    scales = scale_curve(dump, manifest, [i for i in items if i.kind == "sparql" or i.name in SCALE_EXPLORER],
                         workdir, settings, echo) if settings.scales else []
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "versions": versions(),
        "load_average": (load_start, os.getloadavg()[0]), "seconds": time.perf_counter() - began,
        "smoke": smoke, "quads": quads, "species": species, "items": items, "missing": missing,
        "results": results, "shared": shared, "build": build_row, "scales": scales, "settings": settings,
    }


SCALE_EXPLORER = ("search: tiger", "species page", "neighbourhood", "analytics: threats")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=kgstore.DEFAULT_STORE, help="the built store to dump")
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a temporary one, removed)")
    parser.add_argument("--write", type=Path, help="write the report to this markdown file")
    parser.add_argument("--smoke", action="store_true", help="a tiny graph, one repetition, no build, scale x2")
    # x50 (30M quads) does not fit the 20 minutes of `make bench` on 2 cores: ask for it with --scales 10,50
    parser.add_argument("--scales", default="5,10", help="growth factors of the scale curve (x1 is the comparison)")
    parser.add_argument("--no-build", action="store_true", help="skip the full build from the sources")
    parser.add_argument("--sources", help="sources directory for the build")
    args = parser.parse_args()
    # a terminated run still stops the servers it started (the finally blocks run on SystemExit)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scales = tuple(int(f) for f in args.scales.split(",") if f.strip() and int(f) > 1)
    settings = smoke_settings() if args.smoke else Settings(reps={}, scales=scales)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="amurkg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        data = run_bench(args.store, workdir, settings, smoke=args.smoke, build=not (args.smoke or args.no_build),
                         sources=args.sources, echo=lambda m: print(m, file=sys.stderr, flush=True))
        text = report.markdown(data)
        (workdir / "results.json").write_text(json.dumps(report.as_json(data), indent=2, default=str))
        if args.write:
            args.write.write_text(text)
        print(text)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def smoke_settings() -> Settings:
    return Settings(reps={"amurkg": 1, "oxigraph": 1, "rdflib": 1, "rdflib-endpoint": 1}, item_budget=5.0,
                    requests=16, deadline=30.0, scales=(2,), scale_reps=1, scale_timeout=10.0,
                    timeouts={"rdflib": 3.0, "rdflib-endpoint": 3.0})


if __name__ == "__main__":
    main()

