"""A remote SPARQL 1.1 engine (Virtuoso, Fuseki, GraphDB, QLever, ...) behind the same interface as the embedded
Oxigraph store, so that the endpoint, explorer, export and analytics run on either unchanged.

``RemoteStore`` offers the part of ``pyoxigraph.Store`` the app uses (query, update, named_graphs, dump,
quads_for_pattern, ...). Queries go through SPARQLWrapper; their results come back as SPARQL XML results or
N-Triples and are parsed by pyoxigraph, so callers get the same result objects as from the embedded store.

The dataset. A shared engine holds other people's graphs (and its own system graphs), so "the union of all
graphs" is never sent to it: every query names its dataset with ``default-graph-uri`` and ``named-graph-uri``,
the graphs that our meta graph lists as ``void:subset`` of the dataset. Loading (``load_dataset``) writes every
graph into a staging graph first, checks its size, then moves the staging graphs over the live ones and drops the
graphs the new build no longer has: a failed load leaves the previous dataset serving. See
docs/decisions/0007-remote-sparql-store.md and docs/deployment.md.
"""

from __future__ import annotations

import http.client
import io
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, POST, POSTDIRECTLY, URLENCODED, QueryResult, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions as sparql_errors

from kg import config, formats

if TYPE_CHECKING:
    import os

    from kg.progress import Echo

SCHEME = "sparql+"
META_GRAPH_PATH = "graph/meta"
DATASET_PATH = "dataset"
VOID_SUBSET = "http://rdfs.org/ns/void#subset"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
STAGING_PREFIX = "urn:amurkg:staging:"

RESULTS_XML = formats.RESULTS_XML.media_type
# what is read from another engine's CONSTRUCT answer (the formats table, kg/formats.py), and the older
# text/ntriples some engines still send
RDF_TYPES = {mime: f.rdf_format for f in formats.REMOTE_SYNTAXES for mime in f.media_types} | {
    "text/ntriples": formats.N_TRIPLES.rdf_format
}
# one media type per request: some engines (Virtuoso 7) answer 406 to a list with q-values
RDF_ACCEPT = formats.N_TRIPLES.media_type

# a graph as the store's methods take it: a named node or its IRI (a blank node or the default graph is refused with a
# ValueError: a remote store holds named graphs only)
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph | str
# a term a variable is pre-bound to (pyoxigraph's ``substitutions``)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class RemoteError(OSError):
    """The remote engine failed or could not be reached; ``status`` is what our server answers its client."""

    def __init__(self, message: str, status: int = 502):
        super().__init__(message)
        self.status = status
        self.message = message


class RemoteTimeout(RemoteError):
    def __init__(self, message: str):
        super().__init__(message, status=504)


@dataclass(frozen=True)
class RemoteConfig:
    """Where the engine is and how to talk to it, from a store spec::

        sparql+http://HOST:PORT/sparql?update=/sparql-auth&gsp=/sparql-graph-crud-auth&gsp-param=graph-uri&auth=digest

    ``update`` (default: the query URL) and ``gsp`` (default: none, loading then uses SPARQL Update) may be paths
    on the same host or full URLs. Credentials come from ``AMURKG_STORE_USER`` / ``AMURKG_STORE_PASSWORD`` (or the
    URL's user info); ``auth`` is ``basic`` (default) or ``digest`` (Virtuoso's /sparql-auth)."""

    query_url: str
    update_url: str
    gsp_url: str | None = None
    gsp_param: str = "graph"
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    timeout: float = 60.0
    batch: int = 20_000

    @classmethod
    def parse(cls, spec: str, env: Mapping[str, str] | None = None) -> RemoteConfig:
        user, password = config.store_credentials(env)
        if not spec.startswith(SCHEME + "http://") and not spec.startswith(SCHEME + "https://"):
            raise ValueError(f"a remote store is sparql+http://HOST/PATH or sparql+https://HOST/PATH, not {spec!r}")
        url = urllib.parse.urlsplit(spec[len(SCHEME) :])
        options = dict(urllib.parse.parse_qsl(url.query))
        unknown = set(options) - {"update", "gsp", "gsp-param", "auth", "timeout", "batch"}
        if unknown:
            raise ValueError(
                f"unknown option(s) {', '.join(sorted(unknown))} in store spec {spec!r}; "
                "known: update, gsp, gsp-param, auth, timeout, batch"
            )
        host = url.hostname + (f":{url.port}" if url.port else "") if url.hostname else ""
        if not host:
            raise ValueError(f"no host in store spec {spec!r}")
        origin = f"{url.scheme}://{host}"
        query_url = origin + (url.path or "/sparql")

        def absolute(value: str | None) -> str | None:
            return None if not value else value if "://" in value else origin + "/" + value.lstrip("/")

        auth = options.get("auth", "basic").lower()
        if auth not in ("basic", "digest"):
            raise ValueError(f"auth must be basic or digest, not {auth!r}")
        return cls(
            query_url=query_url,
            update_url=absolute(options.get("update")) or query_url,
            gsp_url=absolute(options.get("gsp")),
            gsp_param=options.get("gsp-param", "graph"),
            user=urllib.parse.unquote(url.username) if url.username else user,
            password=urllib.parse.unquote(url.password) if url.password else password,
            auth=auth,
            timeout=float(options.get("timeout", 60)),
            batch=int(options.get("batch", 20_000)),
        )

    @property
    def label(self) -> str:
        """The spec without credentials, for logs and pages."""
        return SCHEME + self.query_url


# --- query text helpers --------------------------------------------------------------------------------------

_COMMENT_LINE = re.compile(r"^\s*#.*$", re.M)


def bind_values(query: str, substitutions: Mapping[ox.Variable, Term]) -> str:
    """Pre-bind variables the way pyoxigraph's ``substitutions`` do, in standard SPARQL: a VALUES block opening the
    query's WHERE group (the group is joined with it, so each bound variable keeps its value in the results)."""
    if not substitutions:
        return query
    names = " ".join(f"?{variable.value}" for variable in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    block = f"VALUES ({names}) {{ ({terms}) }} "
    text = _COMMENT_LINE.sub("", query)
    match = re.search(r"\bWHERE\s*\{", text, flags=re.I) or re.search(r"\{", text)
    if match is None:
        raise ValueError("cannot bind variables: the query has no WHERE group")
    return text[: match.end()] + " " + block + text[match.end() :]


_PROLOGUE = re.compile(r"^\s*(?:BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)", re.I)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: what to ask the engine for, and how to read its answer."""
    text = _COMMENT_LINE.sub("", query)
    while (match := _PROLOGUE.match(text)) is not None:
        text = text[match.end() :]
    match = re.match(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text, flags=re.I)
    if match is None:
        raise SyntaxError("the query is not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return match.group(1).upper()


def _boolean(value: bool) -> ox.QueryBoolean:
    document = (
        '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
        f"<boolean>{'true' if value else 'false'}</boolean></sparql>"
    )
    result = ox.parse_query_results(document.encode(), formats.RESULTS_XML.results_format)
    assert isinstance(result, ox.QueryBoolean)  # the document is a boolean result
    return result


def with_base(query: str, base_iri: str | None) -> str:
    if not base_iri or re.search(r"^\s*BASE\s*<", _COMMENT_LINE.sub("", query), flags=re.I | re.M):
        return query
    return f"BASE <{base_iri}>\n{query}"


def _graph_iri(graph: GraphName) -> str:
    if isinstance(graph, ox.NamedNode):
        return graph.value
    if isinstance(graph, str):
        return graph
    raise ValueError(f"a remote store holds named graphs only, not {graph!r}")


_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
_WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"


def _wkt_text(text: str) -> str:
    """Virtuoso's text of a geometry ("MULTIPOLYGON(((1 2,3 4") in the usual spacing ("MULTIPOLYGON (((1 2, 3 4")."""
    return re.sub(r"^([A-Za-z]+)\s*\(", r"\1 (", text.strip()).replace(",", ", ").replace(",  ", ", ")


def engine_literals(body: bytes) -> bytes:
    """Undo what engines do to literals on the way in: Virtuoso stores geo:wktLiteral values as its own geometry
    type and answers them as virtrdf:Geometry with the spaces taken out (the same coordinates)."""
    if _GEOMETRY.encode() not in body:
        return body
    text = body.decode("utf-8")
    # SPARQL XML results
    text = re.sub(
        rf'<literal datatype="{re.escape(_GEOMETRY)}">([^<]*)</literal>',
        lambda m: f'<literal datatype="{_WKT}">{_wkt_text(m.group(1))}</literal>',
        text,
    )
    # N-Triples
    text = re.sub(rf'"([^"]*)"\^\^<{re.escape(_GEOMETRY)}>', lambda m: f'"{_wkt_text(m.group(1))}"^^<{_WKT}>', text)
    return text.encode("utf-8")


def _parse_rdf(body: bytes, content_type: str) -> list[ox.Triple]:
    media = content_type.split(";")[0].strip().lower()
    fmt = RDF_TYPES.get(media)
    if fmt is None:
        raise RemoteError(f"the remote engine answered with {media or 'no media type'}, which is not an RDF format")
    return [quad.triple if isinstance(quad, ox.Quad) else quad for quad in ox.parse(engine_literals(body), fmt)]


# --- the store -----------------------------------------------------------------------------------------------


class RemoteStore:
    """A dataset held by a remote SPARQL 1.1 engine, used like a ``pyoxigraph.Store``."""

    def __init__(self, config: RemoteConfig | str, base: str | None = None):
        from kg.namespaces import base_iri

        self.config = RemoteConfig.parse(config) if isinstance(config, str) else config
        self.base = base or base_iri()
        self.meta_graph = self.base + META_GRAPH_PATH
        self.dataset_iri = self.base + DATASET_PATH
        # the dataset's graph list (when it was read, the graph IRIs), shared with the copies made by with_timeout
        self._cache: dict[str, tuple[float, list[str]]] = {}

    def with_timeout(self, timeout: float) -> RemoteStore:
        """The same store, with this time limit for each request (a request's own limit on a shared store)."""
        import dataclasses

        copy = RemoteStore(dataclasses.replace(self.config, timeout=timeout), self.base)
        copy._cache = self._cache
        return copy

    def __repr__(self) -> str:
        return f"RemoteStore({self.config.label})"

    # -- protocol --

    def _wrapper(self, url: str, timeout: float | None) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url, agent="amurkg")
        wrapper.setOnlyConneg(True)  # no engine-specific format=/output= parameters: the Accept header decides
        wrapper.setTimeout(int(max(1, round(timeout or self.config.timeout))))
        if self.config.user:
            wrapper.setCredentials(self.config.user, self.config.password or "")
            if self.config.auth == "digest":
                wrapper.setHTTPAuth(DIGEST)
        return wrapper

    def _send(self, wrapper: SPARQLWrapper, what: str, timeout: float | None) -> QueryResult:
        # SPARQLWrapper installs its digest-auth opener process-wide (urllib.request.install_opener): put back the
        # one that was there, or every later urlopen in the process answers Bearer challenges with a ValueError
        previous = vars(urllib.request).get("_opener")  # private: no stub names it
        try:
            return self._query(wrapper, what)
        finally:
            urllib.request.install_opener(previous)

    def _query(self, wrapper: SPARQLWrapper, what: str) -> QueryResult:
        started = time.monotonic()
        try:
            return wrapper.query()
        except sparql_errors.QueryBadFormed as exc:
            # the engine's parser message, as our own parser's would be: a client error
            raise SyntaxError(_engine_message(exc)) from None
        except sparql_errors.Unauthorized as exc:
            raise RemoteError(f"the remote engine refused the credentials for {what}: {_engine_message(exc)}") from None
        except sparql_errors.EndPointNotFound as exc:
            raise RemoteError(
                f"the remote engine has no endpoint at {wrapper.endpoint}: {_engine_message(exc)}"
            ) from None
        except sparql_errors.SPARQLWrapperException as exc:
            raise RemoteError(f"the remote engine failed on {what}: {_engine_message(exc)}") from None
        except urllib.error.HTTPError as exc:
            raise RemoteError(f"the remote engine answered HTTP {exc.code} to {what}: {_read_error(exc)}") from None
        except TimeoutError as exc:
            raise RemoteTimeout(
                f"the remote engine did not answer {what} within {time.monotonic() - started:.0f} s ({exc})"
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise RemoteTimeout(f"the remote engine did not answer {what} in time ({exc.reason})") from None
            raise RemoteError(f"the remote engine at {wrapper.endpoint} cannot be reached: {exc.reason}") from None
        except (ConnectionError, OSError) as exc:
            raise RemoteError(f"the connection to the remote engine at {wrapper.endpoint} failed: {exc}") from None

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        default_graph: ox.NamedNode | ox.DefaultGraph | Sequence[GraphName] | None = None,
        named_graphs: Sequence[GraphName] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run a query on the remote engine; results as pyoxigraph objects (QuerySolutions, QueryBoolean, or a list
        of Triples for CONSTRUCT/DESCRIBE)."""
        form = query_form(query)
        text = with_base(bind_values(query, substitutions or {}), base_iri)
        wrapper = self._wrapper(self.config.query_url, timeout)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setQuery(text)
        wrapper.addCustomHttpHeader("Accept", RESULTS_XML if form in ("SELECT", "ASK") else RDF_ACCEPT)
        defaults, named = self._dataset(use_default_graph_as_union, default_graph, named_graphs)
        for iri in defaults:
            wrapper.addParameter("default-graph-uri", iri)
        for iri in named:
            wrapper.addParameter("named-graph-uri", iri)
        response = self._send(wrapper, "the query", timeout).response
        headers = response.info()
        try:
            body = response.read()
        except (http.client.HTTPException, OSError) as exc:  # the engine went away in the middle of its answer
            raise RemoteError(
                f"the connection to the remote engine at {self.config.query_url} broke while it "
                f"answered the query: {type(exc).__name__}: {exc}"
            ) from None
        # Virtuoso's "anytime" queries answer a partial result when they hit the engine's time limit: never pass a
        # partial result off as the answer
        if (headers.get("X-SQL-State") or "").upper() == "S1TAT":
            raise RemoteTimeout(
                "the remote engine stopped the query at its own time limit and answered a partial "
                "result, which is refused: " + (headers.get("X-SQL-Message") or "")
            )
        content_type = headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() in (RESULTS_XML, *formats.RESULTS_XML.generic):
            try:
                result = ox.parse_query_results(engine_literals(body), formats.RESULTS_XML.results_format)
            except SyntaxError as exc:
                raise RemoteError(f"the remote engine's result cannot be read: {exc}") from None
            if form == "ASK" and isinstance(result, ox.QuerySolutions):
                # Virtuoso 7 answers ASK as a one-row table (__ASK_RETVAL = 1 or 0)
                rows = list(result)
                value = rows[0][0] if rows and len(result.variables) == 1 else None
                return _boolean(value is not None and value.value in ("1", "true"))
            return result
        return _parse_rdf(body, content_type)

    def _dataset(
        self,
        union: bool,
        default_graph: ox.NamedNode | ox.DefaultGraph | Sequence[GraphName] | None,
        named_graphs: Sequence[GraphName] | None,
    ) -> tuple[list[str], list[str]]:
        if default_graph is None and named_graphs is None:
            graphs = self.graph_iris()
            # the union of our graphs as the default graph, our graphs as the named graphs; without union the
            # default graph is empty (the build writes no triple outside a named graph)
            return (graphs if union else [], graphs)
        if isinstance(default_graph, (ox.NamedNode, ox.DefaultGraph)):
            default_graph = [default_graph]
        defaults = [_graph_iri(g) for g in (default_graph or []) if not isinstance(g, ox.DefaultGraph)]
        named = [_graph_iri(g) for g in (named_graphs or [])]
        return defaults, named

    def update(self, update: str, base_iri: str | None = None, timeout: float | None = None) -> None:
        wrapper = self._wrapper(self.config.update_url, timeout)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(POSTDIRECTLY if len(update) > 100_000 else URLENCODED)
        wrapper.setQuery(with_base(update, base_iri))
        wrapper.queryType = "INSERT"  # SPARQLWrapper guesses from keywords; an update is an update
        wrapper.isSparqlUpdateRequest = lambda: True  # type: ignore[method-assign]  # SPARQLWrapper has no setter
        response = self._send(wrapper, "the update", timeout).response
        try:
            response.read()
        except (http.client.HTTPException, OSError) as exc:  # the engine went away before it answered
            raise RemoteError(
                f"the connection to the remote engine at {self.config.update_url} broke while it "
                f"answered the update (it may or may not have been applied): "
                f"{type(exc).__name__}: {exc}"
            ) from None
        self._cache.pop("graphs", None)

    # -- the dataset's graphs --

    def graph_iris(self, refresh: bool = False) -> list[str]:
        """The graphs of our dataset: the meta graph and what it lists as subsets (cached for a few seconds)."""
        now = time.monotonic()
        cached = self._cache.get("graphs")
        if refresh or cached is None or now - cached[0] > 5:
            rows = self._select_in_meta("DISTINCT ?g", f"<{self.dataset_iri}> <{VOID_SUBSET}> ?g")
            graphs = sorted({row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)})
            cached = self._cache["graphs"] = (now, graphs)
        return cached[1]

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return iter([ox.NamedNode(g) for g in self.graph_iris()])

    def contains_named_graph(self, graph: GraphName) -> bool:
        return _graph_iri(graph) in self.graph_iris(refresh=True)

    def add_graph(self, graph: GraphName) -> None:
        """A graph written through our Graph Store Protocol joins the dataset (SPARQL engines keep no empty graphs:
        the meta graph's listing is what makes it part of the dataset)."""
        self.update(
            f"INSERT DATA {{ GRAPH <{self.meta_graph}> {{ <{self.dataset_iri}> <{VOID_SUBSET}> "
            f"<{_graph_iri(graph)}> }} }}"
        )

    def clear_graph(self, graph: GraphName) -> None:
        self.update(f"CLEAR SILENT GRAPH <{_graph_iri(graph)}>")

    def remove_graph(self, graph: GraphName) -> None:
        iri = _graph_iri(graph)
        self.update(
            f"DROP SILENT GRAPH <{iri}> ; DELETE DATA {{ GRAPH <{self.meta_graph}> "
            f"{{ <{self.dataset_iri}> <{VOID_SUBSET}> <{iri}> }} }}"
        )

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            by_graph.setdefault(_graph_iri(quad.graph_name), []).append(quad.triple)
        for graph, triples in by_graph.items():
            self.insert_triples(graph, triples)

    def insert_triples(self, graph: str, triples: list[ox.Triple], timeout: float | None = None) -> None:
        """INSERT DATA in batches; a graph with blank nodes goes in one request (labels are scoped to a request)."""
        has_blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)
        size = len(triples) if has_blank else self.config.batch
        for start in range(0, len(triples), max(1, size)):
            body = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples[start : start + size])
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}", timeout=timeout)

    # -- reading graphs --

    def graph_triples(self, graph: GraphName, timeout: float | None = None) -> list[ox.Triple]:
        """Every triple of one graph: through the Graph Store Protocol when configured (no result-row limits),
        else a CONSTRUCT."""
        iri = _graph_iri(graph)
        if self.config.gsp_url:
            body, content_type = self._gsp("GET", iri, timeout=timeout)
            return _parse_rdf(body, content_type) if body else []
        result = cast(  # a CONSTRUCT's answer
            list[ox.Triple],
            self.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
                default_graph=[],
                named_graphs=[iri],
                timeout=timeout,
            ),
        )
        return list(result)

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | ox.Triple | None = None,
        predicate: ox.NamedNode | None = None,
        object: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None = None,
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        if subject is not None or predicate is not None or object is not None:
            raise NotImplementedError("a remote store lists whole graphs only; use a query for patterns")
        graphs = self.graph_iris() if graph_name is None else [_graph_iri(graph_name)]
        for graph in graphs:
            node = ox.NamedNode(graph)
            for triple in self.graph_triples(graph):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, node)

    def dump(
        self,
        output: IO[bytes] | str | os.PathLike[str] | None = None,
        format: ox.RdfFormat | None = None,
        *,
        from_graph: GraphName | None = None,
        prefixes: dict[str, str] | None = None,
        base_iri: str | None = None,
    ) -> bytes | None:
        data: Iterable[ox.Triple] | Iterable[ox.Quad] = (
            self.graph_triples(from_graph) if from_graph is not None else self.quads_for_pattern(None, None, None, None)
        )
        return ox.serialize(data, output, format, prefixes=prefixes, base_iri=base_iri)

    def __len__(self) -> int:
        rows = list(
            cast(
                ox.QuerySolutions,
                self.query(
                    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                    default_graph=[],
                    named_graphs=[ox.NamedNode(g) for g in self.graph_iris()],
                ),
            )
        )
        return int(rows[0]["n"].value) if rows else 0

    def graph_size(self, graph: str) -> int:
        rows = list(
            cast(
                ox.QuerySolutions,
                self.query(
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                    default_graph=[],
                    named_graphs=[graph],
                ),
            )
        )
        return int(rows[0]["n"].value) if rows else 0

    # -- Graph Store Protocol --

    def _opener(self) -> urllib.request.OpenerDirector:
        handlers = []
        if self.config.user and self.config.gsp_url:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, self.config.gsp_url, self.config.user, self.config.password or "")
            handler = (
                urllib.request.HTTPDigestAuthHandler
                if self.config.auth == "digest"
                else urllib.request.HTTPBasicAuthHandler
            )
            handlers.append(handler(passwords))
        return urllib.request.build_opener(*handlers)

    def _digest_authorization(self, request: urllib.request.Request, timeout: float | None) -> str:
        probe = urllib.request.Request(request.full_url, method="HEAD")
        try:
            urllib.request.urlopen(probe, timeout=timeout or self.config.timeout).close()
            raise RemoteError(f"the remote Graph Store at {self.config.gsp_url} asked for no credentials")
        except urllib.error.HTTPError as exc:
            scheme, _, challenge = (exc.headers.get("WWW-Authenticate") or "").partition(" ")
            if exc.code != 401 or scheme.lower() != "digest":
                raise RemoteError(
                    f"the remote Graph Store answered HTTP {exc.code} without a digest challenge"
                ) from None
        except urllib.error.URLError as exc:
            raise RemoteError(
                f"the remote Graph Store at {self.config.gsp_url} cannot be reached: {exc.reason}"
            ) from None
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(
            None, self.config.gsp_url or request.full_url, self.config.user or "", self.config.password or ""
        )
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge))
        answer = urllib.request.AbstractDigestAuthHandler(passwords).get_authorization(request, fields)
        if answer is None:
            raise RemoteError("the remote Graph Store's digest challenge cannot be answered")
        return "Digest " + answer

    def _gsp(
        self, method: str, graph: str, body: bytes | None = None, timeout: float | None = None
    ) -> tuple[bytes, str]:
        url = f"{self.config.gsp_url}?{urllib.parse.urlencode({self.config.gsp_param: graph})}"
        request = urllib.request.Request(url, data=body, method=method)
        # a write's answer is a status (engines send HTML or text with it): ask for a format only when reading
        request.add_header("Accept", RDF_ACCEPT if method == "GET" else "*/*")
        if body is not None:
            request.add_header("Content-Type", formats.N_TRIPLES.media_type)
            if self.config.user and self.config.auth == "digest":
                # urllib would send the whole body once unauthenticated to learn the digest challenge, and some
                # engines (Virtuoso) reset the connection instead of answering 401 to a large body: ask first
                request.add_header("Authorization", self._digest_authorization(request, timeout))
        try:
            with self._opener().open(request, timeout=timeout or self.config.timeout) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            if method == "GET" and exc.code == 404:
                return b"", ""
            if exc.code in (401, 403):
                raise RemoteError(
                    f"the remote Graph Store refused {method} {graph} (HTTP {exc.code}): "
                    + (
                        "check AMURKG_STORE_USER / AMURKG_STORE_PASSWORD and the auth= option"
                        if self.config.user
                        else "it needs credentials: set AMURKG_STORE_USER and AMURKG_STORE_PASSWORD"
                    )
                ) from None
            raise RemoteError(
                f"the remote Graph Store answered HTTP {exc.code} to {method} {graph}: {_read_error(exc)}"
            ) from None
        except TimeoutError:
            raise RemoteTimeout(f"the remote Graph Store did not answer {method} {graph} in time") from None
        except urllib.error.URLError as exc:
            raise RemoteError(
                f"the remote Graph Store at {self.config.gsp_url} cannot be reached: {exc.reason}"
            ) from None
        except (http.client.HTTPException, OSError) as exc:  # the engine went away in the middle of its answer
            raise RemoteError(
                f"the connection to the remote Graph Store at {self.config.gsp_url} broke during "
                f"{method} {graph}: {type(exc).__name__}: {exc}"
            ) from None

    def put_graph(self, graph: str, triples: list[ox.Triple], timeout: float | None = None) -> None:
        """Replace one graph with these triples: a GSP PUT when configured, else DROP + INSERT DATA batches."""
        if self.config.gsp_url:
            buffer = io.BytesIO()
            ox.serialize(triples, buffer, formats.N_TRIPLES.rdf_format)
            self._gsp("PUT", graph, buffer.getvalue(), timeout=timeout)
        else:
            self.update(f"DROP SILENT GRAPH <{graph}>", timeout=timeout)
            self.insert_triples(graph, triples, timeout=timeout)

    # -- the build's metadata --

    def _select_in_meta(self, projection: str, pattern: str) -> ox.QuerySolutions:
        """``SELECT projection`` of a pattern in the meta graph (the dataset's own listing), the only graph asked."""
        query = f"SELECT {projection} WHERE {{ GRAPH <{self.meta_graph}> {{ {pattern} }} }}"
        return cast(ox.QuerySolutions, self.query(query, default_graph=[], named_graphs=[self.meta_graph]))

    def manifest(self) -> dict[str, Any] | None:
        """What the loaded build says of itself (from the meta graph), or None when no build is loaded."""
        rows = list(
            self._select_in_meta(
                "?id ?built",
                f"<{self.dataset_iri}> <{IDENTIFIER}> ?id . OPTIONAL {{ <{self.dataset_iri}> <{GENERATED}> ?built }}",
            )
        )
        if not rows:
            return None
        sizes = self._select_in_meta(
            "?g ?n", f"<{self.dataset_iri}> <{VOID_SUBSET}> ?g OPTIONAL {{ ?g <{VOID_TRIPLES}> ?n }}"
        )
        return {
            "build_id": rows[0]["id"].value,
            "built": rows[0]["built"].value if rows[0]["built"] else None,
            "base": self.base,
            "store": self.config.label,
            "graphs": {row["g"].value: int(row["n"].value) if row["n"] else None for row in sizes},
        }


def _engine_message(exc: Exception) -> str:
    text = str(exc)
    # SPARQLWrapper prefixes its own words ("QueryBadFormed: A bad request has been sent to the endpoint: ...")
    text = re.sub(
        r"^\w+: (a bad request has been sent to the endpoint: probably the SPARQL query is badly formed"
        r"\.?)?\s*",
        "",
        text,
        flags=re.I,
    )
    text = re.sub(r"^Response:\s*", "", text.strip())
    text = text.replace("\\n", "\n")
    text = re.sub(r"^b['\"]|['\"]$", "", text.strip())
    return text.strip()[:2000]


def _read_error(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace").strip()[:2000]
    except OSError:
        return exc.reason or ""


# --- loading a build -----------------------------------------------------------------------------------------


def load_dataset(
    remote: RemoteStore, store: ox.Store, build_id: str, echo: Echo = print, force: bool = False
) -> dict[str, Any]:
    """Replace our dataset in the remote engine with the graphs of a finished build (an embedded store).

    Idempotent: a remote engine already holding this build is left as it is (unless ``force``). Only our graphs
    change: the graphs of the new build, and the graphs of the previous load that the new build no longer has."""
    current = remote.manifest()
    if current and current["build_id"] == build_id and not force:
        echo(f"remote store {remote.config.label} already holds build {build_id}; nothing to do")
        return {"build_id": build_id, "skipped": True, "graphs": current["graphs"]}
    previous = set(remote.graph_iris(refresh=True)) if current else set()
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    staging = {g: f"{STAGING_PREFIX}{build_id}:{g}" for g in graphs}
    started = time.perf_counter()
    sizes: dict[str, int] = {}
    try:
        for graph in graphs:
            triples = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
            if graph == remote.meta_graph and not any(t.predicate.value == IDENTIFIER for t in triples):
                # a build from before the meta graph carried its id: servers and the next load need it
                triples.append(
                    ox.Triple(ox.NamedNode(remote.dataset_iri), ox.NamedNode(IDENTIFIER), ox.Literal(build_id))
                )
            began = time.perf_counter()
            remote.put_graph(staging[graph], triples)
            loaded = remote.graph_size(staging[graph])
            if loaded != len(triples):
                raise RemoteError(
                    f"the remote engine holds {loaded} triples of {graph} after loading "
                    f"{len(triples)}; the load was abandoned and the previous dataset kept"
                )
            sizes[graph] = loaded
            echo(f"remote: {graph} {loaded:,} triples in {time.perf_counter() - began:.1f} s")
    except BaseException:
        for graph in staging.values():
            try:
                remote.update(f"DROP SILENT GRAPH <{graph}>")
            except (RemoteError, SyntaxError):
                pass
        raise
    # the switch: live graphs replaced by their staging copies, the meta graph (the dataset's listing) last
    operations = [f"MOVE SILENT GRAPH <{staging[g]}> TO <{g}>" for g in graphs if g != remote.meta_graph]
    operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(previous - set(graphs))]
    if remote.meta_graph in staging:
        operations.append(f"MOVE SILENT GRAPH <{staging[remote.meta_graph]}> TO <{remote.meta_graph}>")
    try:  # one request: engines run it as one transaction (Virtuoso: raise TransactionAfterImageLimit for it)
        remote.update(" ;\n".join(operations), timeout=max(remote.config.timeout, 600))
    except (RemoteError, SyntaxError) as exc:
        for graph in staging.values():
            try:
                remote.update(f"DROP SILENT GRAPH <{graph}>")
            except (RemoteError, SyntaxError):
                pass
        raise RemoteError(
            f"the engine refused the switch to the new graphs (rolled back in its transaction): "
            f"{str(exc).split('SPARQL query:')[0].strip()}"
        ) from None
    remote.graph_iris(refresh=True)
    echo(
        f"remote: {sum(sizes.values()):,} triples in {len(graphs)} graphs loaded into {remote.config.label} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return {"build_id": build_id, "skipped": False, "graphs": sizes}
