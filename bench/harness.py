"""The benchmark: the same graph and query mix on our server, Oxigraph server, rdflib-endpoint and rdflib in-process.

Run: .venv/bin/python -m bench.harness [--write docs/benchmarks.md]   (what `make bench` does)
     .venv/bin/python -m bench.harness --smoke --workdir /tmp/x        (a tiny graph, one repetition: the test)

Every peer loads the same N-Quads dump of the built store (data/store) and runs every item of the mix (bench/mix.py)
once untimed (warm-up; it also finds the queries a peer cannot finish within its timeout), then timed at
concurrency 1 until a per-item time budget is spent (at least a few runs), then a bounded number of requests at
concurrency 8. Then the full build from the sources is timed, and the graph is grown with synthetic species
(bench/synthetic.py) to draw the scale curve of our server and Oxigraph server on a representative subset of the
mix. The whole run has a time budget (``--budget``): a scale that would not fit is not started, and the report
says so with the predicted cost; figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox

from bench import build_cost, mix, post_cost, report, soak, synthetic
from bench.peers import OurServer, OxigraphServer, Peer, RdflibEndpoint, RdflibInProcess, Sample, child_rss_output
from kg import config
from kg.namespaces import BASE
from kg.store import layout as kgstore
from server.explorer.graphdata import query_text

ROOT = Path(__file__).resolve().parents[1]
PREFERRED_SPECIES = ("panthera-tigris", "grus-japonensis", "panax-ginseng")
PREFERRED_ECOREGION = "PA0443"
PATH_ENDS = ("Panax ginseng", "Econet-Green Belt")
NAMED_QUERIES_SECTION = "## Named queries in process (bench/query_cost.py)"
BUILD_HISTORY_SECTION = "## Full build before and after the R parsers (issue 15 part 5, by hand)"


@dataclass
class ItemResult:
    name: str
    kind: str
    note: str = ""
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: str = ""
    warm_seconds: float | None = None

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
    under_load: dict = field(default_factory=dict)  # see under_load()
    repeated: dict[str, list[float]] = field(default_factory=dict)  # see repeated_queries()
    reps: int = 0
    timeout: float = 0.0


# The scale curve's subset of the mix (its other items cost Oxigraph ~10 s per pass at ×1 already): lookups of one
# resource (which should not grow), aggregations over every species (which must grow at least linearly), and the
# explorer's requests (search, pages, neighbourhood). Not the networkx tables: their first request rebuilds the
# view from the store in every web worker, ~25 s at ×5 on 2 cores, more than the scale's whole query budget.
SCALE_ITEMS = (
    "cranes",
    "ecoregions",
    "global200",
    "iucn-schemes",
    "work-lines",
    "ecoregion-threats",
    "cited-threats-and-actions",
    "threatened-birds",
    "families-most-threatened",
    "china-red-list-plants",
    "analytics-species-categories",
    "search: tiger",
    "species page",
    "neighbourhood",
)


@dataclass
class Settings:
    reps: dict[str, int]  # timed runs per item at most, per peer (else the peer's own)
    min_reps: dict[str, int] = field(default_factory=lambda: {"amurkg": 3, "oxigraph": 3})  # else 1
    item_budget: float = 1.5  # seconds of timed runs per item and peer: then stop, once min_reps are done
    concurrency: int = 8
    requests: int = 64
    deadline: float = 15.0
    # growth factors in order of priority (the issue's ×10 and ×50, then ×5 and ×2 if time is left); reported in
    # order of size
    scales: tuple[int, ...] = (10, 50, 5, 2)
    scale_reps: int = 3
    scale_timeout: float = 30.0
    scale_items: tuple[str, ...] = SCALE_ITEMS
    timeouts: dict[str, float] = field(default_factory=lambda: {"rdflib": 15.0, "rdflib-endpoint": 15.0})
    # rdflib-endpoint is rdflib's engine behind HTTP: an item that took rdflib in-process longer than this has
    # nothing left to warm (no caches), and its timeout is known, so it gets no separate warm-up run there
    endpoint_warm_limit: float = 1.0
    budget: float = 17 * 60.0  # seconds for the whole run
    # interactive latency under analytical load (our server): clients running the heaviest named queries, and
    # timed runs of each interactive item meanwhile
    load_clients: int = 4
    load_reps: int = 5
    repeat_reps: int = 10  # timed GETs of a query already answered (the per-build response cache)
    build_reserve: float = 180.0  # of the budget, kept for the full build


class Clock:
    """The run's time budget and the wall time of each phase."""

    def __init__(self, budget: float, started_at: float | None = None):
        """``started_at`` (time.time()) backdates the start: `make bench` passes its own start, so that the budget
        also covers the `make build` before the harness."""
        before = max(0.0, time.time() - started_at) if started_at else 0.0
        self.began = time.monotonic() - before
        self.budget = budget
        self.phases: list[tuple[str, float]] = [("before the harness (`make build`, setup)", before)] if before else []

    def elapsed(self) -> float:
        return time.monotonic() - self.began

    def left(self) -> float:
        return self.budget - self.elapsed()

    def deadline(self, reserve: float = 0.0) -> float:
        return self.began + self.budget - reserve

    @contextmanager
    def phase(self, name: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases.append((name, time.monotonic() - started))


OUT_OF_TIME = report.OUT_OF_TIME


def measure(
    peer: Peer,
    items: list[mix.Item],
    *,
    reps: int,
    min_reps: int,
    budget: float,
    skip: dict[str, str] | None = None,
    no_warm: set[str] = frozenset(),
    deadline: float | None = None,
) -> PeerResult:
    """Warm-up and timed runs of every item at concurrency 1 on a started peer.

    Timed runs stop after ``reps``, or once they have taken ``budget`` seconds and ``min_reps`` are done; items
    named in ``skip`` are not sent (their reason is kept), those in ``no_warm`` get no warm-up run; past the
    ``deadline`` (time.monotonic) the remaining items are not run.
    """
    result = PeerResult(peer.name, peer.label, peer.load_seconds, peer.load_peak, reps=reps, timeout=peer.timeout)
    skip = skip or {}
    for item in items:
        outcome = result.items[item.name] = ItemResult(item.name, item.kind, item.note)
        if not peer.answers(item):
            outcome.skipped = "no equivalent"
            continue
        if item.name in skip:
            outcome.skipped, outcome.errors = skip[item.name], ["timeout"]
            continue
        if deadline is not None and time.monotonic() > deadline:
            outcome.skipped = OUT_OF_TIME
            continue
        if item.name not in no_warm:
            first: Sample = peer.warm(item)
            outcome.warm_seconds = first.seconds
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
            if spent >= budget and len(outcome.samples) >= min_reps:
                break
    return result


# what a user waits for (pages, search, cheap lookups) while others run heavy analytical queries
INTERACTIVE_ITEMS = (
    "home page",
    "species page",
    "ecoregion page",
    "search: tiger",
    "cranes",
    "ecoregions",
    "global200",
    "work-lines",
)


def under_load(peer: Peer, items: list[mix.Item], idle: PeerResult, clients: int, reps: int) -> dict:
    """Timed runs of the interactive items while ``clients`` threads run the heaviest named queries (the three
    SPARQL items with the highest median at concurrency 1) back to back. The samples of each item are kept beside
    its idle ones; the heavy clients' completed runs and errors are counted."""
    by_name = {i.name: i for i in items}
    interactive = [by_name[n] for n in INTERACTIVE_ITEMS if n in by_name and idle.items[n].samples]
    answered = [i for i in items if i.kind == "sparql" and idle.items[i.name].median is not None]
    heavy = sorted(answered, key=lambda i: idle.items[i.name].median, reverse=True)[:3]
    if not interactive or not heavy:
        return {}
    stop = threading.Event()
    done = {"completed": 0, "errors": 0}
    lock = threading.Lock()

    def client(n: int) -> None:
        while not stop.is_set():
            sample = peer.run(heavy[n % len(heavy)])
            with lock:
                done["errors" if sample.error else "completed"] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # the heavy queries under way before the first timed run
    samples: dict[str, list[float]] = {i.name: [] for i in interactive}
    errors: dict[str, list[str]] = {i.name: [] for i in interactive}
    try:
        for _ in range(reps):
            for item in interactive:
                sample = peer.run(item)
                if sample.error:
                    errors[item.name].append(sample.error)
                else:
                    samples[item.name].append(sample.seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return {
        "clients": clients,
        "heavy": [i.name for i in heavy],
        "samples": samples,
        "item_errors": errors,
        "heavy_completed": done["completed"],
        "heavy_errors": done["errors"],
    }


def repeated_queries(peer: OurServer, items: list[mix.Item], reference: PeerResult, reps: int) -> dict:
    """Our server's time for a query asked again (GET, the answer cached per build) on the SPARQL items costing
    Oxigraph server > 5 ms, to compare with Oxigraph's own median for them (it keeps no answers)."""
    found = {}
    for item in items:
        if item.kind != "sparql" or len(item.sparql) != 1 or (reference.items[item.name].median or 0) <= 0.005:
            continue
        try:
            found[item.name] = peer.repeated(item.sparql[0], reps)
        except OSError:  # an answer too large to cache, or a failure: reported as not measured
            continue
    return found


def common_items(items: list[mix.Item], results: list[PeerResult]) -> list[mix.Item]:
    """Items every peer answered without error: the throughput mix, the same for all."""
    return [i for i in items if all(r.items[i.name].samples and not r.items[i.name].errors for r in results)]


def pick_species(dump: Path) -> str:
    slugs = synthetic.species_slugs(dump)
    slug = next((s for s in PREFERRED_SPECIES if s in slugs), slugs[0])
    return f"{BASE}taxon/{slug}"


def incoming_predicates(store: ox.Store, iri: str) -> list[str]:
    rows = store.query(
        query_text("neighbours-in-predicates"),
        use_default_graph_as_union=True,
        substitutions={ox.Variable("iri"): ox.NamedNode(iri)},
    )
    return [row["p"].value for row in rows]


def server_routes(store_path: Path) -> set[str]:
    from server import create_app

    return {rule.rule for rule in create_app({"STORE_PATH": str(store_path)}).url_map.iter_rules()}


def compare(
    dump: Path, manifest: dict, items: list[mix.Item], workdir: Path, settings: Settings, clock: Clock, echo
) -> tuple[list[PeerResult], list[str]]:
    """All four peers on one dump; Oxigraph first (the reference), rdflib-endpoint last (it skips what rdflib
    in-process, the same engine, could not finish)."""
    peers: list[Peer] = [
        OxigraphServer(workdir),
        OurServer(workdir, manifest),
        RdflibInProcess(workdir),
        RdflibEndpoint(workdir),
    ]
    for peer in peers:
        peer.timeout = settings.timeouts.get(peer.name, peer.timeout)
    results: list[PeerResult] = []
    started: list[Peer] = []
    skip: dict[str, str] = {}
    no_warm: set[str] = set()
    deadline = clock.deadline(settings.build_reserve)
    try:
        for peer in peers:
            with clock.phase(f"{peer.name}: load and latency"):
                echo(f"{peer.name}: loading {dump.name}")
                started.append(peer)
                peer.start(dump)
                echo(f"{peer.name}: loaded in {peer.load_seconds:.1f} s; running the mix")
                endpoint = peer.name == "rdflib-endpoint"
                result = measure(
                    peer,
                    items,
                    reps=settings.reps.get(peer.name, peer.reps),
                    min_reps=settings.min_reps.get(peer.name, 1),
                    budget=settings.item_budget,
                    skip=skip if endpoint else None,
                    no_warm=no_warm if endpoint else set(),
                    deadline=deadline,
                )
                results.append(result)
            if peer.name == "amurkg":
                with clock.phase("amurkg: interactive latency under load"):
                    result.under_load = under_load(peer, items, result, settings.load_clients, settings.load_reps)
                with clock.phase("amurkg: repeated queries"):
                    result.repeated = repeated_queries(
                        peer, items, next(r for r in results if r.name == "oxigraph"), settings.repeat_reps
                    )
            if peer.name == "rdflib":
                skip = {
                    name: "not sent: timed out on rdflib in-process (same engine)"
                    for name, r in result.items.items()
                    if "timeout" in r.errors
                }
                no_warm = {
                    name
                    for name, r in result.items.items()
                    if r.samples and min(r.samples) > settings.endpoint_warm_limit
                }
        shared = common_items(items, results)
        echo(f"throughput at concurrency {settings.concurrency} over {len(shared)} items")
        for peer, result in zip(peers, results, strict=True):
            with clock.phase(f"{peer.name}: throughput"):
                if shared:
                    result.throughput = peer.throughput(
                        shared, settings.concurrency, settings.requests, settings.deadline
                    )
                result.serving_peak = peer.serving_peak()
    finally:
        for peer in started:
            peer.stop()
    return results, [i.name for i in shared]


def scale_curve(
    dump: Path,
    manifest: dict,
    items: list[mix.Item],
    workdir: Path,
    settings: Settings,
    ones: list[PeerResult],
    clock: Clock,
    echo,
) -> tuple[list[dict], list[dict]]:
    """Our server and Oxigraph server on the graph grown ×k with synthetic species, a scale at a time while the
    budget allows: one store per scale, bulk-loaded once from the synthetic stream (the build's last step) and
    served in turn by both servers (the same Oxigraph storage). Returns the rows and the scales not run."""
    rows: list[dict] = []
    skipped: list[dict] = []
    owned = synthetic.clone_template(dump)[1]
    base_quads = synthetic.count_lines(dump)
    # the cost of a scale is predicted from the last one measured: load at its quads per second, and the subset's
    # queries growing like the graph. From ×1 (the comparison's own load and medians) the prediction is taken
    # ×1.5: a large streamed load can run at half the rate of the ×1 load, and the per-worker warm-ups (search
    # index) grow with the graph too (trial runs on this machine: ×1 78–128 k quads/s, ×5 62–111 k, ×10 84 k).
    ours = next(r for r in ones if r.name == "amurkg")
    rate = base_quads / ours.load_seconds if ours.load_seconds else 100_000.0
    names = [i.name for i in items]
    last_quads = base_quads
    margin = 1.5
    last_queries = sum(
        (1 + settings.scale_reps) * (r.items[n].median or 0)
        for r in ones
        if r.name in ("amurkg", "oxigraph")
        for n in names
        if n in r.items
    )
    deadline = clock.deadline()
    for factor in settings.scales:
        quads = synthetic.scaled_quads(dump, factor, owned)
        predicted = margin * (quads / rate + last_queries * quads / last_quads)
        if predicted > clock.left():
            skipped.append(
                {
                    "factor": factor,
                    "quads": quads,
                    "predicted": predicted,
                    "left": clock.left(),
                    "rate": rate,
                    "margin": margin,
                }
            )
            echo(f"x{factor}: not run: predicted {predicted / 60:.1f} min, {clock.left() / 60:.1f} min left")
            continue
        build = workdir / "stores" / f"scaled-x{factor}"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        with clock.phase(f"scale ×{factor}: load"):
            seconds, peak, out = child_rss_output(
                [sys.executable, "-m", "bench.synthetic", "load", str(dump), str(build / "oxigraph"), str(factor)]
            )
        echo(f"x{factor}: {quads} quads loaded in {seconds:.0f} s")
        queries_started = time.monotonic()
        for peer in (OxigraphServer(workdir), OurServer(workdir, manifest)):
            peer.timeout = settings.scale_timeout
            with clock.phase(f"scale ×{factor}: {peer.name}"):
                try:
                    peer.serve(build / "oxigraph" if peer.name == "oxigraph" else build)
                    peer.load_seconds, peer.load_peak = seconds, peak
                    result = measure(
                        peer,
                        items,
                        reps=settings.scale_reps,
                        min_reps=1,
                        budget=settings.item_budget,
                        deadline=deadline,
                    )
                    result.serving_peak = peer.serving_peak()
                finally:
                    peer.stop()
            echo(f"x{factor} {peer.name}: done")
            rows.append(
                {
                    "factor": factor,
                    "quads": quads,
                    "result": result,
                    "template_seconds": json.loads(out.strip().splitlines()[-1])["template_seconds"],
                }
            )
        rate, last_quads, last_queries = quads / seconds, quads, time.monotonic() - queries_started
        margin = 1.0
        shutil.rmtree(build, ignore_errors=True)
    return rows, skipped


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
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": int(memory) / 1024**2,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def run_bench(
    store_path: Path,
    workdir: Path,
    settings: Settings,
    smoke: bool = False,
    build: bool = True,
    sources: str | None = None,
    echo=print,
    started_at: float | None = None,
) -> dict:
    """The whole benchmark; returns everything the report shows."""
    clock = Clock(settings.budget, started_at)
    load_start = os.getloadavg()[0]
    with clock.phase("dump and mix"):
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
        explorer, missing = mix.explorer_items(
            species, ecoregion, incoming_predicates(store, species), PATH_ENDS, server_routes(store_path)
        )
        del store
    items = mix.sparql_items() + explorer
    echo(f"mix: {len(items)} items ({len(explorer)} explorer requests; missing: {', '.join(missing) or 'none'})")
    results, shared = compare(dump, manifest, items, workdir, settings, clock, echo)
    build_row = None
    if build and clock.left() < 60:
        build_row = {"skipped": f"not measured: {max(0.0, clock.left()):.0f} s of the run's budget left"}
    elif build:
        # stopped at the end of the budget: a build that long has missed the 60 s aim anyway, and is reported so
        limit = clock.left()
        echo(f"full build from the sources (cold parse cache), stopped after {limit:.0f} s")
        with clock.phase("full build (cold parse cache)"), tempfile.TemporaryDirectory(dir=workdir) as tmp:
            try:
                seconds, peak_mib = build_cost.run_build(
                    Path(tmp) / "store", Path(tmp) / "cache", sources, timeout=limit
                )
                build_row = {"seconds": seconds, "peak_mib": peak_mib}
            except subprocess.TimeoutExpired:
                build_row = {"stopped": limit}
    scale_items = [i for i in items if i.name in settings.scale_items]
    scales, scales_skipped = (
        scale_curve(dump, manifest, scale_items, workdir, settings, results, clock, echo)
        if settings.scales
        else ([], [])
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "load_average": (load_start, os.getloadavg()[0]),
        "seconds": clock.elapsed(),
        "phases": clock.phases,
        "smoke": smoke,
        "quads": quads,
        "species": species,
        "items": items,
        "missing": missing,
        "results": results,
        "shared": shared,
        "build": build_row,
        "scales": scales,
        "scales_skipped": scales_skipped,
        "scale_items": [i.name for i in scale_items],
        "settings": settings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=config.store_path(), help="the built store to dump")
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a temporary one, removed)")
    parser.add_argument("--write", type=Path, help="write the report to this markdown file")
    parser.add_argument("--smoke", action="store_true", help="a tiny graph, one repetition, no build, scale x2")
    parser.add_argument(
        "--scales",
        default="10,50,5,2",
        help="growth factors of the scale curve, in order of priority (x1 is the comparison); one "
        "that would not fit the budget left is not run",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=17.0,
        help="minutes for the whole run (default 17: `make bench` stays well within 20 on 2 cores)",
    )
    parser.add_argument(
        "--started-at",
        type=float,
        help="when the run began (seconds since the epoch; `make bench` passes its own start, so "
        "that the budget covers its build step too)",
    )
    parser.add_argument("--no-build", action="store_true", help="skip the full build from the sources")
    parser.add_argument("--sources", help="sources directory for the build")
    args = parser.parse_args()
    # a terminated run still stops the servers it started (the finally blocks run on SystemExit)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scales = tuple(int(f) for f in args.scales.split(",") if f.strip() and int(f) > 1)
    settings = smoke_settings() if args.smoke else Settings(reps={}, scales=scales, budget=args.budget * 60)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="amurkg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        data = run_bench(
            args.store,
            workdir,
            settings,
            smoke=args.smoke,
            build=not (args.smoke or args.no_build),
            sources=args.sources,
            echo=lambda m: print(m, file=sys.stderr, flush=True),
            started_at=args.started_at,
        )
        text = report.markdown(data)
        (workdir / "results.json").write_text(json.dumps(report.as_json(data), indent=2, default=str))
        if args.write:
            # the Soak section is written by `make soak` (bench/soak.py), the named queries' by hand from
            # bench/query_cost.py, the build's before/after by hand: keep them
            old = args.write.read_text() if args.write.exists() else ""
            kept = (
                soak.soak_section(old)
                + soak.soak_section(old, NAMED_QUERIES_SECTION)
                + soak.soak_section(old, BUILD_HISTORY_SECTION)
                + soak.soak_section(old, post_cost.SECTION)
            )
            args.write.write_text(text.rstrip("\n") + "\n\n" + kept if kept else text)
        print(text)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def smoke_settings() -> Settings:
    return Settings(
        reps={"amurkg": 1, "oxigraph": 1, "rdflib": 1, "rdflib-endpoint": 1},
        min_reps={},
        item_budget=5.0,
        requests=16,
        deadline=30.0,
        scales=(2,),
        scale_reps=1,
        scale_timeout=10.0,
        timeouts={"rdflib": 3.0, "rdflib-endpoint": 3.0},
        budget=3600.0,
        load_clients=2,
        load_reps=1,
    )


if __name__ == "__main__":
    main()
