"""The search index on a handful of names (no store): prefix, word start, substring, typos, grouping by kind."""

from __future__ import annotations

from kg.namespaces import BASE
from server import create_app
from server.explorer.search import SearchIndex, grouped, normalise

ROWS = [
    {"s": BASE + "taxon/panthera-tigris", "name": "Panthera tigris", "label": "Panthera tigris", "rank": "species",
     "category": "EN"},
    {"s": BASE + "taxon/panthera-tigris", "name": "Tiger", "label": "Panthera tigris", "rank": "species"},
    {"s": BASE + "taxon/grus-japonensis", "name": "Red-crowned Crane", "label": "Grus japonensis",
     "rank": "species"},
    {"s": BASE + "taxon/grus-japonensis", "name": "丹顶鹤", "label": "Grus japonensis", "rank": "species"},
    {"s": BASE + "taxon/animalia/genus/panthera", "name": "Panthera", "label": "Panthera", "rank": "genus"},
    {"s": BASE + "river/amur", "name": "Amur", "label": "Amur"},
    {"s": BASE + "ecoregion/PA0804", "name": "Daurian forest steppe", "label": "Daurian forest steppe"},
    {"s": BASE + "occurrence/x/PA0804/range-box", "name": "not searchable", "label": "x"},
]


def iris(index: SearchIndex, q: str) -> list[str]:
    return [hit.entry.iri for hit in index.search(q)]


def test_exact_and_prefix_matches_rank_first():
    index = SearchIndex(ROWS)
    assert iris(index, "panthera tigris")[0] == BASE + "taxon/panthera-tigris"
    assert set(iris(index, "Panth")[:2]) == {BASE + "taxon/animalia/genus/panthera", BASE + "taxon/panthera-tigris"}
    assert iris(index, "tig")[0] == BASE + "taxon/panthera-tigris"  # start of a later word


def test_chinese_substring_and_typos():
    index = SearchIndex(ROWS)
    assert iris(index, "顶鹤") == [BASE + "taxon/grus-japonensis"]
    assert iris(index, "Dahurian forest")[0] == BASE + "ecoregion/PA0804"
    assert iris(index, "red-crowned crane")[0] == BASE + "taxon/grus-japonensis"
    assert iris(index, "Pantera tigirs")[0] == BASE + "taxon/panthera-tigris"
    assert iris(index, "zzzzqqq") == []


def test_labels_kinds_and_grouping():
    index = SearchIndex(ROWS)
    assert BASE + "occurrence/x/PA0804/range-box" not in index.entries  # qualified links are not searched
    tiger = index.entries[BASE + "taxon/panthera-tigris"]
    assert (tiger.kind, tiger.label, tiger.category) == ("species", "Panthera tigris", "EN")
    kinds = [kind for kind, _, _ in grouped(index.search("a", limit=50))]
    assert kinds.index("species") < kinds.index("taxon") < kinds.index("river")


def test_normalise():
    assert normalise("  Écureuil   Roux ") == "ecureuil roux"


def test_pages_without_a_store_say_so(tmp_path):
    client = create_app({"STORE_PATH": str(tmp_path / "none")}).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "No graph yet" in response.get_data(as_text=True)
    assert client.get("/taxon/panthera-tigris").status_code == 503
