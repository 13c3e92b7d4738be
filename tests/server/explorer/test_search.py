"""The search index on a handful of names (no store): prefix, word start, substring, typos, grouping by kind."""

from __future__ import annotations

import re

import pytest

from kg.namespaces import BASE
from server import create_app
from server.explorer.search import SearchIndex, grouped, normalise

ROWS = [
    {
        "s": BASE + "taxon/panthera-tigris",
        "name": "Panthera tigris",
        "label": "Panthera tigris",
        "rank": "species",
        "category": "EN",
    },
    {"s": BASE + "taxon/panthera-tigris", "name": "Tiger", "label": "Panthera tigris", "rank": "species"},
    {"s": BASE + "taxon/grus-japonensis", "name": "Red-crowned Crane", "label": "Grus japonensis", "rank": "species"},
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


def test_tiers_rank_exact_then_whole_words_then_prefix_and_fuzzy_only_when_needed():
    rows = ROWS + [
        {
            "s": BASE + "taxon/craseomys-rufocanus",
            "name": "Craseomys rufocanus",
            "label": "Craseomys rufocanus",
            "rank": "species",
        },
        {"s": BASE + "taxon/grus-grus", "name": "Common Crane", "label": "Grus grus", "rank": "species"},
        {"s": BASE + "taxon/geranium", "name": "Cranesbill", "label": "Geranium", "rank": "genus"},
    ]
    index = SearchIndex(rows)
    hits = index.search("crane")
    # whole-word matches before a word that only starts with the query; no typo match while names match
    assert [h.entry.iri for h in hits] == [
        BASE + "taxon/grus-grus",
        BASE + "taxon/grus-japonensis",
        BASE + "taxon/geranium",
    ]
    assert not any(h.fuzzy for h in hits)
    assert iris(index, "crowned")[0] == BASE + "taxon/grus-japonensis"  # a word after a hyphen
    assert iris(index, "tiger")[0] == BASE + "taxon/panthera-tigris"
    typo = index.search("cranne")
    assert typo and all(h.fuzzy for h in typo)


# --- the real graph -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_index(built_store) -> SearchIndex:
    from kg.store import layout as kgstore

    return SearchIndex.from_store(kgstore.open_read_only(built_store))


def test_crane_lists_cranes_and_no_vole(real_index):
    hits = real_index.search("crane", limit=60)
    assert not any(h.fuzzy for h in hits)
    assert all("craseomys" not in h.entry.iri for h in hits)
    species = [h for h in hits if h.entry.kind == "species"]
    assert BASE + "taxon/grus-japonensis" in {h.entry.iri for h in species}
    # every species hit has 'crane' as a word, or a word starting with it, in the matched name
    assert all(any(w.startswith("crane") for w in normalise(h.matched).replace("-", " ").split()) for h in species)
    # the cranes (whole word) come before names that only start with it
    whole = [any(w == "crane" for w in normalise(h.matched).replace("-", " ").split()) for h in hits]
    assert whole == sorted(whole, reverse=True)


def test_tiger_ginseng_and_pinyin(real_index):
    index = real_index
    assert iris(index, "tiger")[0] == BASE + "taxon/panthera-tigris"
    assert iris(index, "Panthera tigris")[0] == BASE + "taxon/panthera-tigris"
    assert iris(index, "tigr")[0] == BASE + "taxon/panthera-tigris"  # the start of a word, not a typo
    ginseng = index.search("人参")
    assert ginseng[0].entry.iri == BASE + "taxon/panax-ginseng" and ginseng[0].matched == "人参"
    assert not any(h.fuzzy for h in ginseng)
    assert iris(index, "ren shen")[0] == BASE + "taxon/panax-ginseng"


def test_typos_find_the_name_from_any_word(real_index):
    assert [h.entry.iri for h in real_index.search("siberain crane")][:1] == [BASE + "taxon/leucogeranus-leucogeranus"]
    cranes = {h.entry.iri for h in real_index.search("crain")}  # the typo of a later word
    assert {BASE + "taxon/grus-japonensis", BASE + "taxon/grus-grus"} <= cranes
    tigre = real_index.search("tigre")
    assert tigre[0].entry.iri == BASE + "taxon/panthera-tigris" and all(h.fuzzy for h in tigre)


def test_a_typo_is_offered_as_did_you_mean(real_index, real_client):
    client = real_client
    hits = real_index.search("Pantera tigirs")
    assert hits and all(h.fuzzy for h in hits) and hits[0].entry.iri == BASE + "taxon/panthera-tigris"
    page = client.get("/search?q=Pantera+tigirs").get_data(as_text=True)
    assert re.search(r'<p class="did-you-mean">.*Did you mean', page) and "/taxon/panthera-tigris" in page
    assert 'class="did-you-mean"' not in client.get("/search?q=crane").get_data(as_text=True)
    suggestions = client.get("/explore/search.json?q=Pantera+tigirs").get_json()["results"]
    assert suggestions[0]["fuzzy"] is True
    assert client.get("/explore/search.json?q=tiger").get_json()["results"][0]["fuzzy"] is False
