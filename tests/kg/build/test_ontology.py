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


class Edit(NamedTuple):
    """A change to the valid data on one subject and property: where its violation is reported, unless the case
    says otherwise."""

    subject: URIRef
    prop: URIRef
    change: Change

    def __call__(self, graph: Graph) -> None:
        self.change(graph)


def drop(subject: URIRef, prop: URIRef) -> Edit:
    return Edit(subject, prop, lambda g: g.remove((subject, prop, None)))


def put(subject: URIRef, prop: URIRef, value: object) -> Edit:
    return Edit(subject, prop, lambda g: g.set((subject, prop, value)))


def add(subject: URIRef, prop: URIRef, value: object) -> Edit:
    return Edit(subject, prop, lambda g: g.add((subject, prop, value)))


EDITED = object()  # the case's focus or path is the edited subject or property


def violation(edit: Edit, component: URIRef, case_id: str, focus: object = EDITED, path: object = EDITED):
    """A case of INVALID: ``edit`` makes the data fail ``component``, reported on the edited subject and property
    unless ``focus`` or ``path`` names another (path None: on any path)."""
    return pytest.param(
        edit,
        edit.subject if focus is EDITED else focus,
        edit.prop if path is EDITED else path,
        component,
        id=case_id,
    )


STATUS = AK["taxon/panthera-tigris/protection/cites/I"]
INVALID = [
    # places
    violation(drop(ECO, GEO.hasGeometry), SH.MinCountConstraintComponent, "ecoregion-without-geometry"),
    violation(
        add(ECO, GEO.hasGeometry, AK["ecoregion/PA0443/geometry2"]),
        SH.MaxCountConstraintComponent,
        "ecoregion-with-two-geometries",
    ),
    violation(
        put(GEOMETRY, GEO.asWKT, Literal("MULTIPOLYGON (((131 43, 137 43, 137 48, 131 43)))")),
        SH.DatatypeConstraintComponent,
        "wkt-not-a-wktLiteral",
    ),
    violation(
        put(GEOMETRY, GEO.asWKT, Literal("LINESTRING (131 43, 137 48)", datatype=GEO.wktLiteral)),
        SH.NodeConstraintComponent,
        "ecoregion-geometry-not-a-polygon",
        focus=ECO,
        path=GEO.hasGeometry,
    ),
    violation(
        put(ECO, SKOS.notation, Literal("NA0443")), SH.PatternConstraintComponent, "terrestrial-notation-not-palearctic"
    ),
    violation(
        put(AK["ecoregion/FW-RFE"], SKOS.notation, Literal("RFE")),
        SH.PatternConstraintComponent,
        "freshwater-notation-without-prefix",
    ),
    violation(
        add(ECO, SKOS.notation, Literal("80443")), SH.MaxCountConstraintComponent, "ecoregion-with-two-notations"
    ),
    violation(drop(ECO, RDFS.label), SH.MinCountConstraintComponent, "ecoregion-without-label"),
    violation(put(ECO, AMUR.areaKm2, Literal(-5)), SH.MinInclusiveConstraintComponent, "negative-area"),
    violation(drop(ECO, AMUR.biome), SH.MinCountConstraintComponent, "ecoregion-without-biome"),
    violation(
        put(AK["country/RU"], SKOS.notation, Literal("RUS")), SH.PatternConstraintComponent, "country-alpha3-code"
    ),
    violation(put(AK["river/zeya"], AMUR.tributaryOf, ECO), SH.ClassConstraintComponent, "tributary-of-an-ecoregion"),
    # schemes
    violation(
        put(THREAT, SKOS.notation, Literal("5_1_1")), SH.PatternConstraintComponent, "threat-code-with-underscores"
    ),
    violation(
        put(THREAT, SKOS.inScheme, AK["scheme/actions"]), SH.HasValueConstraintComponent, "threat-in-the-actions-scheme"
    ),
    violation(put(THREAT, SKOS.broader, AK["action/5"]), SH.ClassConstraintComponent, "threat-broader-than-an-action"),
    violation(
        put(THREAT, SKOS.prefLabel, Literal("Intentional use")),
        SH.QualifiedMinCountConstraintComponent,
        "threat-label-without-language",
    ),
    violation(
        add(THREAT, AMUR.inferredOn, Literal("plants", lang="en")),
        SH.MaxCountConstraintComponent,
        "threat-inferred-on-two-kinds",
    ),
    violation(
        put(THREAT, AMUR.inferredOn, Literal("no species by inference")),
        SH.DatatypeConstraintComponent,
        "threat-inferred-on-without-language",
    ),
    violation(
        put(AK["confidence/high"], AMUR.confidenceScore, Literal(Decimal("1.5"))),
        SH.MaxInclusiveConstraintComponent,
        "confidence-score-above-one",
    ),
    violation(
        put(AK["red-list-category/EN"], AMUR.categoryRank, Literal(7)),
        SH.MaxInclusiveConstraintComponent,
        "category-rank-off-scale",
    ),
    violation(drop(INITIATIVE, AMUR.concernsEcoregion), SH.MinCountConstraintComponent, "initiative-without-ecoregion"),
    violation(
        put(AK["threat-factor/illegal-logging"], AMUR.mappedTo, AK["action/5.4"]),
        SH.ClassConstraintComponent,
        "threat-factor-mapped-to-an-action",
    ),
    # taxa
    violation(drop(TIGER, AMUR.evidence), SH.MinCountConstraintComponent, "species-without-evidence"),
    violation(drop(TIGER, AMUR.group), SH.OrConstraintComponent, "species-without-group", path=None),
    violation(put(TIGER, DWC.taxonRank, Literal("Species")), SH.InConstraintComponent, "rank-not-in-list"),
    violation(drop(TIGER, DWC.genus), SH.MinCountConstraintComponent, "species-without-genus"),
    violation(
        add(TIGER, DWC.family, Literal("Pantherinae")), SH.MaxCountConstraintComponent, "species-with-two-families"
    ),
    violation(drop(TIGER, AMUR.parentTaxon), SH.MinCountConstraintComponent, "species-without-parent"),
    violation(
        add(TIGER, DWC.scientificName, Literal("Panthera tigris")),
        SH.MaxCountConstraintComponent,
        "two-scientific-names",
    ),
    violation(
        add(TIGER, DWC.vernacularName, Literal("Amur tiger")),
        SH.DatatypeConstraintComponent,
        "vernacular-name-without-language",
    ),
    violation(add(TIGER, AMUR.occursIn, THREAT), SH.ClassConstraintComponent, "occurs-in-a-threat"),
    violation(add(TIGER, AMUR.possiblyOccursIn, THREAT), SH.ClassConstraintComponent, "possibly-occurs-in-a-threat"),
    violation(
        add(TIGER, AMUR.possiblyOccursIn, ECO),
        SH.DisjointConstraintComponent,
        "recorded-and-possible-in-one-ecoregion",
        path=AMUR.occursIn,
    ),
    violation(add(TIGER, AMUR.threatenedBy, ECO), SH.ClassConstraintComponent, "threatened-by-an-ecoregion"),
    violation(
        add(TIGER, AMUR.inferredThreat, AK["action/5.4"]), SH.ClassConstraintComponent, "inferred-threat-an-action"
    ),
    violation(
        add(AK["taxon/animalia/genus/panthera"], AMUR.group, AK["group/mammal"]),
        SH.HasValueConstraintComponent,
        "genus-with-a-group",
        path=DWC.taxonRank,
    ),
    violation(
        put(TIGER, AMUR.mddId, Literal(1001640)), SH.DatatypeConstraintComponent, "identifier-not-a-string", path=None
    ),
    violation(
        put(ASSESSMENT, AMUR.category, Literal("EN")), SH.ClassConstraintComponent, "assessment-category-a-literal"
    ),
    violation(drop(ASSESSMENT, AMUR.assessor), SH.MinCountConstraintComponent, "assessment-without-assessor"),
    violation(put(ASSESSMENT, AMUR.scope, Literal("global")), SH.OrConstraintComponent, "assessment-scope-a-literal"),
    violation(put(ASSESSMENT, AMUR.year, Literal("2022")), SH.DatatypeConstraintComponent, "assessment-year-not-gYear"),
    # evidence and qualified links
    violation(drop(EVIDENCE, PROV.wasDerivedFrom), SH.MinCountConstraintComponent, "evidence-without-source"),
    violation(
        put(EVIDENCE, AMUR.method, AK["confidence/high"]), SH.ClassConstraintComponent, "evidence-method-not-a-method"
    ),
    violation(
        put(OCCURRENCE, AMUR.confidence, AK["method/gazetteer"]),
        SH.ClassConstraintComponent,
        "occurrence-confidence-not-a-level",
    ),
    violation(
        put(OCCURRENCE, AMUR.confidence, Literal("high")),
        SH.ClassConstraintComponent,
        "occurrence-confidence-a-literal",
    ),
    violation(drop(OCCURRENCE, AMUR.ecoregion), SH.MinCountConstraintComponent, "occurrence-without-ecoregion"),
    violation(
        add(OCCURRENCE, PROV.wasDerivedFrom, AK["source/wwf-teow-2001"]),
        SH.MaxCountConstraintComponent,
        "occurrence-with-two-sources",
    ),
    violation(
        add(OCCURRENCE, AMUR.method, AK["method/range-box"]),
        SH.MaxCountConstraintComponent,
        "occurrence-with-two-methods",
    ),
    violation(
        add(INFERRED, RDF.type, AMUR.ThreatExposure),
        SH.NotConstraintComponent,
        "inferred-exposure-typed-threat-exposure",
        path=None,
    ),
    violation(
        put(EXPOSURE, AMUR.method, INFERRED_METHOD),
        SH.NotConstraintComponent,
        "direct-exposure-with-inferred-method",
        path=None,
    ),
    violation(
        put(INFERRED, AMUR.method, AK["method/curated"]),
        SH.HasValueConstraintComponent,
        "inferred-exposure-with-curated-method",
    ),
    violation(drop(INFERRED, AMUR.via), SH.MinCountConstraintComponent, "inferred-exposure-without-via"),
    violation(drop(EXPOSURE, AMUR.threat), SH.MinCountConstraintComponent, "exposure-without-threat"),
    violation(add(ECO_THREAT, AMUR.taxon, TIGER), SH.MaxCountConstraintComponent, "ecoregion-threat-with-a-taxon"),
    # sources and graphs
    violation(drop(SOURCE, DCTERMS.license), SH.MinCountConstraintComponent, "source-without-licence"),
    violation(drop(SOURCE, DCTERMS.title), SH.MinCountConstraintComponent, "source-without-title"),
    violation(
        put(SOURCE, URIRef("http://www.w3.org/ns/dcat#downloadURL"), Literal("https://example.org/x.zip")),
        SH.NodeKindConstraintComponent,
        "download-url-a-literal",
    ),
    violation(put(SOURCE, AMUR.sha256, Literal("CC35F8EF")), SH.PatternConstraintComponent, "sha256-malformed"),
    violation(
        drop(SOURCE, URIRef("http://www.w3.org/ns/dcat#downloadURL")),
        SH.OrConstraintComponent,
        "source-without-download-url-or-landing-page",
        path=None,
    ),
    violation(put(SOURCE, AMUR.retrieved, Literal("2024-07-13")), SH.OrConstraintComponent, "retrieved-a-plain-string"),
    violation(
        drop(AK["graph/wwf-teow-2001"], PROV.wasDerivedFrom),
        SH.OrConstraintComponent,
        "named-graph-without-derivation",
        path=None,
    ),
    # legal protection and trade listings
    violation(drop(STATUS, AMUR.validOn), SH.MinCountConstraintComponent, "protection-status-without-date"),
    violation(
        put(STATUS, AMUR.validOn, Literal("2017-04-21")),
        SH.DatatypeConstraintComponent,
        "protection-date-a-plain-string",
    ),
    violation(
        put(STATUS, AMUR.protectionClass, AK["red-list-category/EN"]),
        SH.ClassConstraintComponent,
        "protection-class-a-red-list-category",
    ),
    violation(
        put(STATUS, AMUR.scopeCountry, AK["ecoregion/PA0443"]),
        SH.ClassConstraintComponent,
        "protection-scope-country-an-ecoregion",
    ),
    violation(drop(STATUS, AMUR.evidence), SH.MinCountConstraintComponent, "protection-status-without-evidence"),
    violation(
        put(AK["protection-class/cites/I"], SKOS.notation, Literal("IV")),
        SH.InConstraintComponent,
        "protection-class-notation-iv",
    ),
    violation(
        drop(AK["protection-list/cites"], AMUR.instanceOfAction),
        SH.MinCountConstraintComponent,
        "protection-list-without-action",
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
