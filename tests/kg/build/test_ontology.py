"""The ontology, its SKOS vocabularies and the SHACL shapes the build validates against.

Data tests validate the way the build does: the data graph holds the data plus the ontology and the
vocabularies (the build's ak:graph/ontology), the ontology graph is mixed in, no inference, core SHACL only.
Invalid cases are the valid example graph with a few triples changed, each expected to break one named
constraint.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import pyshacl
import pyshacl_turbo
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS

from ingest.records import GROUPS
from kg.namespaces import AMUR, CONFIDENCE_SCORES, DWC, GEO, METHODS, ONTOLOGY_IRI, ONTOLOGY_VERSION

ROOT = Path(__file__).resolve().parents[3]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "amurkg.ttl"
VOCAB_FILES = sorted((ONTOLOGY_DIR / "vocab").glob("*.ttl"))
SHAPES_FILES = sorted((ONTOLOGY_DIR / "shapes").glob("*.ttl"))
VALID_DATA = ROOT / "tests" / "data" / "ontology" / "valid.ttl"

# The example data and the vocabularies are written under the default base.
AK = Namespace("https://w3id.org/amurkg/")
# XSD is not imported as a module global: pytest probes globals and rdflib warns on unknown XSD attributes.
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
AMUR_NS = str(AMUR._NS)
TERMS = [name for name in AMUR.__annotations__ if not name.startswith("_")]
ONTOLOGY = URIRef(ONTOLOGY_IRI)


def parse(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return parse(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return parse(*VOCAB_FILES)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse(*SHAPES_FILES)


@pytest.fixture(scope="module")
def background(ontology: Graph, vocab: Graph) -> Graph:
    """What the build loads into ak:graph/ontology: the ontology and the vocabularies."""
    return ontology + vocab


@pytest.fixture
def valid_data() -> Graph:
    # Function-scoped: the invalid cases change it.
    return parse(VALID_DATA)


class Result(NamedTuple):
    focus: object
    path: object
    component: URIRef
    message: str


ENGINES = {"pyshacl": pyshacl, "pyshacl-turbo": pyshacl_turbo}


@pytest.fixture(params=sorted(ENGINES))
def engine(request) -> str:
    """The build validates with pyshacl-turbo (fast); pyshacl is the reference: both must judge alike."""
    return request.param


def validate(data: Graph, shapes: Graph, background: Graph, engine: str = "pyshacl") -> tuple[bool, list[Result], str]:
    conforms, report, text = ENGINES[engine].validate(
        data + background,
        shacl_graph=shapes,
        ont_graph=background,
        inference="none",
        advanced=False,
    )
    results = [
        Result(
            report.value(r, SH.focusNode),
            report.value(r, SH.resultPath),
            report.value(r, SH.sourceConstraintComponent),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return conforms, results, text


# --- files --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, *VOCAB_FILES, *SHAPES_FILES], ids=lambda p: p.name)
def test_file_parses(path: Path) -> None:
    assert len(parse(path)) > 0


def test_expected_files_exist() -> None:
    assert {p.name for p in VOCAB_FILES} >= {"methods.ttl", "confidence.ttl", "groups.ttl", "agents.ttl"}
    assert {p.name for p in SHAPES_FILES} >= {"places.ttl", "schemes.ttl", "taxa.ttl", "evidence.ttl", "sources.ttl"}


# --- ontology -----------------------------------------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{ONTOLOGY_VERSION}")
    assert ontology.value(ONTOLOGY, OWL.versionInfo) == Literal(ONTOLOGY_VERSION)
    assert ontology.value(ONTOLOGY, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert ontology.value(ONTOLOGY, prop) is not None, prop
    assert ontology.value(ONTOLOGY, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")) == Literal("amur")


def english(graph: Graph, subject: URIRef, prop: URIRef) -> list[Literal]:
    return [o for o in graph.objects(subject, prop) if isinstance(o, Literal) and o.language == "en"]


@pytest.mark.parametrize("name", TERMS)
def test_every_amur_term_is_declared(ontology: Graph, name: str) -> None:
    term = AMUR._NS[name]
    types = set(ontology.objects(term, RDF.type))
    assert types & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, f"amur:{name} has no OWL type"
    assert len(english(ontology, term, RDFS.label)) == 1, f"amur:{name} needs one @en rdfs:label"
    assert len(english(ontology, term, SKOS.definition)) == 1, f"amur:{name} needs one @en skos:definition"
    assert (term, RDFS.isDefinedBy, ONTOLOGY) in ontology


def test_ontology_declares_nothing_outside_the_namespace_class(ontology: Graph) -> None:
    # The closed namespace and the ontology must agree both ways.
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(AMUR_NS)}
    assert {str(s)[len(AMUR_NS) :] for s in declared} == set(TERMS)


def test_every_class_and_property_has_label_and_definition(ontology: Graph) -> None:
    missing = []
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if isinstance(term, BNode):  # owl:unionOf domains
                continue
            if not english(ontology, term, RDFS.label) or not english(ontology, term, SKOS.definition):
                missing.append(term)
    assert not missing


@pytest.mark.parametrize(
    "path", [ONTOLOGY_FILE, *VOCAB_FILES, *SHAPES_FILES, VALID_DATA], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_only_declared_amur_terms_are_used(path: Path) -> None:
    # A misspelt amur: term in the shapes would silently target nothing.
    used = {t for triple in parse(path) for t in triple if isinstance(t, URIRef) and t.startswith(AMUR_NS)}
    unknown = {str(t)[len(AMUR_NS) :] for t in used} - set(TERMS)
    assert not unknown


def test_subclass_axioms(ontology: Graph) -> None:
    def sub(cls: URIRef, sup: URIRef) -> bool:
        return (cls, RDFS.subClassOf, sup) in ontology

    assert sub(AMUR.TerrestrialEcoregion, AMUR.Ecoregion) and sub(AMUR.FreshwaterEcoregion, AMUR.Ecoregion)
    for cls in (AMUR.Threat, AMUR.ConservationAction, AMUR.Habitat, AMUR.Stress, AMUR.RedListCategory):
        assert sub(cls, SKOS.Concept)
    for cls in (AMUR.TaxonGroup, AMUR.Method, AMUR.ConfidenceLevel):
        assert sub(cls, SKOS.Concept)
    for cls in (AMUR.Occurrence, AMUR.ThreatExposure, AMUR.InferredThreatExposure, AMUR.EcoregionThreat):
        assert sub(cls, AMUR.QualifiedLink)
    assert not sub(AMUR.InferredThreatExposure, AMUR.ThreatExposure)
    assert (AMUR.ThreatExposure, OWL.disjointWith, AMUR.InferredThreatExposure) in ontology
    assert sub(AMUR.Source, URIRef("http://www.w3.org/ns/dcat#Dataset")) and sub(AMUR.Source, PROV.Entity)
    assert sub(AMUR.Country, URIRef("https://schema.org/Country"))
    assert sub(AMUR.Ecoregion, GEO.Feature)


def test_identifier_properties_are_dcterms_identifiers(ontology: Graph) -> None:
    for name in ("colChinaId", "avibaseId", "ebirdCode", "mddId", "fishbaseSpecCode", "amphibiawebId"):
        assert (AMUR[name], RDFS.subPropertyOf, DCTERMS.identifier) in ontology


def test_inferred_threats_do_not_entail_threatened_by(ontology: Graph) -> None:
    # The model keeps amur:inferredThreat apart from amur:threatenedBy: no axiom may derive one from the other,
    # and the shortcut chain of amur:threatenedBy starts from an ecoregion (an inferred exposure has a taxon).
    assert (AMUR.inferredThreat, RDFS.subPropertyOf, AMUR.threatenedBy) not in ontology
    assert (AMUR.inferredThreat, OWL.equivalentProperty, AMUR.threatenedBy) not in ontology
    chain = list(ontology.items(ontology.value(AMUR.threatenedBy, OWL.propertyChainAxiom)))
    assert [ontology.value(chain[0], OWL.inverseOf), chain[1]] == [AMUR.ecoregion, AMUR.threat]


# --- vocabularies ---------------------------------------------------------------------------------------------


def concepts(vocab: Graph, cls: URIRef) -> dict[str, URIRef]:
    return {str(vocab.value(c, SKOS.notation)): c for c in vocab.subjects(RDF.type, cls)}


def check_concept(vocab: Graph, concept: URIRef, cls: URIRef, scheme: URIRef) -> None:
    assert (concept, RDF.type, SKOS.Concept) in vocab and (concept, RDF.type, cls) in vocab
    assert (concept, SKOS.inScheme, scheme) in vocab and (concept, SKOS.topConceptOf, scheme) in vocab
    assert (scheme, RDF.type, SKOS.ConceptScheme) in vocab and (scheme, SKOS.hasTopConcept, concept) in vocab
    assert english(vocab, concept, SKOS.prefLabel) and english(vocab, concept, SKOS.definition)


def test_methods_match_the_code(vocab: Graph) -> None:
    found = concepts(vocab, AMUR.Method)
    assert set(found) == set(METHODS)
    for key, definition in METHODS.items():
        assert found[key] == AK[f"method/{key}"]
        assert english(vocab, found[key], SKOS.definition) == [Literal(definition, lang="en")]
        check_concept(vocab, found[key], AMUR.Method, AK["scheme/methods"])


def test_confidence_levels_match_the_code(vocab: Graph) -> None:
    found = concepts(vocab, AMUR.ConfidenceLevel)
    assert set(found) == set(CONFIDENCE_SCORES)
    for key, score in CONFIDENCE_SCORES.items():
        assert found[key] == AK[f"confidence/{key}"]
        value = vocab.value(found[key], AMUR.confidenceScore)
        assert value.datatype == XSD_DECIMAL and value.toPython() == Decimal(str(score))
        check_concept(vocab, found[key], AMUR.ConfidenceLevel, AK["scheme/confidence"])


def test_taxon_groups_match_the_readers(vocab: Graph) -> None:
    found = concepts(vocab, AMUR.TaxonGroup)
    assert set(found) == set(GROUPS)
    for key in GROUPS:
        assert found[key] == AK[f"group/{key}"]
        check_concept(vocab, found[key], AMUR.TaxonGroup, AK["scheme/groups"])


def test_agents_and_global_scope(vocab: Graph) -> None:
    for agent in (AK["agent/iucn"], AK["agent/mee-cas"]):
        assert (agent, RDF.type, PROV.Agent) in vocab and (agent, RDF.type, PROV.Organization) in vocab
        assert english(vocab, agent, RDFS.label)
    assert (AK["scope/global"], RDF.type, SKOS.Concept) in vocab


# --- shapes ---------------------------------------------------------------------------------------------------


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    shacl_shacl = Graph().parse(str(resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"), format="turtle")
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=shacl_shacl, inference="none")
    assert conforms, text


def test_shapes_use_core_shacl_only(shapes: Graph) -> None:
    # The build validates ~200k triples with advanced=False: SPARQL constraints and SHACL-AF targets
    # would be slow or silently ignored.
    for term in (SH.sparql, SH.target, SH.SPARQLConstraint, SH.SPARQLTarget, SH.rule):
        assert not list(shapes.triples((None, term, None))) and not list(shapes.triples((None, None, term)))


def test_every_ontology_class_has_a_shape(ontology: Graph, shapes: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    assert classes - targeted == set()
    assert DWC.Taxon in targeted


def test_every_constraint_has_a_message(shapes: Graph) -> None:
    # A failed build must read well: each property shape and each node-level constraint says what is wrong.
    silent = [p for p in shapes.objects(None, SH.property) if not english(shapes, p, SH.message)]
    node_level = (SH["or"], SH["not"], SH["class"])
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if any(shapes.value(shape, c) is not None for c in node_level) and not english(shapes, shape, SH.message):
            silent.append(shape)
    assert not silent


def test_vocabulary_iris_in_shapes_exist(shapes: Graph, vocab: Graph) -> None:
    # Resource IRIs the shapes name must be declared in ontology/vocab, except those other code mints.
    iucn_schemes = ("threats", "actions", "habitats", "stresses", "red-list-categories")  # ingest/iucn.py
    minted_elsewhere = [AK[f"scheme/{k}"] for k in iucn_schemes]
    minted_elsewhere += [AK["graph/ontology"], AK["graph/meta"]]  # kg/build/pipeline.py
    named = {t for triple in shapes for t in triple if isinstance(t, URIRef) and t.startswith(str(AK))}
    named = {t for t in named if not t.startswith(AMUR_NS) and not t.startswith(str(AK) + "shapes#")}
    assert {t for t in named if (t, RDF.type, None) not in vocab} <= set(minted_elsewhere)


# --- data -----------------------------------------------------------------------------------------------------


def test_ontology_and_vocabularies_conform(background: Graph, shapes: Graph, engine: str) -> None:
    conforms, _, text = validate(Graph(), shapes, background, engine)
    assert conforms, text


def test_valid_example_conforms(valid_data: Graph, shapes: Graph, background: Graph, engine: str) -> None:
    conforms, _, text = validate(valid_data, shapes, background, engine)
    assert conforms, text


def test_valid_example_covers_every_shape(valid_data: Graph, shapes: Graph, background: Graph) -> None:
    # Each targeted class has an instance, so the conformance test above exercises every shape.
    data = valid_data + background
    for cls in set(shapes.objects(None, SH.targetClass)):
        instances = set(data.subjects(RDF.type, cls))
        for sub in background.transitive_subjects(RDFS.subClassOf, cls):
            instances |= set(data.subjects(RDF.type, sub))
        assert instances, f"no instance of {cls} in the example data"


TIGER = AK["taxon/panthera-tigris"]
ECO = AK["ecoregion/PA0443"]
GEOMETRY = AK["ecoregion/PA0443/geometry"]
EVIDENCE = AK["taxon/panthera-tigris/evidence/mdd-1.13"]
ASSESSMENT = AK["taxon/panthera-tigris/assessment/iucn-global"]
OCCURRENCE = AK["occurrence/panthera-tigris/PA0443/gazetteer"]
EXPOSURE = AK["threat-exposure/panthera-tigris/5.1.1"]
INFERRED = AK["inferred-threat/panthera-tigris/5.3"]
ECO_THREAT = AK["ecoregion-threat/PA0443/5.3"]
THREAT = AK["threat/5.1.1"]
SOURCE = AK["source/mdd-1.13"]
INITIATIVE = AK["initiative/tiger-anti-poaching"]
INFERRED_METHOD = AK["method/inferred-from-ecoregion"]

Change = Callable[[Graph], None]


def drop(subject: URIRef, prop: URIRef) -> Change:
    return lambda g: g.remove((subject, prop, None))


def put(subject: URIRef, prop: URIRef, value: object) -> Change:
    return lambda g: g.set((subject, prop, value))


def add(subject: URIRef, prop: URIRef, value: object) -> Change:
    return lambda g: g.add((subject, prop, value))


STATUS = AK["taxon/panthera-tigris/protection/cites/I"]
INVALID = [
    # places
    pytest.param(
        drop(ECO, GEO.hasGeometry),
        ECO,
        GEO.hasGeometry,
        SH.MinCountConstraintComponent,
        id="ecoregion-without-geometry",
    ),
    pytest.param(
        add(ECO, GEO.hasGeometry, AK["ecoregion/PA0443/geometry2"]),
        ECO,
        GEO.hasGeometry,
        SH.MaxCountConstraintComponent,
        id="ecoregion-with-two-geometries",
    ),
    pytest.param(
        put(GEOMETRY, GEO.asWKT, Literal("MULTIPOLYGON (((131 43, 137 43, 137 48, 131 43)))")),
        GEOMETRY,
        GEO.asWKT,
        SH.DatatypeConstraintComponent,
        id="wkt-not-a-wktLiteral",
    ),
    pytest.param(
        put(GEOMETRY, GEO.asWKT, Literal("LINESTRING (131 43, 137 48)", datatype=GEO.wktLiteral)),
        ECO,
        GEO.hasGeometry,
        SH.NodeConstraintComponent,
        id="ecoregion-geometry-not-a-polygon",
    ),
    pytest.param(
        put(ECO, SKOS.notation, Literal("NA0443")),
        ECO,
        SKOS.notation,
        SH.PatternConstraintComponent,
        id="terrestrial-notation-not-palearctic",
    ),
    pytest.param(
        put(AK["ecoregion/FW-RFE"], SKOS.notation, Literal("RFE")),
        AK["ecoregion/FW-RFE"],
        SKOS.notation,
        SH.PatternConstraintComponent,
        id="freshwater-notation-without-prefix",
    ),
    pytest.param(
        add(ECO, SKOS.notation, Literal("80443")),
        ECO,
        SKOS.notation,
        SH.MaxCountConstraintComponent,
        id="ecoregion-with-two-notations",
    ),
    pytest.param(drop(ECO, RDFS.label), ECO, RDFS.label, SH.MinCountConstraintComponent, id="ecoregion-without-label"),
    pytest.param(
        put(ECO, AMUR.areaKm2, Literal(-5)), ECO, AMUR.areaKm2, SH.MinInclusiveConstraintComponent, id="negative-area"
    ),
    pytest.param(drop(ECO, AMUR.biome), ECO, AMUR.biome, SH.MinCountConstraintComponent, id="ecoregion-without-biome"),
    pytest.param(
        put(AK["country/RU"], SKOS.notation, Literal("RUS")),
        AK["country/RU"],
        SKOS.notation,
        SH.PatternConstraintComponent,
        id="country-alpha3-code",
    ),
    pytest.param(
        put(AK["river/zeya"], AMUR.tributaryOf, ECO),
        AK["river/zeya"],
        AMUR.tributaryOf,
        SH.ClassConstraintComponent,
        id="tributary-of-an-ecoregion",
    ),
    # schemes
    pytest.param(
        put(THREAT, SKOS.notation, Literal("5_1_1")),
        THREAT,
        SKOS.notation,
        SH.PatternConstraintComponent,
        id="threat-code-with-underscores",
    ),
    pytest.param(
        put(THREAT, SKOS.inScheme, AK["scheme/actions"]),
        THREAT,
        SKOS.inScheme,
        SH.HasValueConstraintComponent,
        id="threat-in-the-actions-scheme",
    ),
    pytest.param(
        put(THREAT, SKOS.broader, AK["action/5"]),
        THREAT,
        SKOS.broader,
        SH.ClassConstraintComponent,
        id="threat-broader-than-an-action",
    ),
    pytest.param(
        put(THREAT, SKOS.prefLabel, Literal("Intentional use")),
        THREAT,
        SKOS.prefLabel,
        SH.QualifiedMinCountConstraintComponent,
        id="threat-label-without-language",
    ),
    pytest.param(
        add(THREAT, AMUR.inferredOn, Literal("plants", lang="en")),
        THREAT,
        AMUR.inferredOn,
        SH.MaxCountConstraintComponent,
        id="threat-inferred-on-two-kinds",
    ),
    pytest.param(
        put(THREAT, AMUR.inferredOn, Literal("no species by inference")),
        THREAT,
        AMUR.inferredOn,
        SH.DatatypeConstraintComponent,
        id="threat-inferred-on-without-language",
    ),
    pytest.param(
        put(AK["confidence/high"], AMUR.confidenceScore, Literal(Decimal("1.5"))),
        AK["confidence/high"],
        AMUR.confidenceScore,
        SH.MaxInclusiveConstraintComponent,
        id="confidence-score-above-one",
    ),
    pytest.param(
        put(AK["red-list-category/EN"], AMUR.categoryRank, Literal(7)),
        AK["red-list-category/EN"],
        AMUR.categoryRank,
        SH.MaxInclusiveConstraintComponent,
        id="category-rank-off-scale",
    ),
    pytest.param(
        drop(INITIATIVE, AMUR.concernsEcoregion),
        INITIATIVE,
        AMUR.concernsEcoregion,
        SH.MinCountConstraintComponent,
        id="initiative-without-ecoregion",
    ),
    pytest.param(
        put(AK["threat-factor/illegal-logging"], AMUR.mappedTo, AK["action/5.4"]),
        AK["threat-factor/illegal-logging"],
        AMUR.mappedTo,
        SH.ClassConstraintComponent,
        id="threat-factor-mapped-to-an-action",
    ),
    # taxa
    pytest.param(
        drop(TIGER, AMUR.evidence), TIGER, AMUR.evidence, SH.MinCountConstraintComponent, id="species-without-evidence"
    ),
    pytest.param(drop(TIGER, AMUR.group), TIGER, None, SH.OrConstraintComponent, id="species-without-group"),
    pytest.param(
        put(TIGER, DWC.taxonRank, Literal("Species")),
        TIGER,
        DWC.taxonRank,
        SH.InConstraintComponent,
        id="rank-not-in-list",
    ),
    pytest.param(drop(TIGER, DWC.genus), TIGER, DWC.genus, SH.MinCountConstraintComponent, id="species-without-genus"),
    pytest.param(
        add(TIGER, DWC.family, Literal("Pantherinae")),
        TIGER,
        DWC.family,
        SH.MaxCountConstraintComponent,
        id="species-with-two-families",
    ),
    pytest.param(
        drop(TIGER, AMUR.parentTaxon),
        TIGER,
        AMUR.parentTaxon,
        SH.MinCountConstraintComponent,
        id="species-without-parent",
    ),
    pytest.param(
        add(TIGER, DWC.scientificName, Literal("Panthera tigris")),
        TIGER,
        DWC.scientificName,
        SH.MaxCountConstraintComponent,
        id="two-scientific-names",
    ),
    pytest.param(
        add(TIGER, DWC.vernacularName, Literal("Amur tiger")),
        TIGER,
        DWC.vernacularName,
        SH.DatatypeConstraintComponent,
        id="vernacular-name-without-language",
    ),
    pytest.param(
        add(TIGER, AMUR.occursIn, THREAT), TIGER, AMUR.occursIn, SH.ClassConstraintComponent, id="occurs-in-a-threat"
    ),
    pytest.param(
        add(TIGER, AMUR.possiblyOccursIn, THREAT),
        TIGER,
        AMUR.possiblyOccursIn,
        SH.ClassConstraintComponent,
        id="possibly-occurs-in-a-threat",
    ),
    pytest.param(
        add(TIGER, AMUR.possiblyOccursIn, ECO),
        TIGER,
        AMUR.occursIn,
        SH.DisjointConstraintComponent,
        id="recorded-and-possible-in-one-ecoregion",
    ),
    pytest.param(
        add(TIGER, AMUR.threatenedBy, ECO),
        TIGER,
        AMUR.threatenedBy,
        SH.ClassConstraintComponent,
        id="threatened-by-an-ecoregion",
    ),
    pytest.param(
        add(TIGER, AMUR.inferredThreat, AK["action/5.4"]),
        TIGER,
        AMUR.inferredThreat,
        SH.ClassConstraintComponent,
        id="inferred-threat-an-action",
    ),
    pytest.param(
        add(AK["taxon/animalia/genus/panthera"], AMUR.group, AK["group/mammal"]),
        AK["taxon/animalia/genus/panthera"],
        DWC.taxonRank,
        SH.HasValueConstraintComponent,
        id="genus-with-a-group",
    ),
    pytest.param(
        put(TIGER, AMUR.mddId, Literal(1001640)),
        TIGER,
        None,
        SH.DatatypeConstraintComponent,
        id="identifier-not-a-string",
    ),
    pytest.param(
        put(ASSESSMENT, AMUR.category, Literal("EN")),
        ASSESSMENT,
        AMUR.category,
        SH.ClassConstraintComponent,
        id="assessment-category-a-literal",
    ),
    pytest.param(
        drop(ASSESSMENT, AMUR.assessor),
        ASSESSMENT,
        AMUR.assessor,
        SH.MinCountConstraintComponent,
        id="assessment-without-assessor",
    ),
    pytest.param(
        put(ASSESSMENT, AMUR.scope, Literal("global")),
        ASSESSMENT,
        AMUR.scope,
        SH.OrConstraintComponent,
        id="assessment-scope-a-literal",
    ),
    pytest.param(
        put(ASSESSMENT, AMUR.year, Literal("2022")),
        ASSESSMENT,
        AMUR.year,
        SH.DatatypeConstraintComponent,
        id="assessment-year-not-gYear",
    ),
    # evidence and qualified links
    pytest.param(
        drop(EVIDENCE, PROV.wasDerivedFrom),
        EVIDENCE,
        PROV.wasDerivedFrom,
        SH.MinCountConstraintComponent,
        id="evidence-without-source",
    ),
    pytest.param(
        put(EVIDENCE, AMUR.method, AK["confidence/high"]),
        EVIDENCE,
        AMUR.method,
        SH.ClassConstraintComponent,
        id="evidence-method-not-a-method",
    ),
    pytest.param(
        put(OCCURRENCE, AMUR.confidence, AK["method/gazetteer"]),
        OCCURRENCE,
        AMUR.confidence,
        SH.ClassConstraintComponent,
        id="occurrence-confidence-not-a-level",
    ),
    pytest.param(
        put(OCCURRENCE, AMUR.confidence, Literal("high")),
        OCCURRENCE,
        AMUR.confidence,
        SH.ClassConstraintComponent,
        id="occurrence-confidence-a-literal",
    ),
    pytest.param(
        drop(OCCURRENCE, AMUR.ecoregion),
        OCCURRENCE,
        AMUR.ecoregion,
        SH.MinCountConstraintComponent,
        id="occurrence-without-ecoregion",
    ),
    pytest.param(
        add(OCCURRENCE, PROV.wasDerivedFrom, AK["source/wwf-teow-2001"]),
        OCCURRENCE,
        PROV.wasDerivedFrom,
        SH.MaxCountConstraintComponent,
        id="occurrence-with-two-sources",
    ),
    pytest.param(
        add(OCCURRENCE, AMUR.method, AK["method/range-box"]),
        OCCURRENCE,
        AMUR.method,
        SH.MaxCountConstraintComponent,
        id="occurrence-with-two-methods",
    ),
    pytest.param(
        add(INFERRED, RDF.type, AMUR.ThreatExposure),
        INFERRED,
        None,
        SH.NotConstraintComponent,
        id="inferred-exposure-typed-threat-exposure",
    ),
    pytest.param(
        put(EXPOSURE, AMUR.method, INFERRED_METHOD),
        EXPOSURE,
        None,
        SH.NotConstraintComponent,
        id="direct-exposure-with-inferred-method",
    ),
    pytest.param(
        put(INFERRED, AMUR.method, AK["method/curated"]),
        INFERRED,
        AMUR.method,
        SH.HasValueConstraintComponent,
        id="inferred-exposure-with-curated-method",
    ),
    pytest.param(
        drop(INFERRED, AMUR.via), INFERRED, AMUR.via, SH.MinCountConstraintComponent, id="inferred-exposure-without-via"
    ),
    pytest.param(
        drop(EXPOSURE, AMUR.threat), EXPOSURE, AMUR.threat, SH.MinCountConstraintComponent, id="exposure-without-threat"
    ),
    pytest.param(
        add(ECO_THREAT, AMUR.taxon, TIGER),
        ECO_THREAT,
        AMUR.taxon,
        SH.MaxCountConstraintComponent,
        id="ecoregion-threat-with-a-taxon",
    ),
    # sources and graphs
    pytest.param(
        drop(SOURCE, DCTERMS.license),
        SOURCE,
        DCTERMS.license,
        SH.MinCountConstraintComponent,
        id="source-without-licence",
    ),
    pytest.param(
        drop(SOURCE, DCTERMS.title), SOURCE, DCTERMS.title, SH.MinCountConstraintComponent, id="source-without-title"
    ),
    pytest.param(
        put(SOURCE, URIRef("http://www.w3.org/ns/dcat#downloadURL"), Literal("https://example.org/x.zip")),
        SOURCE,
        URIRef("http://www.w3.org/ns/dcat#downloadURL"),
        SH.NodeKindConstraintComponent,
        id="download-url-a-literal",
    ),
    pytest.param(
        put(SOURCE, AMUR.sha256, Literal("CC35F8EF")),
        SOURCE,
        AMUR.sha256,
        SH.PatternConstraintComponent,
        id="sha256-malformed",
    ),
    pytest.param(
        drop(SOURCE, URIRef("http://www.w3.org/ns/dcat#downloadURL")),
        SOURCE,
        None,
        SH.OrConstraintComponent,
        id="source-without-download-url-or-landing-page",
    ),
    pytest.param(
        put(SOURCE, AMUR.retrieved, Literal("2024-07-13")),
        SOURCE,
        AMUR.retrieved,
        SH.OrConstraintComponent,
        id="retrieved-a-plain-string",
    ),
    pytest.param(
        drop(AK["graph/wwf-teow-2001"], PROV.wasDerivedFrom),
        AK["graph/wwf-teow-2001"],
        None,
        SH.OrConstraintComponent,
        id="named-graph-without-derivation",
    ),
    # legal protection and trade listings
    pytest.param(
        drop(STATUS, AMUR.validOn),
        STATUS,
        AMUR.validOn,
        SH.MinCountConstraintComponent,
        id="protection-status-without-date",
    ),
    pytest.param(
        put(STATUS, AMUR.validOn, Literal("2017-04-21")),
        STATUS,
        AMUR.validOn,
        SH.DatatypeConstraintComponent,
        id="protection-date-a-plain-string",
    ),
    pytest.param(
        put(STATUS, AMUR.protectionClass, AK["red-list-category/EN"]),
        STATUS,
        AMUR.protectionClass,
        SH.ClassConstraintComponent,
        id="protection-class-a-red-list-category",
    ),
    pytest.param(
        put(STATUS, AMUR.scopeCountry, AK["ecoregion/PA0443"]),
        STATUS,
        AMUR.scopeCountry,
        SH.ClassConstraintComponent,
        id="protection-scope-country-an-ecoregion",
    ),
    pytest.param(
        drop(STATUS, AMUR.evidence),
        STATUS,
        AMUR.evidence,
        SH.MinCountConstraintComponent,
        id="protection-status-without-evidence",
    ),
    pytest.param(
        put(AK["protection-class/cites/I"], SKOS.notation, Literal("IV")),
        AK["protection-class/cites/I"],
        SKOS.notation,
        SH.InConstraintComponent,
        id="protection-class-notation-iv",
    ),
    pytest.param(
        drop(AK["protection-list/cites"], AMUR.instanceOfAction),
        AK["protection-list/cites"],
        AMUR.instanceOfAction,
        SH.MinCountConstraintComponent,
        id="protection-list-without-action",
    ),
]


@pytest.mark.parametrize(("change", "focus", "path", "component"), INVALID)
def test_invalid_case_fails_with_expected_constraint(
    valid_data: Graph,
    shapes: Graph,
    background: Graph,
    change: Change,
    focus: URIRef,
    path: URIRef | None,
    component: URIRef,
    engine: str,
) -> None:
    change(valid_data)
    conforms, results, text = validate(valid_data, shapes, background, engine)
    assert not conforms
    hits = [r for r in results if r.focus == focus and r.component == component and (path is None or r.path == path)]
    assert hits, f"expected {component} on {focus} {path or ''}, got:\n{text}"
    assert all(r.message and r.message != "None" for r in hits), "the failing constraint has no sh:message"
