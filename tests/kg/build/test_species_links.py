"""The species layer on hand-made records: which shortcut each species-ecoregion pair gets (recorded or
possible), and which threats the inference gives through the recorded ones (kg/build/species.py)."""

from __future__ import annotations

from rdflib import Graph

from ingest.records import Placement, SpeciesRecord
from kg.build.species import SpeciesLayer, merge
from kg.namespaces import AMUR, taxon_iri


def species(source: str, row_id: str, group: str, name: str, family: str, *placements: Placement) -> SpeciesRecord:
    # the four fields every record has, in their order; the genus is the name's first word
    return SpeciesRecord(source, row_id, group, name, family=family, genus=name.split()[0], placements=list(placements))


OTTER = species(
    "mdd-1.13",
    "1",
    "mammal",
    "Lutra lutra",
    "Mustelidae",
    Placement("PA0443", "gazetteer", "medium", "Primorsky Krai", "mdd-1.13"),
    Placement("PA0443", "range-box", "low", "box", "rangebuilder-2022"),
    Placement("PA0426", "gazetteer", "low", "Manchuria", "mdd-1.13"),
)
PINE = species(
    "col-china-2023",
    "2",
    "plant",
    "Pinus koraiensis",
    "Pinaceae",
    Placement("PA0443", "province", "medium", "heilongjiang", "col-china-2023"),
)
ECOREGION_THREATS = {"PA0443": {"5.1", "5.1.1", "5.2.1", "7.2", "11.1"}, "PA0426": {"3.2"}}
PARENTS = {"5.1.1": "5.1", "5.2.1": "5.2", "7.2": "7"}


def built() -> tuple[SpeciesLayer, Graph]:
    layer = SpeciesLayer(merge([OTTER, PINE]), {}, ECOREGION_THREATS, [], PARENTS)
    layer.build()
    union = Graph()
    for graph in [*layer.graphs.values(), layer.derived]:
        union += graph
    return layer, union


def codes(graph: Graph, name: str, prop) -> set[str]:
    return {str(o).rsplit("/", 1)[-1] for o in graph.objects(taxon_iri(name), prop)}


def test_a_pair_is_recorded_by_its_most_confident_placement_else_possible():
    _, graph = built()
    # PA0443: a medium gazetteer placement beats the low range box; PA0426: low only
    assert codes(graph, "Lutra lutra", AMUR.occursIn) == {"PA0443"}
    assert codes(graph, "Lutra lutra", AMUR.possiblyOccursIn) == {"PA0426"}
    occurrences = set(graph.subjects(AMUR.taxon, taxon_iri("Lutra lutra"))) & set(graph.subjects(None, AMUR.Occurrence))
    assert len(occurrences) == 3  # every placement is kept as a node, with its method and confidence


def test_threats_inferred_through_recorded_pairs_where_they_can_act():
    layer, graph = built()
    # the otter: hunting, dams, climate; not 5.1.1 (folded into 5.1, and the target), not 5.2.1 (plants, the
    # target), not 3.2 (PA0426 is only possible)
    assert codes(graph, "Lutra lutra", AMUR.inferredThreat) == {"5.1", "7.2", "11.1"}
    # the pine: neither hunted, nor gathered by inference (5.2.1 is the target), nor a wetland plant
    assert codes(graph, "Pinus koraiensis", AMUR.inferredThreat) == {"11.1"}
    assert layer.threat_yields() == {
        "before": 8,
        "after": 4,
        "removed": {
            "5.1 on terrestrial-animal": {"plant": 1},
            "5.2.1 on nothing": {"mammal": 1, "plant": 1},
            "7.2 on freshwater-or-wetland": {"plant": 1},
        },
    }
