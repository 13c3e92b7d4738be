"""What a read job answers: run a query or Graph Store read on an open store and serialize it, as an HTTP status,
a body and its media type, and headers for the client (``Outcome``).

The same code answers in a query worker process (kg/store/pool.py) and in the request's thread for a remote engine
(kg/store/backend.py ``RemoteQueries``); writes answer with an ``Outcome`` too (kg/store/writes.py). Results are
serialized here, under the result cap, so the cap (and, in a worker, the timeout) also covers serialization.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, cast

import pyoxigraph as ox

from kg import formats
from kg.store.jobs import GraphReadJob, QueryJob, ReadJob
from kg.store.remote import RemoteError, RemoteStore

# media type -> Oxigraph format, from the formats table (kg/formats.py), in the order offered
RESULT_FORMATS = {f.media_type: f.results_format for f in formats.RESULT_SYNTAXES}
GRAPH_FORMATS = {f.media_type: f.rdf_format for f in formats.GRAPH_SYNTAXES}


@dataclass
class Outcome:
    """What a job produced: a body and its media type, or an HTTP status with a message for the client."""

    status: int
    body: bytes = b""
    mimetype: str = "text/plain"
    message: str = ""
    created: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    build: str | None = None  # the embedded build that answered (its id), for the caller's ETag; None: not known

    @property
    def ok(self) -> bool:
        return self.status < 400


class ResultTooLarge(Exception):
    pass


class CappedBuffer:
    """A write target that refuses to grow past the result cap, so a huge result stops early."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def too_large(limit: int) -> Outcome:
    return Outcome(
        422,
        message=(
            f"the result is larger than the server's cap of {limit} bytes; "
            "add a LIMIT (and OFFSET to page) or select fewer variables"
        ),
        headers={"X-Result-Cap-Bytes": str(limit)},
    )


def malformed(job: ReadJob) -> Outcome | None:
    """The 400 of a query job that does not parse, found without a worker: an empty in-memory store parses it
    (nothing is there to evaluate, and a SELECT's solutions are never asked for); None when it parses."""
    if not isinstance(job, QueryJob):
        return None
    try:
        ox.Store().query(job.query, base_iri=job.base_iri)
    except SyntaxError as exc:
        return Outcome(400, message=f"malformed query: {exc}")
    except Exception:  # noqa: BLE001 - anything else is for the worker that runs it to report
        return None
    return None


def run_query_job(store: ox.Store | RemoteStore, job: ReadJob) -> Outcome:
    """Run one query job on an open store (in a worker process) and serialize its result."""
    limit = job.max_bytes
    try:
        if isinstance(job, GraphReadJob):
            return graph_job(store, job)
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
        if job.default_graph is not None:
            default_graph = [ox.NamedNode(i) for i in job.default_graph]
        if job.named_graphs is not None:
            named_graphs = [ox.NamedNode(i) for i in job.named_graphs]
        if named_graphs is not None and default_graph is None:
            default_graph = []  # the protocol's dataset has only named graphs: its default graph is empty
        result = store.query(
            job.query,
            base_iri=job.base_iri,
            use_default_graph_as_union=default_graph is None and named_graphs is None,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
        buffer = CappedBuffer(limit)
        sink = cast(IO[bytes], buffer)  # pyoxigraph only calls write()
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            mime = job.results_mime
            if mime is None:
                return Outcome(
                    406, message="no acceptable format for SELECT/ASK results; available: " + ", ".join(RESULT_FORMATS)
                )
            result.serialize(sink, RESULT_FORMATS[mime])
        else:
            mime = job.graph_mime
            if mime is None:
                return Outcome(
                    406,
                    message="no acceptable format for CONSTRUCT/DESCRIBE results; available: "
                    + ", ".join(GRAPH_FORMATS),
                )
            ox.serialize(result, sink, GRAPH_FORMATS[mime])
        return Outcome(200, buffer.getvalue(), mime)
    except ResultTooLarge:
        return too_large(limit)
    except RemoteError as exc:  # a remote engine's failure or timeout (kg/store/remote.py): 502 or 504
        return Outcome(exc.status, message=exc.message)
    except SyntaxError as exc:
        return Outcome(400, message=f"malformed query: {exc}")
    except ValueError as exc:  # e.g. an invalid IRI in default-graph-uri
        return Outcome(400, message=f"bad request: {exc}")
    except OSError as exc:  # evaluation errors raised by Oxigraph (failed SERVICE calls, store errors)
        return Outcome(500, message=f"query failed: {exc}")


def graph_job(store: ox.Store | RemoteStore, job: GraphReadJob) -> Outcome:
    """A Graph Store Protocol read: one graph, serialized (the whole graph or an error, never a part)."""
    graph = ox.DefaultGraph() if job.graph is None else ox.NamedNode(job.graph)
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        return Outcome(404, message=f"no graph {job.graph} in the store")
    buffer = CappedBuffer(job.max_bytes)
    try:
        store.dump(cast(IO[bytes], buffer), GRAPH_FORMATS[job.graph_mime], from_graph=graph)  # write() only
    except ResultTooLarge:
        return too_large(job.max_bytes)
    return Outcome(200, buffer.getvalue(), job.graph_mime)
