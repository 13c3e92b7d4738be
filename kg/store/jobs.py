"""The jobs of the query pool and of the writer, typed: what a request asks the store to do.

The server builds them (server/sparql.py, server/gsp.py, server/service_description.py), the pool sends them to
its worker processes (pickled: module-level frozen dataclasses) and a remote engine runs them in the request's
thread (kg/store/answers.py, kg/store/backend.py); writes go to kg/store/writes.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class QueryJob:
    """A SPARQL query and how its answer is to be written."""

    query: str
    results_mime: str | None  # the media type of SELECT/ASK results; None: the client accepts none
    graph_mime: str | None  # of CONSTRUCT/DESCRIBE results; None: the client accepts none
    max_bytes: int  # the serialized answer's cap (422 beyond it)
    base_iri: str | None = None
    default_graph: tuple[str, ...] | None = None  # the protocol's default-graph-uri; None: the union of all
    named_graphs: tuple[str, ...] | None = None  # named-graph-uri; None: every named graph


@dataclass(frozen=True)
class GraphReadJob:
    """A Graph Store Protocol read: one graph (None: the default graph), whole or not at all."""

    graph: str | None
    graph_mime: str
    max_bytes: int


@dataclass(frozen=True)
class UpdateJob:
    """A SPARQL Update."""

    update: str
    base_iri: str | None = None


@dataclass(frozen=True)
class GraphWriteJob:
    """A Graph Store Protocol write: replace (put), add to (post) or delete one graph (None: the default graph)."""

    method: Literal["put", "post", "delete"]
    graph: str | None
    base_iri: str | None = None
    parts: tuple[tuple[bytes, str], ...] = ()  # (body, media type) of each uploaded document


ReadJob = QueryJob | GraphReadJob
WriteJob = UpdateJob | GraphWriteJob
