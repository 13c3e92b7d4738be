"""Network analytics on a typed networkx view of the graph.

The view is a ``networkx.MultiDiGraph`` built from the store by the ``queries/analytics-*.rq`` queries:
nodes are species, higher taxa, ecoregions, IUCN threats, IUCN conservation actions and initiatives (node
attribute ``kind``); edges are keyed by the relation (``occursIn``, ``possiblyOccursIn``, ``threatenedBy``,
``inferredThreat``, ``parentTaxon``, ``addressesThreat``, ``implementsAction``, ``concernsEcoregion``,
``actionAddresses``, ``broader``) and carry the link's confidence score. Species carry the red-list category
they are weighed by.

A species is *recorded* in an ecoregion (``occursIn``: a placement of medium or high confidence) or *possibly*
there (``possiblyOccursIn``: low-confidence placements only). The analyses use recorded links; ``possible=True``
adds the possible ones. Inferred threats come from recorded links only, filtered by the applicability table
(ingest/curated/threat_applicability.yml); the build states each threat's row on the threat (``amur:inferredOn``,
node attribute ``inferred_on``), which the threat analysis shows, so it reads the table the served build used.

Each analysis returns an ``Analysis``: named tables of plain rows (JSON-ready) and notes on the method.
The view is cached per store build, in memory and as a pickle beside the build.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
import pickle
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import networkx as nx
import pyoxigraph as ox

from kg.namespaces import prefix_map
from kg.query import QUERIES_DIR, solutions, term_text
from kg.store import backend
from kg.store import layout as kgstore

QUERY_FILES = (
    "analytics-nodes",
    "analytics-links",
    "analytics-link-confidence",
    "analytics-species-categories",
    "analytics-protection",
)
THREATENED = ("CR", "EN", "VU")
KINDS = ("species", "taxon", "ecoregion", "threat", "action", "initiative")
# relation -> (phrase read from subject to object, phrase read backwards)
RELATIONS = {
    "occursIn": ("occurs in", "is the range of"),
    "possiblyOccursIn": ("possibly occurs in", "is possibly the range of"),
    "threatenedBy": ("is threatened by", "threatens"),
    "inferredThreat": ("is exposed (inferred via its ecoregions) to", "is inferred to threaten"),
    "parentTaxon": ("belongs to", "contains"),
    "addressesThreat": ("addresses", "is addressed by"),
    "implementsAction": ("implements", "is implemented by"),
    "concernsEcoregion": ("works in", "is worked in by"),
    "actionAddresses": ("(IUCN action) addresses", "is addressed by the IUCN action"),
    "broader": ("is a kind of", "includes"),
}
# Betweenness samples this many source nodes (networkx `k`) with a fixed seed: exact betweenness on the
# full view (thousands of nodes, ~50 000 links) takes minutes.
BETWEENNESS_SAMPLES = 100
SEED = 42


class NotFound(LookupError):
    """A name that matches no node, or several (the message lists the candidates)."""


@dataclass
class Analysis:
    """The result of one analysis: ordered tables of rows, and notes saying how it was computed."""

    name: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"analysis": self.name, "notes": self.notes, "tables": self.tables, **self.extra}


# --- the view ------------------------------------------------------------------------------------------------


def _query(name: str) -> str:
    return (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


def _rows(store: ox.Store, name: str) -> list[dict[str, str]]:
    result = solutions(store.query(_query(name), use_default_graph_as_union=True))
    variables = [v.value for v in result.variables]
    return [{v: term_text(solution[v]) for v in variables} for solution in result]


def category_weight(rank: int | None) -> int:
    """Weight of a species in exposure scores: 1 + the category's rank (LC 1 … CR 5, EX 7); unranked 1."""
    return 1 + (rank or 0)


def graph_from_store(store: ox.Store) -> nx.MultiDiGraph:
    """Build the typed view from a store (on disk or in memory)."""
    graph = nx.MultiDiGraph()
    for row in _rows(store, "analytics-nodes"):
        if row["node"] in graph:  # several labels or names: keep the first
            continue
        graph.add_node(
            row["node"],
            kind=row["kind"],
            label=row["label"] or row["node"],
            name=row["name"],
            notation=row["notation"],
            group=row["group"],
            inferred_on=row["inferredOn"] or None,
        )
    _set_categories(graph, _rows(store, "analytics-species-categories"))
    _set_protection(graph, _rows(store, "analytics-protection"))
    confidence = {
        (r["subject"], r["relation"], r["object"]): float(r["confidence"])
        for r in _rows(store, "analytics-link-confidence")
    }
    for row in _rows(store, "analytics-links"):
        subject, obj = row["subject"], row["object"]
        if subject not in graph or obj not in graph:  # e.g. broader links between habitats
            continue
        relation = re.sub(r"^.*[#/]", "", row["relation"])
        graph.add_edge(
            subject,
            obj,
            key=relation,
            relation=relation,
            confidence=confidence.get((subject, row["relation"], obj), 1.0),
        )
    return graph


def _set_protection(graph: nx.MultiDiGraph, listings: list[dict[str, str]]) -> None:
    """Each species' legal protection and trade listings ("cn-key-animals-2021 I", "cites II"): node attribute
    ``protection``, a sorted list (empty for none)."""
    found: dict[str, set[str]] = {}
    for row in listings:
        found.setdefault(row["taxon"], set()).add(f"{row['list']} {row['class']}")
    for node, data in graph.nodes(data=True):
        if data["kind"] == "species":
            data["protection"] = sorted(found.get(node, ()))


def _set_categories(graph: nx.MultiDiGraph, assessments: list[dict[str, str]]) -> None:
    """Weigh each species by its global IUCN category, else by its worst national one; keep every threatened
    category it has (``threatened_in``: "IUCN EN", "CN VU") for the gap analysis."""
    best: dict[str, tuple[int, int, str, str]] = {}
    threatened_in: dict[str, set[str]] = {}
    for row in assessments:
        if row["taxon"] not in graph:
            continue
        if row["category"] in THREATENED:
            scope = "IUCN" if row["scope"] == "global" else row["scope"]
            threatened_in.setdefault(row["taxon"], set()).add(f"{scope} {row['category']}")
        rank = int(row["rank"]) if row["rank"] else None
        # global assessments win over national ones; among equals the worst (highest rank) wins
        key = (1 if row["scope"] == "global" else 0, rank if rank is not None else -1, row["category"], row["scope"])
        if row["taxon"] not in best or key > best[row["taxon"]]:
            best[row["taxon"]] = key
    for node, data in graph.nodes(data=True):
        if data["kind"] != "species":
            continue
        _, rank, category, scope = best.get(node, (0, -1, "", ""))
        data.update(
            category=category,
            category_scope=scope,
            rank=rank if rank >= 0 else None,
            weight=category_weight(rank if rank >= 0 else None),
            threatened_in=sorted(threatened_in.get(node, ())),
        )


def code_version() -> str:
    """Hash of this module and its queries: a cached view is only reused by the code that made it."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name in QUERY_FILES:
        digest.update((QUERIES_DIR / f"{name}.rq").read_bytes())
    return digest.hexdigest()[:12]


_CACHE: dict[tuple[str, str], nx.MultiDiGraph] = {}
_CACHE_LOCK = threading.Lock()


def load(store: backend.StoreHandle | backend.RemoteHandle | str | Path) -> tuple[nx.MultiDiGraph, str]:
    """The view of the current build and its id: from memory, a pickle beside the build, or the store.

    ``store`` is a store handle (kg/store/layout.py: embedded or remote) or the embedded store's path."""
    handle = (
        cast(backend.StoreHandle | backend.RemoteHandle, store)  # a handle: it has a build
        if hasattr(store, "build_dir")
        else backend.StoreHandle(Path(store))
    )
    build = handle.build_dir()
    if build is None:
        raise kgstore.StoreMissing(f"no graph built at {handle.label}: run `amurkg build` first")
    key = (str(build), code_version())
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key], build.name
        # named after the build too: a build directory copied into a new one (a SPARQL update) never reuses it
        pickled = build / f"analytics-{build.name}-{key[1]}.pickle"
        graph = None
        if pickled.exists():
            try:
                graph = pickle.loads(pickled.read_bytes())
            except (OSError, pickle.UnpicklingError, EOFError):
                graph = None
        if graph is None:
            # the remote store answers the part of pyoxigraph's Store API the view's queries use (ADR 0007)
            graph = graph_from_store(cast(ox.Store, handle.get()))
            _write_pickle(pickled, graph)
        _CACHE.clear()  # one build at a time is enough: a rebuild retires the old view
        _CACHE[key] = graph
        return graph, build.name


def _write_pickle(path: Path, graph: nx.MultiDiGraph) -> None:
    # written beside the build, then renamed: concurrent workers never read half a pickle
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        tmp.write_bytes(pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
        for stale in path.parent.glob("analytics-*.pickle"):  # views made by older code
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:  # a read-only build directory: the memory cache still holds
        tmp.unlink(missing_ok=True)


# --- helpers ---------------------------------------------------------------------------------------------------


def placement_relations(possible: bool) -> tuple[str, ...]:
    """The species-ecoregion relations an analysis counts: recorded only, or recorded and possible."""
    return ("occursIn", "possiblyOccursIn") if possible else ("occursIn",)


def _without_possible(graph: nx.MultiDiGraph, possible: bool) -> nx.MultiDiGraph:
    """The view as an analysis sees it: without the possible placements unless they are asked for."""
    if possible:
        return graph
    return nx.subgraph_view(graph, filter_edge=lambda s, o, key: key != "possiblyOccursIn")


def nodes_of(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    return [n for n, d in graph.nodes(data=True) if d["kind"] == kind]


def _sources(graph: nx.MultiDiGraph, node: str, relation: str, kind: str | None = None) -> set[str]:
    """Nodes linked to ``node`` by ``relation`` (subject side)."""
    return {
        s
        for s, _, k in graph.in_edges(node, keys=True)
        if k == relation and (kind is None or graph.nodes[s]["kind"] == kind)
    }


def _targets(graph: nx.MultiDiGraph, node: str, relation: str) -> set[str]:
    return {o for _, o, k in graph.out_edges(node, keys=True) if k == relation}


def is_threatened(graph: nx.MultiDiGraph, node: str) -> bool:
    return graph.nodes[node].get("category") in THREATENED


def display(graph: nx.MultiDiGraph, node: str) -> str:
    data = graph.nodes[node]
    if data["kind"] in ("threat", "action", "ecoregion") and data["notation"]:
        return f"{data['notation']} {data['label']}"
    label: str = data["label"]
    return label


def _ancestors(graph: nx.MultiDiGraph, concept: str) -> list[str]:
    """The concept and its broader concepts, nearest first."""
    seen = [concept]
    for node in seen:
        for parent in sorted(_targets(graph, node, "broader")):
            if parent not in seen:
                seen.append(parent)
    return seen


def addressed_by(graph: nx.MultiDiGraph, threat: str) -> list[str]:
    """Initiatives and IUCN actions addressing the threat or a broader threat that contains it."""
    found: list[str] = []
    for concept in _ancestors(graph, threat):
        for node in sorted(_sources(graph, concept, "addressesThreat") | _sources(graph, concept, "actionAddresses")):
            if node not in found:
                found.append(node)
    return found


# --- analyses --------------------------------------------------------------------------------------------------


def threat_exposure(graph: nx.MultiDiGraph) -> Analysis:
    """IUCN threats ranked by the species they affect, weighted by red-list category; direct and inferred apart."""
    rows = []
    for threat in nodes_of(graph, "threat"):
        direct = _sources(graph, threat, "threatenedBy", "species")
        inferred = _sources(graph, threat, "inferredThreat", "species")
        either = direct | inferred
        if not either:
            continue
        rows.append(
            {
                "threat": threat,
                "code": graph.nodes[threat]["notation"],
                "label": graph.nodes[threat]["label"],
                # which species the inference may link to this threat (the applicability table's row, as built)
                "inferred_on": graph.nodes[threat].get("inferred_on") or "no species (no row in the table)",
                "direct_species": len(direct),
                "direct_threatened": sum(is_threatened(graph, s) for s in direct),
                "direct_score": sum(graph.nodes[s]["weight"] for s in direct),
                "inferred_species": len(inferred),
                "inferred_threatened": sum(is_threatened(graph, s) for s in inferred),
                "inferred_score": sum(graph.nodes[s]["weight"] for s in inferred),
                "species": len(either),
                "threatened": sum(is_threatened(graph, s) for s in either),
                "score": sum(graph.nodes[s]["weight"] for s in either),
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["species"], r["code"]))
    return Analysis(
        "threats",
        {"threats": rows},
        [
            "score = sum over the species exposed (directly or by inference, each once) of 1 + the red-list "
            "category's rank (LC 1, NT 2, VU 3, EN 4, CR 5; DD, NE and unassessed 1)",
            "a species is weighed by its global IUCN category, else by its worst national category (China red "
            "list for plants)",
            "direct = amur:threatenedBy (curated); inferred = amur:inferredThreat (the species is recorded, with "
            "medium or high confidence, in an ecoregion exposed to the threat)",
            "inferred_on: the kind of organism the threat can act on (amur:inferredOn, stated by the build from "
            "ingest/curated/threat_applicability.yml); no threat is inferred for other species, and none whose IUCN "
            "definition is that the species is the target",
        ],
    )


def conservation_gaps(graph: nx.MultiDiGraph, possible: bool = False) -> Analysis:
    """Exposed threats nobody addresses, threatened species whose threats nobody addresses, ecoregions left out."""
    exposure = threat_exposure(graph).tables["threats"]
    threats = [
        {k: r[k] for k in ("threat", "code", "label", "species", "threatened", "score")}
        for r in exposure
        if not addressed_by(graph, r["threat"])
    ]

    species_rows = []
    for species in nodes_of(graph, "species"):
        if not is_threatened(graph, species):
            continue
        exposed = _targets(graph, species, "threatenedBy") | _targets(graph, species, "inferredThreat")
        if exposed and not any(addressed_by(graph, t) for t in exposed):
            data = graph.nodes[species]
            species_rows.append(
                {
                    "species": species,
                    "name": data["label"],
                    "category": data["category"],
                    "scope": data["category_scope"],
                    "threats": " ".join(sorted(graph.nodes[t]["notation"] for t in exposed)),
                }
            )
    species_rows.sort(key=lambda r: (-(graph.nodes[r["species"]]["rank"] or 0), r["name"]))

    ecoregion_rows = []
    for ecoregion in nodes_of(graph, "ecoregion"):
        if _sources(graph, ecoregion, "concernsEcoregion"):
            continue
        placed: set[str] = set().union(
            *(_sources(graph, ecoregion, r, "species") for r in placement_relations(possible))
        )
        threatened = [s for s in placed if is_threatened(graph, s)]
        if threatened:
            global_list = sum(1 for s in threatened if graph.nodes[s]["category_scope"] == "global")
            ecoregion_rows.append(
                {
                    "ecoregion": ecoregion,
                    "code": graph.nodes[ecoregion]["notation"],
                    "label": graph.nodes[ecoregion]["label"],
                    "threatened_species": len(threatened),
                    # which list each count comes from: global IUCN, else a national list (CBRL)
                    "threatened_iucn": global_list,
                    "threatened_national": len(threatened) - global_list,
                    "species": len(placed),
                }
            )
    ecoregion_rows.sort(key=lambda r: (-r["threatened_species"], r["code"]))

    # legal protection (China's 2021 lists, CITES as of 2017-04-21) against placement and red-list status
    protected_unrecorded, threatened_unprotected = [], []
    for species in nodes_of(graph, "species"):
        data = graph.nodes[species]
        protection = data.get("protection") or []
        if protection and not _targets(graph, species, "occursIn"):
            protected_unrecorded.append(
                {
                    "species": species,
                    "name": data["label"],
                    "group": data["group"],
                    "protection": ", ".join(protection),
                    "possible_ecoregions": len(_targets(graph, species, "possiblyOccursIn")),
                }
            )
        if data.get("threatened_in") and not protection:
            threatened_unprotected.append(
                {
                    "species": species,
                    "name": data["label"],
                    "group": data["group"],
                    "threatened": ", ".join(data["threatened_in"]),
                }
            )
    protected_unrecorded.sort(key=lambda r: (r["group"] or "", r["name"]))
    threatened_unprotected.sort(key=lambda r: (-(graph.nodes[r["species"]]["rank"] or 0), r["name"]))
    return Analysis(
        "gaps",
        {
            "unaddressed_threats": threats,
            "unaddressed_species": species_rows,
            "ecoregions_without_initiative": ecoregion_rows,
            "protected_without_recorded_ecoregion": protected_unrecorded,
            "threatened_not_protected": threatened_unprotected,
        },
        [
            "a threat is addressed when an initiative (amur:addressesThreat) or an IUCN conservation action "
            "(amur:actionAddresses) names it or a broader threat containing it",
            "unaddressed_threats: threats with exposed species (direct or inferred) that nothing addresses, by score",
            "unaddressed_species: CR/EN/VU species with at least one threat, none of them addressed",
            "ecoregions_without_initiative: ecoregions with CR/EN/VU species and no amur:concernsEcoregion initiative; "
            "threatened_iucn counts those threatened by their global IUCN category, threatened_national those "
            "threatened by a national list only (the China Red List 2020 for plants); a species assessed by neither "
            "is not threatened",
            "protected_without_recorded_ecoregion: species on China's 2021 protection lists or in the CITES appendices "
            "(as of 2017-04-21) that no placement of medium or high confidence records in an ecoregion "
            "(possible_ecoregions: how many low-confidence placements they have)",
            "threatened_not_protected: species assessed CR/EN/VU by IUCN (global) or a national red list (CN: China "
            "Biodiversity Red List) with no legal protection or trade listing in the graph (a species the graph holds "
            "under a name no list row joined may still be protected: docs/data.md)",
            "species of an ecoregion: " + _placement_note(possible),
        ],
    )


def _placement_note(possible: bool) -> str:
    if possible:
        return "recorded (amur:occursIn) and possible (amur:possiblyOccursIn) placements"
    return "recorded placements only (amur:occursIn, medium or high confidence); possible=true adds the possible ones"


def ecoregion_similarity(graph: nx.MultiDiGraph, possible: bool = False) -> Analysis:
    """Jaccard similarity of the ecoregions' species sets (bipartite projection), clustered by Louvain."""
    ecoregions = sorted(nodes_of(graph, "ecoregion"), key=lambda e: graph.nodes[e]["notation"])
    bipartite = nx.Graph()
    bipartite.add_nodes_from(ecoregions)
    bipartite.add_edges_from(
        (s, e)
        for s, e, k in graph.edges(keys=True)
        if k in placement_relations(possible) and graph.nodes[s]["kind"] == "species" and e in bipartite
    )
    projection = nx.bipartite.overlap_weighted_projected_graph(bipartite, ecoregions, jaccard=True)
    pairs = []
    for a, b in itertools.combinations(ecoregions, 2):
        shared = len(set(bipartite[a]) & set(bipartite[b]))
        union = len(set(bipartite[a]) | set(bipartite[b]))
        jaccard = projection[a][b]["weight"] if projection.has_edge(a, b) else 0.0
        pairs.append(
            {
                "a": graph.nodes[a]["notation"],
                "b": graph.nodes[b]["notation"],
                "a_label": graph.nodes[a]["label"],
                "b_label": graph.nodes[b]["label"],
                "shared_species": shared,
                "union_species": union,
                "jaccard": round(jaccard, 4),
            }
        )
    pairs.sort(key=lambda r: (-r["jaccard"], r["a"], r["b"]))
    communities = nx.community.louvain_communities(projection, weight="weight", seed=SEED)
    communities = sorted(
        (sorted(c, key=lambda e: graph.nodes[e]["notation"]) for c in communities),
        key=lambda c: (-len(c), graph.nodes[c[0]]["notation"]),
    )
    clusters = []
    for number, members in enumerate(communities, start=1):
        for ecoregion in members:
            clusters.append(
                {
                    "cluster": number,
                    "code": graph.nodes[ecoregion]["notation"],
                    "label": graph.nodes[ecoregion]["label"],
                    "species": bipartite.degree(ecoregion),
                }
            )
    codes = [graph.nodes[e]["notation"] for e in ecoregions]
    matrix = [
        [
            1.0 if a == b else round(projection[a][b]["weight"], 4) if projection.has_edge(a, b) else 0.0
            for b in ecoregions
        ]
        for a in ecoregions
    ]
    return Analysis(
        "similarity",
        {"pairs": pairs, "clusters": clusters},
        [
            "jaccard = species in both ecoregions / species in either; " + _placement_note(possible),
            f"clusters: Louvain communities of the projection weighted by Jaccard (networkx, seed {SEED})",
        ],
        extra={"matrix": {"codes": codes, "labels": [graph.nodes[e]["label"] for e in ecoregions], "values": matrix}},
    )


def _betweenness(graph: nx.MultiDiGraph, undirected: nx.Graph, samples: int, possible: bool) -> dict[str, float]:
    # kept on the view itself: a view is never changed once built, and one view per build is cached
    cache = graph.graph.setdefault("betweenness", {})
    if (samples, possible) not in cache:
        k = samples if samples < undirected.number_of_nodes() else None
        cache[samples, possible] = nx.betweenness_centrality(undirected, k=k, seed=SEED)
    betweenness: dict[str, float] = cache[samples, possible]
    return betweenness


def key_nodes(
    graph: nx.MultiDiGraph, top: int = 10, samples: int = BETWEENNESS_SAMPLES, possible: bool = False
) -> Analysis:
    """The species, threats and ecoregions with the highest betweenness and degree centrality."""
    undirected = nx.Graph(_without_possible(graph, possible))  # either direction, parallel relations merged
    degree = nx.degree_centrality(undirected)
    betweenness = _betweenness(graph, undirected, samples, possible)
    exact = samples >= undirected.number_of_nodes()
    rows = []
    for kind in ("species", "threat", "ecoregion"):
        members = nodes_of(graph, kind)
        for measure, values in (("betweenness", betweenness), ("degree", degree)):
            ranked = sorted(members, key=lambda n: (-values[n], display(graph, n)))[:top]
            for position, node in enumerate(ranked, start=1):
                rows.append(
                    {
                        "kind": kind,
                        "measure": measure,
                        "rank": position,
                        "node": node,
                        "label": display(graph, node),
                        "degree": undirected.degree(node),
                        "degree_centrality": round(degree[node], 6),
                        "betweenness": round(betweenness[node], 6),
                    }
                )
    note = (
        "betweenness: exact"
        if exact
        else f"betweenness: approximate, from {samples} sampled source nodes (networkx k={samples}, seed {SEED}) "
        f"of {undirected.number_of_nodes()}"
    )
    return Analysis(
        "centrality",
        {"key_nodes": rows},
        [
            f"computed on the whole view as an undirected graph: {undirected.number_of_nodes()} nodes, "
            f"{undirected.number_of_edges()} links (species, higher taxa, ecoregions, threats, actions, initiatives)",
            note,
            "degree centrality: share of the other nodes a node is linked to",
            "species-ecoregion links: " + _placement_note(possible),
        ],
    )


# --- names and paths --------------------------------------------------------------------------------------------


def expand(text: str) -> str:
    """A prefixed name (ak:taxon/panthera-tigris) as a full IRI; anything else unchanged."""
    match = re.fullmatch(r"([a-z]+):(\S+)", text.strip())
    if match and match.group(1) in prefix_map() and not text.startswith(("http:", "https:")):
        return prefix_map()[match.group(1)] + match.group(2)
    return text.strip()


def resolve(graph: nx.MultiDiGraph, text: str) -> str:
    """The node named by an IRI, a scientific name, a label or a notation (exact, then prefix, then substring)."""
    iri = expand(text.strip("<>"))
    if iri in graph:
        return iri
    wanted = text.strip().casefold()
    if not wanted:
        raise NotFound("empty name")

    def names(node: str) -> list[str]:
        data = graph.nodes[node]
        return [v.casefold() for v in (data["label"], data["name"], data["notation"], display(graph, node)) if v]

    for test in (lambda n: n == wanted, lambda n: n.startswith(wanted), lambda n: wanted in n):
        found: list[str] = sorted(node for node in graph if any(test(name) for name in names(node)))
        if len(found) == 1:
            return found[0]
        if found:
            shown = ", ".join(f"{display(graph, n)} <{n}>" for n in found[:10])
            more = f" and {len(found) - 10} more" if len(found) > 10 else ""
            raise NotFound(f"{text!r} is ambiguous: {shown}{more}; give the IRI")
    raise NotFound(f"no species, taxon, ecoregion, threat, action or initiative is named {text!r}")


def _link_graph(graph: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple view for path search; each link costs 2 - confidence (curated 1, low 1.7)."""
    links = nx.Graph()
    for s, o, relation, data in graph.edges(keys=True, data=True):
        cost = 2.0 - data["confidence"]
        if links.has_edge(s, o):
            links[s][o]["links"].append((s, relation, o))
            links[s][o]["cost"] = min(links[s][o]["cost"], cost)
        else:
            links.add_edge(s, o, links=[(s, relation, o)], cost=cost)
    return links


PATHS_ENUMERATED = 2000


def connection_paths(graph: nx.MultiDiGraph, a: str, b: str, limit: int = 5, possible: bool = False) -> Analysis:
    """How two nodes are linked: the shortest paths, one per pattern of relations, every link spelt out.

    Shortest paths between a species and an initiative often differ only in which of a dozen ecoregions they
    pass through; they are grouped by pattern (the relations and the kinds of node passed), and each pattern
    is shown by its most confident path with the number of alternatives.
    """
    start, end = resolve(graph, a), resolve(graph, b)
    links = _link_graph(_without_possible(graph, possible))
    patterns: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
    enumerated = 0
    if start != end and nx.has_path(links, start, end):
        for nodes in itertools.islice(nx.all_shortest_paths(links, start, end), PATHS_ENUMERATED):
            enumerated += 1
            path = _describe(graph, links, nodes)
            pattern = patterns.setdefault(path["pattern"], {**path, "alternatives": 0})
            pattern["alternatives"] += 1
            if path["cost"] < pattern["cost"]:
                pattern.update(path, alternatives=pattern["alternatives"])
    paths = sorted(patterns.values(), key=lambda p: (p["cost"], p["text"]))[:limit]
    rows = [
        {"path": i, "length": p["length"], "alternatives": p["alternatives"], "text": p["text"]}
        for i, p in enumerate(paths, start=1)
    ]
    notes = [
        f"from {display(graph, start)} <{start}> to {display(graph, end)} <{end}>",
        "shortest paths (fewest links, in either direction), grouped by pattern of relations and node kinds; "
        "each pattern is shown by its most confident path (a link costs 2 - its confidence: curated and high "
        "1, medium 1.4, low 1.7) with the number of shortest paths of that pattern",
        "species-ecoregion links: " + _placement_note(possible),
    ]
    if enumerated >= PATHS_ENUMERATED:
        notes.append(f"only the first {PATHS_ENUMERATED} shortest paths were examined")
    return Analysis("path", {"paths": rows}, notes, extra={"from": start, "to": end, "paths": paths})


def _describe(graph: nx.MultiDiGraph, links: nx.Graph, nodes: list[str]) -> dict[str, Any]:
    hops, text, pattern, cost = [], [display(graph, nodes[0])], [], 0.0
    for left, right in itertools.pairwise(nodes):
        phrases = []
        for s, relation, o in sorted(links[left][right]["links"]):
            forward, backward = RELATIONS[relation]
            phrase = forward if s == left else backward
            phrases.append(phrase)
            hops.append(
                {
                    "from": left,
                    "from_label": display(graph, left),
                    "relation": relation,
                    "direction": "forward" if s == left else "backward",
                    "phrase": phrase,
                    "to": right,
                    "to_label": display(graph, right),
                    "confidence": graph.edges[s, o, relation]["confidence"],
                }
            )
        cost += links[left][right]["cost"]
        text.append(f"—[{' / '.join(phrases)}]→ {display(graph, right)}")
        pattern.append((" / ".join(phrases), graph.nodes[right]["kind"]))
    return {
        "length": len(nodes) - 1,
        "cost": round(cost, 3),
        "text": " ".join(text),
        "hops": hops,
        "pattern": tuple(pattern),
        "nodes": nodes,
    }


def run(graph: nx.MultiDiGraph, name: str, *args: str, **options: int | bool) -> Analysis:
    analyses: dict[str, Callable[..., Analysis]] = {
        "threats": threat_exposure,
        "gaps": conservation_gaps,
        "similarity": ecoregion_similarity,
        "centrality": key_nodes,
        "path": connection_paths,
    }
    return analyses[name](graph, *args, **options)


# --- output -----------------------------------------------------------------------------------------------------


def _cells(row: dict[str, Any]) -> list[str]:
    return ["" if v is None else str(v) for v in row.values()]


def as_table(analysis: Analysis, width: int = 60) -> str:
    out = []
    for name, rows in analysis.tables.items():
        if len(analysis.tables) > 1:
            out.append(f"== {name}")
        if not rows:
            out.append("(none)")
            continue
        # IRIs are long and repeat the label: the table shows labels, json and csv keep both
        columns = [c for c in rows[0] if not str(rows[0][c]).startswith(("http://", "https://"))]
        # the last column (a path's text, a label) is never cut
        cells = [
            [("" if r[c] is None else str(r[c]))[: None if c == columns[-1] else width] for c in columns] for r in rows
        ]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
        out.append("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
        out.extend("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells)
    out.extend(f"# {note}" for note in analysis.notes)
    return "\n".join(out)


def as_csv(analysis: Analysis) -> str:
    """CSV of the tables; several tables are written one after the other, each after a '# name' line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, rows in analysis.tables.items():
        if len(analysis.tables) > 1:
            buffer.write(f"# {name}\n")
        if rows:
            writer.writerow(rows[0].keys())
            writer.writerows(_cells(r) for r in rows)
    return buffer.getvalue()
