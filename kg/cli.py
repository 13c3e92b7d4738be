"""The `amurkg` command line: build, validate, query, stats, fetch, serve."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, NoReturn, cast

import click
import pyoxigraph as ox

from kg import config, formats
from kg.config import Settings
from kg.sources import registry
from kg.store import backend
from kg.store import layout as kgstore

STORE_OPTION = click.option(
    "--store",
    "store_path",
    default=lambda: config.store_spec(),
    show_default="data/store",
    help="The store: a path or oxigraph:PATH (the embedded store's link to its current build), or a remote SPARQL "
    "engine sparql+http://HOST/PATH[?update=...&gsp=...&auth=digest] (credentials: AMURKG_STORE_USER, "
    "AMURKG_STORE_PASSWORD). Env: AMURKG_STORE.",
)


def open_store(spec: str) -> tuple[backend.StoreHandle | backend.RemoteHandle, ox.Store]:
    """The store of a spec, ready to query; stops with a clear message when there is none."""
    from kg.store.remote import RemoteError

    try:
        handle = backend.open_handle(spec)
        # the remote store answers the part of pyoxigraph's Store API the commands use (ADR 0007)
        return handle, cast(ox.Store, handle.get())
    except kgstore.StoreMissing as exc:
        fail(str(exc))
    except (RemoteError, ValueError) as exc:
        fail(str(exc))


def _settings(**given: Any) -> Settings:
    """The run's settings, once, from the command's options (those given) and the environment."""
    try:
        return Settings.load(**given)
    except ValueError as exc:
        fail(str(exc), 2)


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="amurkg")
def main() -> None:
    """Amur-Heilong Biodiversity Knowledge Graph: build it from its sources, query it, serve it."""


@main.command()
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(path_type=Path),
    help="Sources directory (else AMURKG_SOURCES, ../shared/data/sources, the fetch cache, where missing "
    "files are fetched to).",
)
@STORE_OPTION
@click.option(
    "--occurrences",
    type=click.Path(path_type=Path),
    help="A GBIF occurrence download (Darwin Core Archive .zip): species placed by point in polygon.",
)
@click.option(
    "--checklist",
    "checklists",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A Darwin Core checklist archive (.zip: Taxon core, Distribution extension): adds its taxa native "
    "to the basin's regions. Repeatable. An archive every build reads is declared in checklists.yml "
    "instead (README).",
)
@click.option("--force", is_flag=True, help="Rebuild even if sources and code are unchanged.")
@click.option(
    "--local-store",
    type=click.Path(path_type=Path),
    default=lambda: config.store_path(),
    show_default="data/store",
    help="With a remote --store: the embedded store the build is made and validated in before loading.",
)
def build(
    sources_dir: Path | None,
    store_path: str,
    occurrences: Path | None,
    checklists: tuple[Path, ...],
    force: bool,
    local_store: Path,
) -> None:
    """Verify sources, ingest, validate with SHACL and swap in a new store (or load it into a remote engine)."""
    from kg.build.pipeline import BuildError
    from kg.build.pipeline import build as run_build
    from kg.progress import StageProgress

    remote = kgstore.is_remote(store_path)
    settings = _settings(store=store_path)
    try:
        # stage, elapsed time and items done on a terminal; plain lines on stderr otherwise (CI logs)
        with StageProgress() as echo:
            report = run_build(
                sources_dir,
                local_store if remote else kgstore.embedded_path(store_path),
                occurrences=occurrences,
                force=force,
                echo=echo,
                checklists=tuple(checklists),
                settings=settings,
            )
    except (registry.SourceError, BuildError) as exc:
        fail(str(exc))
    if remote:
        _load_remote(store_path, report.store, force)
    if report.skipped:
        return
    click.echo(f"built {report.build_id} in {report.seconds:.1f} s -> {report.store}")
    click.echo(_graph_table(report.graphs))
    click.echo(_class_table(report.classes))


def _load_remote(spec: str, local_store: Path, force: bool) -> None:
    """Load the embedded store's current build into a remote engine, replacing our graphs there."""
    from kg.store.remote import RemoteError, RemoteStore, load_dataset

    try:
        remote = RemoteStore(spec)
        built = kgstore.manifest(local_store)
        if built is None:
            fail(f"no graph built at {local_store} to load into {spec.split('?')[0]}")
        build_id = built["build_id"]
        load_dataset(
            remote, kgstore.open_read_only(local_store), build_id, echo=lambda m: click.echo(m, err=True), force=force
        )
    except (RemoteError, SyntaxError, ValueError) as exc:
        fail(f"loading into {spec.split('?')[0]} failed, the engine's previous dataset is unchanged: {exc}")


def _graph_table(graphs: dict[str, int]) -> str:
    width = max(len(g) for g in graphs)
    lines = [f"{'named graph'.ljust(width)}  triples"]
    lines += [f"{g.ljust(width)}  {n:>7}" for g, n in graphs.items()]
    lines.append(f"{'total'.ljust(width)}  {sum(graphs.values()):>7}")
    return "\n".join(lines)


def _class_table(classes: dict[str, int], limit: int = 40) -> str:
    from kg.query import shorten

    rows = list(classes.items())[:limit]
    width = max(len(shorten(c)) for c, _ in rows)
    return "\n".join([f"{'class'.ljust(width)}  instances"] + [f"{shorten(c).ljust(width)}  {n:>9}" for c, n in rows])


@main.command()
@STORE_OPTION
def validate(store_path: str) -> None:
    """Validate the built store's content against the SHACL shapes."""
    from rdflib import Graph

    from kg.build.pipeline import validate as shacl

    if kgstore.is_remote(store_path):
        fail("validate checks the embedded store, where every build is validated before it is loaded anywhere")
    try:
        store = kgstore.open_read_only(kgstore.embedded_path(store_path))
    except kgstore.StoreMissing as exc:
        fail(str(exc))
    data = Graph()
    for name in store.named_graphs():
        data.parse(
            data=store.dump(format=formats.N_TRIPLES.rdf_format, from_graph=name), format=formats.N_TRIPLES.rdflib
        )
    conforms, text = shacl(data)
    click.echo(f"{len(data)} triples; conforms: {conforms}")
    if not conforms:
        click.echo(text)
        sys.exit(1)


@main.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", *(f.name for f in formats.RESULT_SYNTAXES + formats.CLI_GRAPH_SYNTAXES)]),
    default="table",
    show_default=True,
    help="json is the SPARQL 1.1 JSON results format.",
)
@STORE_OPTION
def query(query: str, fmt: str, store_path: str) -> None:
    """Run a SPARQL query: inline text, a .rq file, or the name of a query in queries/."""
    from kg import query as kq

    path = Path(query)
    named = kq.QUERIES_DIR / f"{query}.rq"
    if query.endswith(".rq") and path.is_file():
        text = path.read_text(encoding="utf-8")
    elif named.is_file():
        text = named.read_text(encoding="utf-8")
    else:
        text = query
    handle, store = open_store(store_path)
    try:
        result = kq.run(store, kq.with_prefixes(text))
    except SyntaxError as exc:
        fail(f"malformed query: {exc}", 2)
    except OSError as exc:  # a remote engine's failure or timeout
        fail(str(exc))
    try:
        if fmt == "table":
            click.echo(kq.as_table(result))
        else:
            sys.stdout.buffer.write(kq.serialize(result, fmt))
    except ValueError as exc:
        fail(str(exc), 2)


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store_path: str, fmt: str) -> None:
    """Counts by graph, class, species group, red-list category, link method and confidence."""
    import json

    from kg.stats import collect, protection_yields, render

    handle, store = open_store(store_path)
    numbers = collect(store) | protection_yields(handle.manifest())
    click.echo(json.dumps(numbers, indent=2, ensure_ascii=False) if fmt == "json" else render(numbers))


@main.command()
@click.option(
    "--to",
    "target",
    type=click.Path(path_type=Path),
    default=lambda: config.fetch_cache(),
    show_default="~/.cache/amurkg/sources",
    help="Cache directory to fill. Env: AMURKG_CACHE (parent of sources/).",
)
def fetch(target: Path) -> None:
    """Download missing source files from their origins (retrying, resuming) and verify their digests."""
    from kg.sources.fetch import fetch as fetch_sources

    try:
        fetched = fetch_sources(Path(target), echo=lambda m: click.echo(m, err=True))
    except registry.SourceError as exc:
        fail(str(exc))
    click.echo(f"{len(fetched)} files fetched into {target}; all sources verified")


@main.command()
@STORE_OPTION
@click.option("--host", show_default=Settings.host, help="Env: AMURKG_HOST.")
@click.option("--port", type=int, show_default=str(Settings.port), help="Env: AMURKG_PORT.")
@click.option(
    "--workers",
    type=int,
    show_default=str(Settings.workers),
    help="gunicorn worker processes (each has its own caches and query workers). Env: AMURKG_WORKERS.",
)
@click.option(
    "--threads",
    type=int,
    show_default=str(Settings.threads),
    help="Threads per worker; AMURKG_RESERVED_THREADS of them are kept from user SPARQL. Env: AMURKG_THREADS.",
)
@click.option(
    "--timeout",
    "query_timeout",
    type=float,
    show_default=str(Settings.query_timeout),
    help="Query timeout in seconds. Env: AMURKG_QUERY_TIMEOUT.",
)
def serve(
    store_path: str,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    query_timeout: float | None,
) -> None:
    """Serve the graph (SPARQL endpoint and pages) with gunicorn, workers sharing the store read-only."""
    from kg import export
    from kg.store.remote import RemoteError
    from server.wsgi import serve as run_server

    # the settings, once, from the options and the environment: gunicorn and the app use these
    settings = _settings(
        store=store_path, host=host, port=port, workers=workers, threads=threads, query_timeout=query_timeout
    )
    try:  # that there is a graph to serve, without opening it here: the workers open it themselves
        handle = backend.open_handle(store_path)
        if handle.manifest() is None:
            fail(f"no graph built at {store_path or handle.label}: run `amurkg build` first")
    except (RemoteError, ValueError, OSError) as exc:
        fail(str(exc))
    # a remote engine's build gets its downloads here, once, before serving (an embedded build has its own)
    export.ensure_dumps(handle, echo=lambda m: click.echo(m, err=True))
    del handle  # the arbiter keeps no store open: its workers are forked from it
    run_server(settings)


ANALYZE_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="csv writes several tables one after another.",
)


@main.group()
def analyze() -> None:
    """Network analytics (networkx): threat exposure, gaps, ecoregion similarity, key nodes, paths."""


def _analyze(store_path: str, fmt: str, name: str, *args: str, **options: int | bool) -> None:
    import json

    from kg import analytics

    try:
        graph, build_id = analytics.load(backend.open_handle(store_path))
        result = analytics.run(graph, name, *args, **options)
    except (kgstore.StoreMissing, OSError) as exc:
        fail(str(exc))
    except analytics.NotFound as exc:
        fail(str(exc), 2)
    if fmt == "json":
        click.echo(json.dumps({"build": build_id, **result.as_json()}, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(analytics.as_csv(result), nl=False)
    else:
        click.echo(analytics.as_table(result))


# recorded placements (amur:occursIn) by default; possible ones (amur:possiblyOccursIn) on request
POSSIBLE_OPTION = click.option(
    "--possible", is_flag=True, help="Count possible species-ecoregion links (low confidence) besides the recorded."
)


def analysis(name: str, possible: bool = True) -> Callable[[Callable[..., None]], click.Command]:
    """An ``amurkg analyze NAME`` command with the store and format options, and --possible where the analysis
    counts species-ecoregion links; the command's own arguments and options follow these."""

    def register(function: Callable[..., None]) -> click.Command:
        for option in ([POSSIBLE_OPTION] if possible else []) + [ANALYZE_FORMAT, STORE_OPTION]:
            function = option(function)
        return analyze.command(name)(function)

    return register


@analysis("threats", possible=False)
def analyze_threats(store_path: str, fmt: str) -> None:
    """IUCN threats ranked by species affected, weighted by red-list category; direct and inferred apart."""
    _analyze(store_path, fmt, "threats")


@analysis("gaps")
def analyze_gaps(store_path: str, fmt: str, possible: bool) -> None:
    """Exposed threats, threatened species and ecoregions that no action or initiative addresses."""
    _analyze(store_path, fmt, "gaps", possible=possible)


@analysis("similarity")
def analyze_similarity(store_path: str, fmt: str, possible: bool) -> None:
    """Jaccard similarity of the ecoregions' species sets, with Louvain clusters."""
    _analyze(store_path, fmt, "similarity", possible=possible)


@analysis("centrality")
@click.option("--top", default=10, show_default=True, type=int, help="Nodes listed per kind and measure.")
def analyze_centrality(store_path: str, fmt: str, possible: bool, top: int) -> None:
    """Species, threats and ecoregions with the highest betweenness and degree centrality."""
    _analyze(store_path, fmt, "centrality", top=top, possible=possible)


@analysis("path")
@click.argument("a")
@click.argument("b")
@click.option("--limit", default=5, show_default=True, type=int, help="Patterns of paths listed.")
def analyze_path(a: str, b: str, store_path: str, fmt: str, possible: bool, limit: int) -> None:
    """How A is linked to B (each an IRI, a scientific name, a label or a notation)."""
    _analyze(store_path, fmt, "path", a, b, limit=limit, possible=possible)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*(f.name for f in formats.DUMP_SYNTAXES), "dwca", "csv"]),
    default="nq",
    show_default=True,
    help="RDF (nq, trig, jsonld keep the named graphs; ttl, nt, rdfxml hold their union), dwca (Darwin "
    "Core Archive) or csv (tables with a data dictionary).",
)
@click.option("--graph", "graph", help="Only this named graph (IRI, or a source id such as mdd-1.13); RDF only.")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    help="Output file (RDF: stdout if omitted, gzip if it ends in .gz; dwca: a .zip, default "
    "amurkg-dwca.zip; csv: a .zip or a directory, default amurkg-csv.zip).",
)
@STORE_OPTION
def export(fmt: str, graph: str | None, output: Path | None, store_path: str) -> None:
    """Export the graph: an RDF dump, a Darwin Core Archive or CSV tables (docs/export.md)."""
    import gzip

    from kg import export as kx
    from kg.progress import CountingWriter, StageProgress

    handle, store = open_store(store_path)
    if fmt in kx.RDF_FORMATS:
        try:
            if output is None:
                kx.write_rdf(store, fmt, sys.stdout.buffer, graph)
            else:
                # a large dump takes a while: the bytes written so far on a terminal, a plain line otherwise
                with (
                    StageProgress() as echo,
                    gzip.open(output, "wb", compresslevel=6) if output.suffix == ".gz" else output.open("wb") as out,
                ):
                    echo(f"export: {fmt} to {output}")
                    # a file for writes; typeshed has GzipFile a BufferedIOBase, not an IO[bytes]
                    kx.write_rdf(store, fmt, cast(IO[bytes], CountingWriter(cast(IO[bytes], out), echo)), graph)
        except ValueError as exc:
            fail(str(exc), 2)
        if output is not None:
            click.echo(f"wrote {output}", err=True)
        return
    if graph:
        fail("--graph applies to RDF formats only; the Darwin Core Archive and the CSV tables cover the whole graph", 2)
    build = handle.build_dir()
    if fmt == "dwca":
        output = output or Path("amurkg-dwca.zip")
        counts = kx.write_dwca(store, output, build_id=build.name if build else None)
    else:
        output = output or Path("amurkg-csv.zip")
        counts = kx.write_csv(store, output)
    click.echo(f"wrote {output}: " + ", ".join(f"{name} {n} rows" for name, n in counts.items()), err=True)


if __name__ == "__main__":
    main()
