"""schema.org / Bioschemas JSON-LD in the pages: parsed with rdflib as JSON-LD (the context is inline, so no network)
and checked with SPARQL for the properties the profiles require."""

from __future__ import annotations

import re

from rdflib import Graph

from kg.namespaces import BASE
from server import schemaorg

PREFIXES = "PREFIX s: <http://schema.org/> PREFIX dct: <http://purl.org/dc/terms/>\n"


def jsonld_of(client, path: str) -> Graph:
    page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1, f"{path}: {len(scripts)} JSON-LD scripts"
    return Graph().parse(data=scripts[0], format="json-ld")


def alternate_names(graph: Graph, subject: str) -> set[tuple[str, str]]:
    return {
        (str(row.n), (row.n.language or "").lower())
        for row in graph.query(PREFIXES + f"SELECT ?n WHERE {{ {subject} s:alternateName ?n }}")
    }


def ask(graph: Graph, query: str) -> bool:
    return graph.query(PREFIXES + query).askAnswer


def test_species_page_is_a_bioschemas_taxon(real_client):
    graph = jsonld_of(real_client, "/taxon/panthera-tigris")
    tiger = f"<{BASE}taxon/panthera-tigris>"
    assert ask(
        graph,
        f"""ASK {{ {tiger} a s:Taxon ; s:name "Panthera tigris" ;
        s:taxonRank "species", <http://rs.tdwg.org/ontology/voc/TaxonRank#Species> ;
        dct:conformsTo <https://bioschemas.org/profiles/Taxon/1.0-RELEASE> ;
        s:parentTaxon ?genus . ?genus a s:Taxon ; s:name "Panthera" ; s:taxonRank "genus" }}""",
    )
    assert ("Tiger", "en") in alternate_names(graph, tiger)
    # identifiers as PropertyValues, and sameAs the sources' resolvers
    assert ask(graph, f"ASK {{ {tiger} s:identifier [ a s:PropertyValue ; s:propertyID ?p ; s:value ?v ] }}")
    same = {str(row.o) for row in graph.query(PREFIXES + f"SELECT ?o WHERE {{ {tiger} s:sameAs ?o }}")}
    assert same and all(o.startswith("http") and not o.startswith(BASE) for o in same)


def test_chinese_and_pinyin_names_carry_their_language(real_client):
    ginseng = f"<{BASE}taxon/panax-ginseng>"
    names = alternate_names(jsonld_of(real_client, "/taxon/panax-ginseng"), ginseng)
    assert ("人参", "zh-hans") in names and ("rén shēn", "zh-latn-pinyin") in names


def test_ecoregion_page_is_a_place_with_its_geometry(real_client):
    graph = jsonld_of(real_client, "/ecoregion/PA0443")
    rows = list(
        graph.query(
            PREFIXES
            + f"""SELECT ?name ?box WHERE {{ <{BASE}ecoregion/PA0443> a s:Place ;
        s:name ?name ; s:identifier "PA0443" ; s:geo [ a s:GeoShape ; s:box ?box ] }}"""
        )
    )
    assert len(rows) == 1
    south, west, north, east = (float(x) for x in str(rows[0].box).split())
    # a box inside the basin's latitudes and longitudes, south-west before north-east
    assert 35 < south < north < 60 and 100 < west < east < 150
    # and the outline itself, as a GeoSPARQL WKT literal
    assert ask(
        graph,
        f"""PREFIX gsp: <http://www.opengis.net/ont/geosparql#>
        ASK {{ <{BASE}ecoregion/PA0443> gsp:hasGeometry/gsp:asWKT ?wkt .
        FILTER (DATATYPE(?wkt) = gsp:wktLiteral && STRSTARTS(STR(?wkt), "MULTIPOLYGON")) }}""",
    )


def test_home_and_downloads_are_the_dataset_with_its_dumps(real_client):
    for path in ("/", "/downloads"):
        graph = jsonld_of(real_client, path)
        assert ask(
            graph,
            """ASK { ?d a s:Dataset ; s:name ?name ; s:description ?description ;
            s:license <https://spdx.org/licenses/CC-BY-4.0> ; s:citation ?citation ; s:creator ?creator }""",
        ), path
        downloads = list(
            graph.query(
                PREFIXES
                + """SELECT ?url ?format WHERE { ?d a s:Dataset ;
            s:distribution [ a s:DataDownload ; s:contentUrl ?url ; s:encodingFormat ?format ] }"""
            )
        )
        formats = {str(row.format) for row in downloads}
        assert {"text/turtle", "application/n-quads"} <= formats, path
        assert all(re.match(r"http://localhost/downloads/[\w.-]+$", str(row.url)) for row in downloads), path
    response = real_client.get("/downloads/" + str(downloads[0].url).rsplit("/", 1)[1])
    assert response.status_code == 200  # the contentUrl serves the file


def test_a_name_cannot_close_the_script_element():
    markup = str(schemaorg.script({"name": "</script><script>alert(1)</script>"}))
    assert markup.count("</script>") == 1
