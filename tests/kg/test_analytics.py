"""Network analytics: each analysis on a hand-made graph with known answers, then on the real graph, where its
counts must agree exactly with equivalent SPARQL queries; the `analyze` command and the HTTP API and pages."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import analytics
from kg.cli import main
from kg.query import QUERIES_DIR, with_prefixes
from kg.store import layout as kgstore

SMALL = Path(__file__).resolve().parents[1] / "data" / "analytics" / "small.ttl"
AK = "https://w3id.org/amurkg/"


# --- the hand-made graph ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    store = ox.Store()
    store.load(path=str(SMALL), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(AK + "graph/test"))
    return analytics.graph_from_store(store)


def test_view_is_typed_and_weighted(small):
    kinds = {kind: len(analytics.nodes_of(small, kind)) for kind in analytics.KINDS}
    assert kinds == {"species": 5, "taxon": 1, "ecoregion": 4, "threat": 4, "action": 2, "initiative": 1}
    alpha, beta = small.nodes[AK + "taxon/alpha-one"], small.nodes[AK + "taxon/beta-two"]
    # the global category wins over a national one; without a global one the national one counts
    assert (alpha["category"], alpha["category_scope"], alpha["weight"]) == ("CR", "global", 5)
    assert (beta["category"], beta["category_scope"], beta["weight"]) == ("EN", "CN", 4)
    assert small.nodes[AK + "taxon/delta-four"]["weight"] == 1
    occurs = small.edges[AK + "taxon/alpha-one", AK + "ecoregion/PA0001", "occursIn"]
    assert occurs["confidence"] == 0.3
    assert small.edges[AK + "taxon/alpha-one", AK + "ecoregion/PA0002", "occursIn"]["confidence"] == 1.0
    assert small.has_edge(AK + "threat/1.1", AK + "threat/1", "broader")


def test_threat_exposure_small(small):
    rows = analytics.threat_exposure(small).tables["threats"]
    got = [
        (
            r["code"],
            r["direct_species"],
            r["direct_score"],
            r["inferred_species"],
            r["inferred_score"],
            r["species"],
            r["threatened"],
            r["score"],
        )
        for r in rows
    ]
    assert got == [
        ("2", 1, 4, 2, 6, 3, 2, 10),  # B direct (EN 4); A (CR 5) and C (LC 1) inferred
        ("1.1", 1, 5, 0, 0, 1, 1, 5),  # A direct
        ("3", 0, 0, 2, 4, 2, 1, 4),  # F (VU 3) and D (unassessed 1) inferred
    ]


def test_threat_exposure_shows_the_stored_kind(small):
    # "inferred_on" is read from the graph (amur:inferredOn, in English), never from the source tree's table
    rows = {r["code"]: r["inferred_on"] for r in analytics.threat_exposure(small).tables["threats"]}
    assert rows == {"2": "every species", "1.1": "no species (no row in the table)", "3": "plants"}
    assert small.nodes[AK + "threat/3"]["inferred_on"] == "plants"
    assert small.nodes[AK + "threat/1"]["inferred_on"] is None


def test_conservation_gaps_small(small):
    gaps = analytics.conservation_gaps(small).tables
    # 1.1 is addressed through its broader threat 1, 3 by the IUCN action 2; 2 by nothing
    assert [r["code"] for r in gaps["unaddressed_threats"]] == ["2"]
    # A has the addressed 1.1, F the addressed 3: only B is left
    assert [(r["name"], r["category"], r["threats"]) for r in gaps["unaddressed_species"]] == [("Beta two", "EN", "2")]
    # PA0001 has the initiative, FW-XX has no threatened species
    assert [(r["code"], r["threatened_species"], r["species"]) for r in gaps["ecoregions_without_initiative"]] == [
        ("PA0002", 2, 3),
        ("PA0003", 1, 2),
    ]
    # every protected species (Alpha one, CITES I) is recorded somewhere; B (EN in China) and F (VU) are threatened
    # and on no list
    assert gaps["protected_without_recorded_ecoregion"] == []
    assert [(r["name"], r["threatened"]) for r in gaps["threatened_not_protected"]] == [
        ("Beta two", "CN EN"),
        ("Phi five", "IUCN VU"),
    ]


def test_ecoregion_similarity_small(small):
    result = analytics.ecoregion_similarity(small)
    pairs = {(r["a"], r["b"]): (r["shared_species"], r["union_species"], r["jaccard"]) for r in result.tables["pairs"]}
    assert pairs[("PA0001", "PA0002")] == (3, 3, 1.0)
    assert pairs[("FW-XX", "PA0003")] == (1, 2, 0.5)
    assert pairs[("PA0001", "PA0003")] == (0, 5, 0.0)
    assert len(pairs) == 6
    clusters: dict[int, set[str]] = {}
    for row in result.tables["clusters"]:
        clusters.setdefault(row["cluster"], set()).add(row["code"])
    assert sorted(map(sorted, clusters.values())) == [["FW-XX", "PA0003"], ["PA0001", "PA0002"]]
    matrix = result.extra["matrix"]
    assert matrix["codes"] == ["FW-XX", "PA0001", "PA0002", "PA0003"]
    assert matrix["values"][0] == [1.0, 0.0, 0.0, 0.5]


def test_key_nodes_small(small):
    result = analytics.key_nodes(small, top=2)
    rows = {(r["kind"], r["measure"], r["rank"]): r for r in result.tables["key_nodes"]}
    top_ecoregion = rows[("ecoregion", "degree", 1)]
    assert (top_ecoregion["label"], top_ecoregion["degree"]) == ("PA0001 First forests", 4)
    assert top_ecoregion["degree_centrality"] == pytest.approx(4 / 16)
    assert rows[("species", "degree", 1)]["label"] == "Alpha one"
    assert any(note == "betweenness: exact" for note in result.notes)  # 17 nodes: no sampling
    # Phi five lies on one of the two shortest paths PA0003-3 and PA0003-action 2: 1.0, normalised by 2/(16*15)
    full = analytics.key_nodes(small, top=10).tables["key_nodes"]
    phi = next(r for r in full if r["label"] == "Phi five" and r["measure"] == "betweenness")
    assert phi["betweenness"] == pytest.approx(2 / 240, abs=1e-6)
    rivers = next(r for r in full if r["label"] == "FW-XX Some rivers" and r["measure"] == "betweenness")
    assert rivers["betweenness"] == 0


def test_paths_small(small):
    result = analytics.connection_paths(small, "Alpha one", "Initiative one")
    assert result.tables["paths"] == [
        {
            "path": 1,
            "length": 2,
            "alternatives": 1,
            "text": "Alpha one —[occurs in]→ PA0001 First forests —[is worked in by]→ Initiative one",
        }
    ]
    hops = result.extra["paths"][0]["hops"]
    assert [(h["relation"], h["direction"]) for h in hops] == [
        ("occursIn", "forward"),
        ("concernsEcoregion", "backward"),
    ]
    # three patterns; of the two ecoregion paths the confident one (PA0002, not the low PA0001) is shown
    other = analytics.connection_paths(small, f"{AK}taxon/alpha-one", "ak:taxon/alpha-three").tables["paths"]
    assert [r["text"] for r in other] == [
        "Alpha one —[belongs to]→ Alpha —[contains]→ Alpha three",
        "Alpha one —[is exposed (inferred via its ecoregions) to]→ 2 Threat two "
        "—[is inferred to threaten]→ Alpha three",
        "Alpha one —[occurs in]→ PA0002 Second forests —[is the range of]→ Alpha three",
    ]
    assert other[2]["alternatives"] == 2
    # no path between separate components
    assert analytics.connection_paths(small, "Alpha one", "Phi five").tables["paths"] == []


def test_possible_placements_only_on_request_small(small):
    # Phi five possibly occurs in PA0001 (low confidence only): left out by default, counted with possible=True
    assert small.edges[AK + "taxon/phi-five", AK + "ecoregion/PA0001", "possiblyOccursIn"]["confidence"] == 0.3

    def pair(**options):
        rows = analytics.ecoregion_similarity(small, **options).tables["pairs"]
        return next(
            (r["shared_species"], r["union_species"], r["jaccard"])
            for r in rows
            if (r["a"], r["b"]) == ("PA0001", "PA0003")
        )

    assert pair() == (0, 5, 0.0)
    assert pair(possible=True) == (1, 5, 0.2)
    assert analytics.connection_paths(small, "Alpha one", "Phi five").tables["paths"] == []
    assert [
        r["text"] for r in analytics.connection_paths(small, "Alpha one", "Phi five", possible=True).tables["paths"]
    ] == ["Alpha one —[occurs in]→ PA0001 First forests —[is possibly the range of]→ Phi five"]

    def degree(**options):
        rows = analytics.key_nodes(small, top=1, **options).tables["key_nodes"]
        return next(r["degree"] for r in rows if r["kind"] == "ecoregion" and r["measure"] == "degree")

    assert (degree(), degree(possible=True)) == (4, 5)


def test_resolve_names(small):
    assert analytics.resolve(small, "Alpha one Linnaeus, 1758") == AK + "taxon/alpha-one"  # with authorship
    assert analytics.resolve(small, "second forests") == AK + "ecoregion/PA0002"  # label, any case
    assert analytics.resolve(small, "PA0003") == AK + "ecoregion/PA0003"  # notation
    assert analytics.resolve(small, "Initiative") == AK + "initiative/one"  # unique prefix
    with pytest.raises(analytics.NotFound, match="ambiguous"):
        analytics.resolve(small, "1")  # threat 1 and action 1
    with pytest.raises(analytics.NotFound, match="no species"):
        analytics.resolve(small, "Panthera tigris")


def test_output_formats(small):
    result = analytics.conservation_gaps(small)
    text = analytics.as_table(result)
    assert "== unaddressed_species" in text and "Beta two" in text and "https://" not in text.split("#")[0]
    sections = analytics.as_csv(result).split("# ")[1:]
    assert [s.splitlines()[0] for s in sections] == [
        "unaddressed_threats",
        "unaddressed_species",
        "ecoregions_without_initiative",
        "protected_without_recorded_ecoregion",
        "threatened_not_protected",
    ]
    rows = list(csv.DictReader(io.StringIO(sections[1].split("\n", 1)[1])))
    assert rows == [
        {"species": AK + "taxon/beta-two", "name": "Beta two", "category": "EN", "scope": "CN", "threats": "2"}
    ]


# --- the real graph, cross-checked with SPARQL -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(built_store):
    graph, build_id = analytics.load(built_store)
    return graph, kgstore.open_read_only(built_store)


def _select(store: ox.Store, query: str) -> list[dict]:
    result = store.query(with_prefixes(query), use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in result]


def _counts(store: ox.Store, by: str, query: str) -> dict[str, int]:
    """The query's count ?n by its ``by`` variable."""
    return {row[by]: int(row["n"]) for row in _select(store, query)}


def _column(store: ox.Store, name: str, query: str) -> list[str]:
    """The values of the query's variable ``name``, in the order of its solutions."""
    return [row[name] for row in _select(store, query)]


def _named(name: str) -> str:
    return (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


# 1 + the rank of the species' global category, else of its worst national one (as the analytics weigh it)
EFFECTIVE_RANK = """
  { SELECT ?species (IF(BOUND(?global), COALESCE(MAX(?globalRank), -1), COALESCE(MAX(?nationalRank), -1)) AS ?rank)
    WHERE {
      ?species dwc:taxonRank "species" .
      OPTIONAL { ?species amur:redListCategory ?global . OPTIONAL { ?global amur:categoryRank ?globalRank } }
      OPTIONAL { ?species amur:assessment ?assessment .
                 ?assessment amur:scope ?scope ; amur:category/amur:categoryRank ?nationalRank .
                 FILTER(?scope != <https://w3id.org/amurkg/scope/global>) }
    } GROUP BY ?species ?global }
"""


def test_view_counts_match_sparql(real):
    graph, store = real
    expected = _counts(
        store,
        "kind",
        """
        SELECT ?kind (COUNT(DISTINCT ?node) AS ?n) WHERE {
          { ?node a dwc:Taxon ; dwc:taxonRank ?rank . BIND(IF(?rank = "species", "species", "taxon") AS ?kind) }
          UNION { VALUES (?class ?kind) { (amur:TerrestrialEcoregion "ecoregion") (amur:FreshwaterEcoregion "ecoregion")
                  (amur:Threat "threat") (amur:ConservationAction "action") (amur:ConservationInitiative "initiative") }
                  ?node a ?class }
        } GROUP BY ?kind""",
    )
    assert {kind: len(analytics.nodes_of(graph, kind)) for kind in analytics.KINDS} == expected
    occurs = _select(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?e WHERE { ?s amur:occursIn ?e } }")
    assert sum(1 for _, _, k in graph.edges(keys=True) if k == "occursIn") == int(occurs[0]["n"])


def test_threat_exposure_matches_sparql(real):
    graph, store = real
    ours = [
        (r["code"], r["direct_species"], r["inferred_species"], r["species"], r["score"])
        for r in analytics.threat_exposure(graph).tables["threats"]
    ]
    theirs = [
        (r["code"], int(r["direct_species"]), int(r["inferred_species"]), int(r["species"]), int(r["score"]))
        for r in _select(store, _named("analytics-threat-exposure"))
    ]
    assert ours and ours == theirs
    threatened = _counts(
        store,
        "code",
        """
        SELECT ?code (COUNT(DISTINCT ?species) AS ?n) WHERE {
          ?species amur:threatenedBy|amur:inferredThreat ?threat . ?threat a amur:Threat ; skos:notation ?code .
        """
        + EFFECTIVE_RANK
        + """ FILTER(?rank IN (2, 3, 4)) } GROUP BY ?code""",
    )
    assert {
        r["code"]: r["threatened"] for r in analytics.threat_exposure(graph).tables["threats"] if r["threatened"]
    } == threatened


def test_threat_exposure_follows_the_applicability_table(real):
    # the ranking counts only inferred links the table allows: no plant hunted (5.1), no animal gathered (5.2),
    # no "species is the target" code (5.x.1) inferred for anyone
    from ingest import threat_applicability

    graph, _ = real
    table = threat_applicability.load()
    rows = analytics.threat_exposure(graph).tables["threats"]
    assert rows
    for row in rows:
        rule = table.rule_for(row["code"])
        assert row["inferred_on"] == (rule.kind.label if rule else "no species (no row in the table)")
        inferred = analytics._sources(graph, row["threat"], "inferredThreat", "species")
        groups = {graph.nodes[s]["group"] for s in inferred}
        if rule is None or not (rule.kind.groups or rule.kind.families or rule.kind.genera):
            assert not groups, row["code"]
        elif not (rule.kind.families or rule.kind.genera):
            assert groups <= rule.kind.groups, row["code"]
        if re.fullmatch(r"5\.\d+\.1", row["code"]):
            assert row["inferred_species"] == 0, row["code"]
        if row["code"].startswith(("5.1", "5.4")):
            assert "plant" not in groups
        if row["code"].startswith("5.2"):
            assert groups <= {"plant"}


def test_conservation_gaps_match_sparql(real):
    graph, store = real
    gaps = analytics.conservation_gaps(graph).tables
    unaddressed = _column(
        store,
        "code",
        """
        SELECT DISTINCT ?code WHERE {
          ?threat a amur:Threat ; skos:notation ?code .
          FILTER EXISTS { ?species amur:threatenedBy|amur:inferredThreat ?threat ; dwc:taxonRank "species" }
          FILTER NOT EXISTS { ?by amur:addressesThreat|amur:actionAddresses ?threat }
          FILTER NOT EXISTS { ?threat skos:broaderTransitive ?broader .
                              ?by amur:addressesThreat|amur:actionAddresses ?broader }
        }""",
    )
    assert sorted(r["code"] for r in gaps["unaddressed_threats"]) == sorted(unaddressed)
    species = _column(
        store,
        "species",
        """
        SELECT DISTINCT ?species WHERE {
          """
        + EFFECTIVE_RANK
        + """ FILTER(?rank IN (2, 3, 4))
          FILTER EXISTS { ?species amur:threatenedBy|amur:inferredThreat ?t . ?t a amur:Threat }
          FILTER NOT EXISTS {
            ?species amur:threatenedBy|amur:inferredThreat ?threat . ?threat a amur:Threat .
            { ?by amur:addressesThreat|amur:actionAddresses ?threat }
            UNION { ?threat skos:broaderTransitive ?broader . ?by amur:addressesThreat|amur:actionAddresses ?broader }
          }
        }""",
    )
    assert sorted(r["species"] for r in gaps["unaddressed_species"]) == sorted(species)
    per_ecoregion = _counts(
        store,
        "code",
        """
        SELECT ?code (COUNT(DISTINCT ?species) AS ?n) WHERE {
          ?species amur:occursIn ?ecoregion . ?ecoregion skos:notation ?code .
          """
        + EFFECTIVE_RANK
        + """ FILTER(?rank IN (2, 3, 4)) } GROUP BY ?code""",
    )
    ours = {
        graph.nodes[e]["notation"]: sum(
            analytics.is_threatened(graph, s) for s in graph.predecessors(e) if graph.has_edge(s, e, "occursIn")
        )
        for e in analytics.nodes_of(graph, "ecoregion")
    }
    assert {code: n for code, n in ours.items() if n} == per_ecoregion
    left_out = _column(
        store,
        "code",
        """
        SELECT DISTINCT ?code WHERE {
          ?species amur:occursIn ?ecoregion . ?ecoregion skos:notation ?code .
          """
        + EFFECTIVE_RANK
        + """ FILTER(?rank IN (2, 3, 4))
          FILTER NOT EXISTS { ?initiative amur:concernsEcoregion ?ecoregion } }""",
    )
    assert sorted(r["code"] for r in gaps["ecoregions_without_initiative"]) == sorted(left_out)
    protected = _column(
        store,
        "s",
        """
        SELECT DISTINCT ?s WHERE { ?s amur:protectionStatus ?p FILTER NOT EXISTS { ?s amur:occursIn ?e } }""",
    )
    assert sorted(r["species"] for r in gaps["protected_without_recorded_ecoregion"]) == sorted(protected)
    assert protected
    threatened = _column(
        store,
        "s",
        """
        SELECT DISTINCT ?s WHERE { ?s amur:assessment/amur:category/skos:notation ?c FILTER (?c IN ("CR", "EN", "VU"))
                                   FILTER NOT EXISTS { ?s amur:protectionStatus ?p } }""",
    )
    assert sorted(r["species"] for r in gaps["threatened_not_protected"]) == sorted(threatened)
    assert threatened


def test_similarity_matches_sparql(real):
    graph, store = real
    ours = {
        (r["a"], r["b"]): (r["shared_species"], r["union_species"], r["jaccard"])
        for r in analytics.ecoregion_similarity(graph).tables["pairs"]
    }
    theirs = {
        (r["a"], r["b"]): (int(r["shared_species"]), int(r["union_species"]), round(float(r["jaccard"]), 4))
        for r in _select(store, _named("analytics-ecoregion-overlap"))
    }
    assert len(ours) == 16 * 15 // 2
    assert ours == theirs


def test_degrees_match_sparql(real):
    graph, store = real
    degrees = _counts(
        store,
        "node",
        """
        SELECT ?node (COUNT(DISTINCT ?other) AS ?n) WHERE {
          VALUES ?class { amur:TerrestrialEcoregion amur:FreshwaterEcoregion amur:Threat }
          ?node a ?class .
          VALUES ?p { amur:occursIn amur:threatenedBy amur:inferredThreat amur:addressesThreat
                      amur:concernsEcoregion amur:actionAddresses skos:broader }
          { ?node ?p ?other } UNION { ?other ?p ?node }
          { ?other a dwc:Taxon } UNION { VALUES ?kind { amur:TerrestrialEcoregion amur:FreshwaterEcoregion amur:Threat
                                           amur:ConservationAction amur:ConservationInitiative } ?other a ?kind }
        } GROUP BY ?node""",
    )
    rows = analytics.key_nodes(graph, top=200).tables["key_nodes"]
    checked = {
        r["node"]: r["degree"] for r in rows if r["kind"] in ("ecoregion", "threat") and r["measure"] == "degree"
    }
    assert len(checked) == 16 + 130
    assert checked == {node: degrees.get(node, 0) for node in checked}
    notes = analytics.key_nodes(graph).notes
    assert any("approximate" in note and f"k={analytics.BETWEENNESS_SAMPLES}" in note for note in notes)


def test_path_hops_are_triples_of_the_store(real):
    graph, store = real
    result = analytics.connection_paths(graph, "Panthera tigris", "Econet-Green Belt")
    assert result.extra["to"] == AK + "initiative/econet-green-belt"
    paths = result.extra["paths"]
    assert paths and all(p["length"] == 2 for p in paths)
    predicates = {name: iri for name, iri in (("broader", "http://www.w3.org/2004/02/skos/core#broader"),)}
    for path in paths:
        for hop in path["hops"]:
            subject, obj = (hop["from"], hop["to"]) if hop["direction"] == "forward" else (hop["to"], hop["from"])
            predicate = predicates.get(hop["relation"], "https://w3id.org/amurkg/ontology#" + hop["relation"])
            ask = store.query(
                "ASK { ?s ?p ?o }",
                use_default_graph_as_union=True,
                substitutions={
                    ox.Variable("s"): ox.NamedNode(subject),
                    ox.Variable("p"): ox.NamedNode(predicate),
                    ox.Variable("o"): ox.NamedNode(obj),
                },
            )
            assert bool(ask), hop


def test_view_is_cached_per_build(built_store, real):
    graph, _ = real
    again, build_id = analytics.load(built_store)
    assert again is graph and build_id == kgstore.current_build(built_store).name
    pickles = list(kgstore.current_build(built_store).glob("analytics-*.pickle"))
    assert [p.name for p in pickles] == [f"analytics-{build_id}-{analytics.code_version()}.pickle"]
    analytics._CACHE.clear()  # a fresh process: the view comes back from the pickle
    reloaded, _ = analytics.load(built_store)
    assert reloaded is not graph
    assert reloaded.number_of_nodes() == graph.number_of_nodes()
    assert reloaded.number_of_edges() == graph.number_of_edges()


# --- the command line -------------------------------------------------------------------------------------------


def test_analyze_help():
    result = CliRunner().invoke(main, ["analyze", "--help"])
    assert result.exit_code == 0
    for command in ("threats", "gaps", "similarity", "centrality", "path"):
        assert command in result.output


def test_analyze_commands(built_store):
    runner = CliRunner()
    store = ["--store", str(built_store)]
    threats = runner.invoke(main, ["analyze", "threats", "--format", "json", *store])
    assert threats.exit_code == 0, threats.output
    body = json.loads(threats.output)
    assert body["analysis"] == "threats" and body["tables"]["threats"][0]["score"] > 0
    gaps = runner.invoke(main, ["analyze", "gaps", "--format", "csv", *store])
    assert gaps.exit_code == 0 and gaps.output.startswith("# unaddressed_threats\nthreat,code,label")
    similarity = runner.invoke(main, ["analyze", "similarity", *store])
    assert similarity.exit_code == 0 and "== clusters" in similarity.output
    centrality = runner.invoke(main, ["analyze", "centrality", "--top", "3", *store])
    assert centrality.exit_code == 0 and "approximate" in centrality.output
    path = runner.invoke(main, ["analyze", "path", "Panthera tigris", "Econet-Green Belt", *store])
    assert path.exit_code == 0, path.output
    assert "Panthera tigris —[occurs in]→" in path.output and "Econet-Green Belt protected-area network" in path.output


def test_analyze_path_unknown_name_fails(built_store):
    result = CliRunner().invoke(main, ["analyze", "path", "Nonexistent beast", "Econet", "--store", str(built_store)])
    assert result.exit_code == 2
    assert "no species" in result.output


# --- the API and the pages --------------------------------------------------------------------------------------


@pytest.fixture
def client(real_client):
    return real_client


def test_api(client, real):
    graph, _ = real
    index = client.get("/api/analytics/").get_json()
    assert set(index) == {"threats", "gaps", "similarity", "centrality", "path"}
    threats = client.get("/api/analytics/threats")
    assert threats.status_code == 200 and threats.headers["Access-Control-Allow-Origin"] == "*"
    assert threats.get_json()["tables"] == analytics.threat_exposure(graph).tables
    similarity = client.get("/api/analytics/similarity").get_json()
    assert len(similarity["matrix"]["codes"]) == 16
    centrality = client.get("/api/analytics/centrality", query_string={"top": 2}).get_json()
    assert len(centrality["tables"]["key_nodes"]) == 3 * 2 * 2
    path = client.get("/api/analytics/path", query_string={"from": "Panthera tigris", "to": "Econet-Green Belt"})
    assert path.status_code == 200 and path.get_json()["paths"][0]["hops"][0]["from_label"] == "Panthera tigris"
    assert client.get("/api/analytics/path", query_string={"from": "Panax ginseng"}).status_code == 400
    missing = client.get("/api/analytics/path", query_string={"from": "Nonexistent beast", "to": "Econet"})
    assert missing.status_code == 404 and "no species" in missing.get_json()["error"]
    assert client.get("/api/analytics/nothing").status_code == 404


def test_pages_with_charts(client):
    for name in ("threats", "gaps", "similarity", "centrality"):
        page = client.get(f"/analytics/{name}")
        assert page.status_code == 200, name
        html = page.get_data(as_text=True)
        assert "/static/vendor/chart.js/chart.umd.min.js" in html and 'id="chart-data"' in html
    # the charting library is served by the app itself (installed from npm by `make setup`), no CDN
    assert client.get("/static/vendor/chart.js/chart.umd.min.js").status_code == 200
    assert client.get("/static/analytics/charts.js").status_code == 200
    assert "Analytics" in client.get("/analytics/").get_data(as_text=True)


def test_threats_page_says_what_each_threat_is_inferred_on(client):
    html = client.get("/analytics/threats").get_data(as_text=True)
    assert "<th>inferred on</th>" in html
    assert "terrestrial animals" in html and "no species by inference" in html  # 5.1; 5.1.1 (the target)


def test_path_page(client):
    assert "<form" in client.get("/analytics/path").get_data(as_text=True)
    page = client.get("/analytics/path", query_string={"from": "Panthera tigris", "to": "Econet-Green Belt"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<a href="/taxon/panthera-tigris">Panthera tigris</a> <strong>occurs in</strong>' in html
    assert '<a href="/initiative/econet-green-belt">' in html
    unknown = client.get("/analytics/path", query_string={"from": "Nonexistent beast", "to": "Econet"})
    assert unknown.status_code == 404 and "no species" in unknown.get_data(as_text=True)


def test_path_page_through_possible_placements_on_request(client, real):
    _, store = real
    # a species placed only by low-confidence evidence, possibly in an ecoregion the initiative works in
    rows = _select(
        store,
        """SELECT ?name WHERE {
        ?t amur:possiblyOccursIn ?e ; amur:canonicalName ?name .
        <https://w3id.org/amurkg/initiative/econet-green-belt> amur:concernsEcoregion ?e .
        FILTER NOT EXISTS { ?t amur:occursIn ?any } } ORDER BY ?name LIMIT 1""",
    )
    assert rows
    name = rows[0]["name"]
    query = {"from": name, "to": "Econet-Green Belt"}
    default = client.get("/analytics/path", query_string=query).get_data(as_text=True)
    assert "<strong>possibly occurs in</strong>" not in default
    wider = client.get("/analytics/path", query_string=query | {"possible": "true"}).get_data(as_text=True)
    assert f"{name}</a> <strong>possibly occurs in</strong>" in wider
