"""Exports: the build's dumps (every RDF format re-parses to exactly the store's content), the Darwin Core
Archive read back with python-dwca-reader and checked row by row against the store, the CSV tables against
SPARQL counts, the JSON-LD compacted with the published context, and the `amurkg export` command."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import export as kx
from kg.cli import main
from kg.namespaces import HIGHER_RANKS, sparql_prefixes
from kg.store import layout as kgstore

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def store(built_store) -> ox.Store:
    return kgstore.open_read_only(built_store)


@pytest.fixture(scope="module")
def dumps(built_store) -> Path:
    return kgstore.current_build(built_store) / kx.DUMPS_DIR


@pytest.fixture(scope="module")
def manifest(built_store) -> dict:
    found = kx.read_dumps_manifest(kgstore.current_build(built_store))
    assert found is not None, "the build wrote no dumps.json"
    return found


@pytest.fixture(scope="module")
def store_quads(store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


@pytest.fixture(scope="module")
def store_union(store_quads) -> set[ox.Triple]:
    return {q.triple for q in store_quads}


def has_blank(statement) -> bool:
    return isinstance(statement.subject, ox.BlankNode) or isinstance(statement.object, ox.BlankNode)


def assert_same_content(parsed: list, expected: set) -> None:
    """Exact comparison: statements without blank nodes (all data: the graph mints IRIs) as sets; the few with
    blank nodes (OWL lists of the ontology) per graph with rdflib.compare.isomorphic."""
    assert {s for s in parsed if not has_blank(s)} == {s for s in expected if not has_blank(s)}
    by_graph: dict[object, tuple[list, list]] = {}
    for side, statements in enumerate((parsed, expected)):
        for s in statements:
            if has_blank(s):
                by_graph.setdefault(getattr(s, "graph_name", None), ([], []))[side].append(s)
    for graph, (got, want) in by_graph.items():
        triples = [[ox.Triple(s.subject, s.predicate, s.object) for s in side] for side in (got, want)]
        graphs = [
            Graph().parse(data=ox.serialize(side, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
            for side in triples
        ]
        assert len(graphs[0]) == len(graphs[1]) and isomorphic(*graphs), graph


def count(store: ox.Store, query: str) -> int:
    rows = list(store.query(sparql_prefixes() + query, use_default_graph_as_union=True))
    return int(rows[0]["n"].value)


def entry(manifest: dict, file: str) -> dict:
    return next(f for f in manifest["files"] if f["file"] == file)


# ---------------------------------------------------------------- the build's dumps


def test_manifest_lists_every_dump_with_its_size_and_sha256(manifest, dumps, store):
    files = {f["file"] for f in manifest["files"]}
    expected = {f"amurkg.{d.extension}.gz" for d in kx.RDF_FORMATS.values()}
    assert expected | {"amurkg-csv.zip", "amurkg-dwca.zip", "void.ttl"} == files
    for item in manifest["files"]:
        path = dumps / item["file"]
        assert path.stat().st_size == item["bytes"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == item["sha256"]
    assert manifest["quads"] == len(store)
    assert manifest["licence"] == "CC-BY-4.0" and "Amur-Heilong" in manifest["citation"]


@pytest.mark.parametrize("fmt", list(kx.RDF_FORMATS))
def test_rdf_dump_reparses_to_exactly_the_store(fmt, dumps, manifest, store_quads, store_union):
    dump = kx.RDF_FORMATS[fmt]
    with gzip.open(dumps / f"amurkg.{dump.extension}.gz", "rb") as handle:
        parsed = list(ox.parse(handle, format=dump.format))
    if dump.quads:
        assert_same_content(parsed, store_quads)
        assert {q.graph_name for q in parsed} == {q.graph_name for q in store_quads}
    else:
        assert_same_content([q.triple for q in parsed], store_union)
    assert entry(manifest, f"amurkg.{dump.extension}.gz")["triples"] == len(store_quads if dump.quads else store_union)


def test_one_named_graph_exports_isomorphic(store, built_store, tmp_path):
    name = "https://w3id.org/amurkg/graph/wwf-teow-2001"
    expected = Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)), format="nt")
    for fmt, rdflib_format in (("ttl", "turtle"), ("rdfxml", "xml"), ("nt", "nt")):
        out = tmp_path / f"teow.{fmt}"
        result = CliRunner().invoke(
            main, ["export", "--format", fmt, "--graph", "wwf-teow-2001", "-o", str(out), "--store", str(built_store)]
        )
        assert result.exit_code == 0, result.output
        exported = Graph().parse(out, format=rdflib_format)
        assert len(exported) == len(expected) > 200
        assert isomorphic(exported, expected)


def test_export_command_writes_gzip_of_named_graphs(built_store, tmp_path, store):
    out = tmp_path / "meta.trig.gz"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "--format",
            "trig",
            "--graph",
            "https://w3id.org/amurkg/graph/meta",
            "-o",
            str(out),
            "--store",
            str(built_store),
        ],
    )
    assert result.exit_code == 0, result.output
    with gzip.open(out, "rb") as handle:
        parsed = set(ox.parse(handle, format=ox.RdfFormat.TRIG))
    meta = ox.NamedNode("https://w3id.org/amurkg/graph/meta")
    assert parsed == set(store.quads_for_pattern(None, None, None, meta))


def test_export_command_refuses_bad_options(built_store):
    unknown = CliRunner().invoke(
        main, ["export", "--format", "nt", "--graph", "no-such-source", "--store", str(built_store)]
    )
    assert unknown.exit_code == 2 and "no named graph" in unknown.output
    graph_on_table = CliRunner().invoke(
        main, ["export", "--format", "csv", "--graph", "mdd-1.13", "--store", str(built_store)]
    )
    assert graph_on_table.exit_code == 2


def test_export_help():
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0 and "--graph" in result.output and "dwca" in result.output


# ---------------------------------------------------------------- JSON-LD and its context


def test_jsonld_compacts_with_the_published_context(store, real_client):
    from pyld import jsonld

    client = real_client
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    context = json.loads(response.data)
    assert context == kx.jsonld_context()  # what the app publishes is what the code defines

    tiger = "https://w3id.org/amurkg/taxon/panthera-tigris"
    triples = list(
        store.query(
            f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
        {{ BIND(<{tiger}> AS ?s) ?s ?p ?o }} UNION {{ ?s <https://w3id.org/amurkg/ontology#taxon> <{tiger}> ; ?p ?o }}
        }}""",
            use_default_graph_as_union=True,
        )
    )
    assert len(triples) > 50
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    compacted = jsonld.compact(expanded, context)
    text = json.dumps({key: value for key, value in compacted.items() if key != "@context"})
    for term in ('"occursIn"', '"scientificName"', '"evidence"', '"wasDerivedFrom"', '"confidence"'):
        assert term in text, term
    assert "https://w3id.org/amurkg/ontology#" not in text  # every amur: term has its short name
    back = jsonld.to_rdf(compacted, {"format": "application/n-quads"})
    assert set(ox.parse(back.encode(), format=ox.RdfFormat.N_QUADS)) == {
        ox.Quad(t.subject, t.predicate, t.object) for t in triples
    }


def test_jsonld_dump_of_a_graph_compacts_and_round_trips(store, built_store, tmp_path):
    from pyld import jsonld

    out = tmp_path / "teow.jsonld"
    result = CliRunner().invoke(
        main, ["export", "--format", "jsonld", "--graph", "wwf-teow-2001", "-o", str(out), "--store", str(built_store)]
    )
    assert result.exit_code == 0, result.output
    compacted = jsonld.compact(json.loads(out.read_text()), kx.jsonld_context())
    assert "@graph" in compacted and '"notation"' in json.dumps(compacted)
    name = ox.NamedNode("https://w3id.org/amurkg/graph/wwf-teow-2001")
    back = set(
        ox.parse(jsonld.to_rdf(compacted, {"format": "application/n-quads"}).encode(), format=ox.RdfFormat.N_QUADS)
    )
    assert back == set(store.quads_for_pattern(None, None, None, name))


# ---------------------------------------------------------------- CSV tables


TABLE_COUNTS = {
    "species": 'SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a dwc:Taxon ; dwc:taxonRank "species" }',
    "vernacular_names": """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?t ?v WHERE {
        ?t dwc:taxonRank "species" ; dwc:vernacularName ?v } }""",
    "ecoregions": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e amur:inBasin ?b ; skos:notation ?c }",
    "species_ecoregions": "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a amur:Occurrence }",
    "threats": "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a amur:Threat }",
    "species_threats_direct": "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a amur:ThreatExposure }",
    "species_threats_inferred": "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a amur:InferredThreatExposure }",
    "actions": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a amur:ConservationAction }",
    "assessments": "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a amur:Assessment }",
    "native_countries": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?t ?c WHERE { ?t amur:nativeTo ?c } }",
    "species_regions": "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a amur:RegionRecord }",
    "sources": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a amur:Source }",
    "protection_statuses": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a amur:ProtectionStatus }",
}


@pytest.fixture(scope="module")
def csv_tables(dumps) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(dumps / "amurkg-csv.zip") as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8")))) for name in kx.TABLES
        } | {"datapackage": json.loads(archive.read("datapackage.json"))}


def test_every_table_has_a_count_query():
    assert set(TABLE_COUNTS) == set(kx.TABLES) == set(kx.DATA_DICTIONARY)


@pytest.mark.parametrize("name", list(TABLE_COUNTS))
def test_csv_row_counts_match_sparql(name, csv_tables, store):
    rows = csv_tables[name]
    assert len(rows) == count(store, TABLE_COUNTS[name]) > 0
    assert list(rows[0]) == list(kx.DATA_DICTIONARY[name])
    assert all(row["source"] for row in rows), "every record carries its source"


def test_csv_links_keep_direct_and_inferred_threats_apart(csv_tables):
    direct = {row["linkID"] for row in csv_tables["species_threats_direct"]}
    inferred = {row["linkID"] for row in csv_tables["species_threats_inferred"]}
    assert not direct & inferred
    assert all("/threat-exposure/" in link for link in direct)
    assert all("/inferred-threat/" in link for link in inferred)
    assert all(row["viaEcoregions"] for row in csv_tables["species_threats_inferred"])


def test_csv_sources_are_all_described(csv_tables):
    known = {row["source"] for row in csv_tables["sources"]}
    for name in kx.TABLES:
        if name == "sources":
            continue
        used = {s for row in csv_tables[name] for s in row["source"].split("|")}
        assert used <= known, (name, used - known)
    assert all(row["licence"] and row["citation"] for row in csv_tables["sources"])


def test_data_dictionary_is_published_and_documented(csv_tables):
    package = csv_tables["datapackage"]
    assert [r["name"] for r in package["resources"]] == list(kx.TABLES)
    for resource in package["resources"]:
        assert [f["name"] for f in resource["schema"]["fields"]] == list(kx.DATA_DICTIONARY[resource["name"]])
    docs = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    for name, columns in kx.DATA_DICTIONARY.items():
        section = re.search(rf"### `{name}\.csv`(.*?)(?=\n### |\n## |\Z)", docs, flags=re.S)
        assert section, f"docs/export.md has no section for {name}.csv"
        for column in columns:
            assert f"| `{column}` |" in section.group(1), f"{name}.{column} is not in docs/export.md"


def test_csv_export_command_writes_a_directory(built_store, tmp_path, csv_tables):
    out = tmp_path / "tables"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "-o", str(out), "--store", str(built_store)])
    assert result.exit_code == 0, result.output
    for name in kx.TABLES:
        with (out / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            assert len(list(csv.DictReader(handle))) == len(csv_tables[name])


# ---------------------------------------------------------------- Darwin Core Archive

DWC = "http://rs.tdwg.org/dwc/terms/"
DC = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def archive(dumps) -> dict:
    """The archive as python-dwca-reader reads it: core rows and extension rows by row type."""
    from dwca.read import DwCAReader

    with DwCAReader(str(dumps / "amurkg-dwca.zip")) as dwca:
        assert dwca.descriptor.core.type == f"{DWC}Taxon"
        core, extensions = [], {}
        for row in dwca:
            core.append(row.data)
            for ext in row.extensions:
                extensions.setdefault(ext.rowtype.rsplit("/", 1)[-1], []).append(ext.data)
        return {
            "core": core,
            "ext": extensions,
            "eml": dwca.metadata,
            "files": [f.file_descriptor.file_location for f in dwca.extension_files],
        }


def test_dwca_taxon_core_matches_the_store_row_by_row(archive, store):
    rows = {r[f"{DWC}taxonID"]: r for r in archive["core"]}
    assert (
        len(rows)
        == len(archive["core"])
        == count(store, 'SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a dwc:Taxon ; dwc:taxonRank "species" }')
    )
    terms = ["scientificName", "scientificNameAuthorship", "taxonRank", *HIGHER_RANKS, "taxonomicStatus"]
    result = store.query(
        sparql_prefixes() + 'SELECT ?t ?p ?o WHERE { ?t dwc:taxonRank "species" ; ?p ?o . '
        "VALUES ?p { " + " ".join(f"dwc:{t}" for t in terms) + " } }",
        use_default_graph_as_union=True,
    )
    in_store: dict[str, dict[str, str]] = {}
    for solution in result:
        in_store.setdefault(solution["t"].value, {})[solution["p"].value] = solution["o"].value
    assert set(in_store) == set(rows)
    for taxon, values in in_store.items():
        for term in terms:
            assert rows[taxon][f"{DWC}{term}"] == values.get(f"{DWC}{term}", ""), (taxon, term)
    sources = {
        s.value
        for s in (
            r["s"]
            for r in store.query(
                sparql_prefixes() + "SELECT ?s WHERE { ?s a amur:Source }", use_default_graph_as_union=True
            )
        )
    }
    for row in archive["core"]:
        assert row[f"{DC}source"] and set(row[f"{DC}source"].split("|")) <= sources
        assert row[f"{DC}bibliographicCitation"]


def test_dwca_vernacular_names_match_the_store(archive, store):
    rows = {
        (r[f"{DWC}taxonID"], r[f"{DWC}vernacularName"], r[f"{DC}language"]) for r in archive["ext"]["VernacularName"]
    }
    result = store.query(
        sparql_prefixes() + 'SELECT ?t ?v WHERE { ?t dwc:taxonRank "species" ; dwc:vernacularName ?v }',
        use_default_graph_as_union=True,
    )
    in_store = {(s["t"].value, s["v"].value, s["v"].language or "") for s in result}
    assert rows == in_store and len(rows) > 1000
    assert all(r[f"{DC}source"] for r in archive["ext"]["VernacularName"])


def test_dwca_distribution_matches_the_store(archive, store):
    rows = archive["ext"]["Distribution"]
    ecoregions = {(r[f"{DWC}taxonID"], r[f"{DWC}locationID"]) for r in rows if "/ecoregion/" in r[f"{DWC}locationID"]}
    countries = {
        (r[f"{DWC}taxonID"], r[f"{DWC}locationID"], r[f"{DWC}countryCode"])
        for r in rows
        if "/country/" in r[f"{DWC}locationID"]
    }
    regions = {
        (r[f"{DWC}taxonID"], r[f"{DWC}locationID"]) for r in rows if r[f"{DWC}locationID"].startswith("ISO3166-2:")
    }
    assert all(
        "/ecoregion/" in r[f"{DWC}locationID"]
        or "/country/" in r[f"{DWC}locationID"]
        or r[f"{DWC}locationID"].startswith("ISO3166-2:")
        for r in rows
    )
    # a region a source names for the species (amur:recordedInRegion) is a row by its ISO 3166-2 code
    recorded = store.query(
        sparql_prefixes() + "SELECT ?t ?code WHERE { ?t amur:recordedInRegion ?r . ?r skos:notation ?code }",
        use_default_graph_as_union=True,
    )
    assert regions == {(s["t"].value, "ISO3166-2:" + s["code"].value) for s in recorded} and len(regions) > 1000
    rows = [r for r in rows if not r[f"{DWC}locationID"].startswith("ISO3166-2:")]
    links = store.query(
        sparql_prefixes()
        + """SELECT ?t ?e ?m ?c ?s WHERE { ?l a amur:Occurrence ; amur:taxon ?t ;
        amur:ecoregion ?e ; amur:method/skos:notation ?m ; amur:confidence/skos:notation ?c ;
        prov:wasDerivedFrom ?s }""",
        use_default_graph_as_union=True,
    )
    in_store = sorted((s["t"].value, s["e"].value, s["m"].value, s["c"].value, s["s"].value) for s in links)
    # one row per qualified link: a species placed in one ecoregion by two methods has two rows
    in_archive = sorted(
        (
            r[f"{DWC}taxonID"],
            r[f"{DWC}locationID"],
            *re.match(r"method: (\S+); confidence: (\S+);", r[f"{DWC}occurrenceRemarks"]).groups(),
            r[f"{DC}source"],
        )
        for r in rows
        if "/ecoregion/" in r[f"{DWC}locationID"]
    )
    assert in_archive == in_store and len(in_store) > 1000
    assert ecoregions == {(t, e) for t, e, *_ in in_store}
    native = store.query(
        sparql_prefixes() + "SELECT ?t ?c ?code WHERE { ?t amur:nativeTo ?c . ?c skos:notation ?code }",
        use_default_graph_as_union=True,
    )
    assert countries == {(s["t"].value, s["c"].value, s["code"].value) for s in native}
    for r in rows:
        assert r[f"{DC}source"]
        assert r[f"{DWC}establishmentMeans"] == ("native" if "/country/" in r[f"{DWC}locationID"] else "")
        if "/country/" in r[f"{DWC}locationID"]:
            assert r[f"{DWC}occurrenceStatus"] == "present"
        else:  # present where the link is recorded (medium or high confidence), doubtful where it is low
            confidence = re.search(r"confidence: (\S+);", r[f"{DWC}occurrenceRemarks"]).group(1)
            assert r[f"{DWC}occurrenceStatus"] == ("present" if confidence in ("medium", "high") else "doubtful")
    # the pairs with a "present" row are the graph's recorded pairs (amur:occursIn), the rest its possible ones
    present = {
        (r[f"{DWC}taxonID"], r[f"{DWC}locationID"])
        for r in rows
        if "/ecoregion/" in r[f"{DWC}locationID"] and r[f"{DWC}occurrenceStatus"] == "present"
    }
    recorded = store.query(
        sparql_prefixes() + "SELECT DISTINCT ?t ?e WHERE { ?t amur:occursIn ?e }", use_default_graph_as_union=True
    )
    assert present == {(s["t"].value, s["e"].value) for s in recorded}
    possible = store.query(
        sparql_prefixes() + "SELECT DISTINCT ?t ?e WHERE { ?t amur:possiblyOccursIn ?e }",
        use_default_graph_as_union=True,
    )
    assert ecoregions - present == {(s["t"].value, s["e"].value) for s in possible}


def test_dwca_references_are_the_sources_of_each_species(archive, store):
    rows = {(r[f"{DWC}taxonID"], r[f"{DC}identifier"]) for r in archive["ext"]["Reference"]}
    result = store.query(
        sparql_prefixes() + 'SELECT ?t ?s WHERE { ?t dwc:taxonRank "species" ; amur:evidence/prov:wasDerivedFrom ?s }',
        use_default_graph_as_union=True,
    )
    assert rows == {(s["t"].value, s["s"].value) for s in result}
    assert all(r[f"{DC}bibliographicCitation"] for r in archive["ext"]["Reference"])


def test_dwca_eml_has_title_licence_citation_and_coverage(archive):
    eml = archive["eml"]
    assert "Amur-Heilong" in eml.findtext("dataset/title")
    assert "CC-BY-4.0" in "".join(eml.find("dataset/intellectualRights").itertext())
    assert "Amur-Heilong" in eml.findtext("additionalMetadata/metadata/gbif/citation")
    bounds = eml.find("dataset/coverage/geographicCoverage/boundingCoordinates")
    assert {child.tag: float(child.text) for child in bounds} == {
        "westBoundingCoordinate": 107,
        "eastBoundingCoordinate": 141,
        "northBoundingCoordinate": 56,
        "southBoundingCoordinate": 41,
    }
    ranks = {(c.findtext("taxonRankName"), c.findtext("taxonRankValue")) for c in eml.iter("taxonomicClassification")}
    assert {("kingdom", "Plantae"), ("kingdom", "Animalia"), ("class", "Aves")} <= ranks


def test_dwca_and_csv_carry_the_protection_statuses(archive, csv_tables, store):
    rows = archive["ext"]["ontology#ProtectionStatus"]
    amur = "https://w3id.org/amurkg/ontology#"
    got = {(r[f"{DWC}taxonID"], r[amur + "protectionList"], r[amur + "protectionClass"]) for r in rows}
    result = store.query(
        sparql_prefixes()
        + """SELECT ?t ?l ?c WHERE { ?s a amur:ProtectionStatus ; amur:taxon ?t ;
        amur:protectionList ?list ; amur:protectionClass/skos:notation ?c . BIND(REPLACE(STR(?list), "^.*/", "") AS ?l)
        }""",
        use_default_graph_as_union=True,
    )
    assert got == {(s["t"].value, s["l"].value, s["c"].value) for s in result} and len(got) > 100
    by_taxon = {(r[f"{DWC}taxonID"].rsplit("/", 1)[-1], r[amur + "protectionList"]): r for r in rows}
    ginseng = by_taxon[("panax-ginseng", "cites")]
    assert (
        ginseng["http://rs.gbif.org/terms/1.0/appendixCITES"],
        ginseng[f"{DWC}countryCode"],
        ginseng[amur + "validOn"],
    ) == ("II", "RU", "2017-04-21")
    assert by_taxon[("huso-dauricus", "cn-key-animals-2021")][amur + "wildPopulationsOnly"] == "true"
    assert "genus-row" in by_taxon[("taxus-cuspidata", "cn-key-plants-2021")][f"{DWC}taxonRemarks"]
    table = {(r["taxonID"].rsplit("/", 1)[-1], r["list"], r["class"]): r for r in csv_tables["protection_statuses"]}
    pine = table[("pinus-koraiensis", "cites", "III")]
    assert pine["scopeCountries"] == "RU" and pine["validOn"] == "2017-04-21" and pine["source"] == "cites-2017"


def test_dwca_meta_xml_names_every_file(dumps):
    with zipfile.ZipFile(dumps / "amurkg-dwca.zip") as zipped:
        meta = ET.fromstring(zipped.read("meta.xml"))
        names = set(zipped.namelist())
    ns = {"d": "http://rs.tdwg.org/dwc/text/"}
    locations = {e.text for e in meta.iterfind(".//d:location", ns)}
    assert locations | {"meta.xml", "eml.xml"} == names


# ---------------------------------------------------------------- licences


def test_no_fishbase_text_in_the_graph_or_its_exports(store, csv_tables):
    """FishBase (CC-BY-NC) may be carried as names, SpecCode and family only: its distribution and habitat text
    select species but never appear. The dumps equal the store (above), so checking the store covers them."""
    allowed = {
        f"{DWC}{t}"
        for t in (
            "scientificName",
            "scientificNameAuthorship",
            "taxonRank",
            *HIGHER_RANKS,
            "taxonomicStatus",
            "vernacularName",
        )
    }
    allowed |= {
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://purl.org/dc/terms/identifier",
        "http://www.w3.org/2004/02/skos/core#altLabel",
    }
    allowed |= {
        f"https://w3id.org/amurkg/ontology#{t}"
        for t in ("canonicalName", "fishbaseSpecCode", "matched", "rule", "sourceRow")
    }
    result = store.query(
        sparql_prefixes()
        + """SELECT ?p ?o WHERE {
        { GRAPH <https://w3id.org/amurkg/graph/fishbase-2013> { ?s ?p ?o } }
        UNION { ?s prov:wasDerivedFrom <https://w3id.org/amurkg/source/fishbase-2013> ; ?p ?o
                FILTER NOT EXISTS { ?s a void:Dataset } }  # the VoID/PROV of graphs built from it
        FILTER(isLiteral(?o)) }""",
        use_default_graph_as_union=True,
    )
    literals = [(s["p"].value, s["o"].value) for s in result]
    assert literals
    for predicate, value in literals:
        assert predicate in allowed, predicate
        # what matched is the name of a basin water body or region, never a sentence of FishBase
        assert len(value) < 120, value
    fish = [row for row in csv_tables["species_ecoregions"] if row["source"] == "fishbase-2013"]
    assert fish and all(len(row["matched"]) < 120 for row in fish)
