"""Running SPARQL on the store and writing results (SPARQL 1.1 JSON/CSV/TSV, or a text table)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import formats
from kg.namespaces import prefix_map, sparql_prefixes

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"

# `amurkg query --format`: results syntaxes and, for CONSTRUCT/DESCRIBE, RDF syntaxes by their short names (the
# formats table, kg/formats.py)
RESULT_FORMATS = {f.name: f.results_format for f in formats.RESULT_SYNTAXES}
GRAPH_FORMATS = {f.name: f.rdf_format for f in formats.CLI_GRAPH_SYNTAXES}


@dataclass
class NamedQuery:
    """A query of queries/*.rq with its header (# title:, # description:, # params:)."""

    name: str
    title: str
    description: str
    params: list[str]
    text: str


def read_named_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header = {}
    for line in text.splitlines():
        match = re.match(r"#\s*(title|description|params):\s*(.*)", line)
        if match:
            header[match.group(1)] = match.group(2).strip()
    params = [p.strip() for p in header.get("params", "").split(",") if p.strip()]
    return NamedQuery(path.stem, header.get("title", path.stem), header.get("description", ""), params, text)


def named_queries() -> list[NamedQuery]:
    return [read_named_query(p) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def with_prefixes(query: str) -> str:
    """Add the graph's standard prefixes that the query uses but does not declare."""
    declared = {m.lower() for m in re.findall(r"PREFIX\s+([A-Za-z][\w-]*)?:", query, flags=re.I)}
    missing = [p for p in prefix_map() if p.lower() not in declared and re.search(rf"\b{re.escape(p)}:", query)]
    if not missing:
        return query
    return (
        "".join(line for line in sparql_prefixes().splitlines(keepends=True) if line.split()[1][:-1] in missing) + query
    )


def bind(query: str, values: dict[str, str]) -> str:
    """The query with its variables bound by a VALUES block at the start of its (outer) WHERE group.

    ``values`` are SPARQL terms as written (``<iri>``, ``"text"``). Oxigraph plans a query without looking at the
    ``substitutions`` it is given, so a bound IRI there is joined late (the explorer's placement queries took
    50-100 ms); a VALUES block is in the plan, and the same query starts from the bound resource (1-8 ms).
    """
    names = " ".join(f"?{k}" for k in values)
    row = " ".join(values.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    match = re.search(r"\bWHERE\s*\{", query, flags=re.I) or re.search(r"\bASK\s*\{", query, flags=re.I)
    if match is None:
        raise ValueError("no WHERE or ASK group to bind in")
    return query[: match.end()] + block + query[match.end() :]


def bind_iris(query: str, iris: dict[str, str]) -> str:
    """bind() with IRIs, each checked and written by pyoxigraph (an invalid IRI is a ValueError, never text)."""
    return bind(query, {name: str(ox.NamedNode(iri)) for name, iri in iris.items()})


QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def run(store: ox.Store, query: str, use_default_graph_as_union: bool = True, **kwargs: Any) -> QueryResult:
    return store.query(query, use_default_graph_as_union=use_default_graph_as_union, **kwargs)


def solutions(result: QueryResult) -> ox.QuerySolutions:
    """The rows of a SELECT query's result (a TypeError for ASK, CONSTRUCT or DESCRIBE)."""
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"expected the rows of a SELECT query, got {type(result).__name__}")
    return result


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def shorten(iri: str) -> str:
    for prefix, ns in prefix_map().items():
        if iri.startswith(ns) and re.fullmatch(r"[\w.\-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def as_table(result: QueryResult) -> str:
    """A plain text table of a SELECT result (ASK prints true/false)."""
    if isinstance(result, ox.QueryBoolean):
        return "true" if bool(result) else "false"
    if not isinstance(result, ox.QuerySolutions):
        raise ValueError("table output is for SELECT and ASK; use --format ttl/nt for CONSTRUCT or DESCRIBE")
    variables = [v.value for v in result.variables]
    rows = [
        [
            shorten(term_text(solution[v])) if isinstance(solution[v], ox.NamedNode) else term_text(solution[v])
            for v in variables
        ]
        for solution in result
    ]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    widths = [min(w, 80) for w in widths]

    def line(cells: list[str]) -> str:
        return " | ".join(c[:80].ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def serialize(result: QueryResult, fmt: str) -> bytes:
    """SPARQL results in one of RESULT_FORMATS, or RDF (ttl, nt) for CONSTRUCT/DESCRIBE."""
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        if fmt not in RESULT_FORMATS:
            raise ValueError(f"format {fmt!r} is not a SPARQL results format ({', '.join(RESULT_FORMATS)})")
        return result.serialize(format=RESULT_FORMATS[fmt]) or b""
    jsonld, rdfxml = formats.JSON_LD.rdf_format, formats.RDF_XML.rdf_format
    rdf = GRAPH_FORMATS | {"json": jsonld, "jsonld": jsonld, "xml": rdfxml}
    if fmt not in rdf:
        raise ValueError(f"format {fmt!r} is not an RDF format for graph results ({', '.join(rdf)})")
    return ox.serialize(result, format=rdf[fmt]) or b""
