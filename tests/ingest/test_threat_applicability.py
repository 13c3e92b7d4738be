"""The threat applicability table (ingest/curated/threat_applicability.yml): which IUCN threats the inference
may give to which kind of organism, checked against the IUCN scheme and the curated ecoregion threats."""

from __future__ import annotations

import re

import pytest

from ingest import basin, iucn, threat_applicability

TABLE = threat_applicability.load()


def iucn_threats(sources_dir) -> dict[str, str]:
    """IUCN threat code -> its title, from the recorded API response the build reads."""
    path = sources_dir / "iucn-redlist-api-v4" / "rl_threats-def.yml"
    return {r["code"].replace("_", "."): r["description"]["en"] for r in iucn.api_records(path, "threats")}


def test_every_row_has_a_reason_and_a_threat_of_the_scheme(sources_dir):
    codes = iucn_threats(sources_dir)
    for code, rule in TABLE.rules.items():
        assert code in codes, code
        assert len(rule.reason) > 20, code


def test_every_ecoregion_threat_has_a_row():
    # a threat the curated page gives an ecoregion, with no row, would silently never be inferred
    facts = basin.load()
    codes = {code for factor in facts["threat_factors"] for code in factor["iucn"]}
    assert codes
    assert {code for code in codes if TABLE.rule_for(code) is None} == set()


def test_codes_where_the_species_is_the_target_are_never_inferred(sources_dir):
    # computed from the scheme's own titles: "species is the target", intentional use, persecution
    targeted = {
        code
        for code, title in iucn_threats(sources_dir).items()
        if re.search(r"species is the target|^Intentional use|^Persecution/control", title)
    }
    assert {"5.1.1", "5.2.1", "5.4.1"} <= targeted
    for code in targeted:
        assert not TABLE.rule_for(code).kind.groups, code
        for group in ("plant", "bird", "mammal", "fish", "amphibian", "reptile"):
            assert not TABLE.applies(code, group, None, None), (code, group)


@pytest.mark.parametrize(
    ("threat", "group", "family", "genus", "applies"),
    [
        ("5.1", "mammal", "Felidae", "Panthera", True),  # hunting: terrestrial animals
        ("5.1.2", "bird", "Anatidae", "Anas", True),  # a narrower code follows its broader row
        ("5.1", "plant", "Araliaceae", "Panax", False),
        ("5.1", "fish", "Acipenseridae", "Huso", False),
        ("5.2", "plant", "Araliaceae", "Panax", True),  # gathering: plants only
        ("5.2.2", "mammal", "Felidae", "Panthera", False),
        ("5.4", "fish", "Cyprinidae", "Carassius", True),  # fishing: fishes and aquatic animals
        ("5.4", "mammal", "Mustelidae", "Lutra", True),
        ("5.4", "mammal", "Cervidae", "Cervus", False),
        ("5.4", "plant", "Pinaceae", "Pinus", False),
        ("7.2", "fish", "Salmonidae", "Brachymystax", True),  # dams: freshwater and wetland species
        ("7.2.10", "amphibian", "Ranidae", "Rana", True),
        ("7.2", "bird", "Gruidae", "Grus", True),
        ("7.2", "bird", "Paridae", "Parus", False),
        ("7.2", "plant", "Nymphaeaceae", "Nymphaea", True),
        ("7.2", "plant", "Lythraceae", "Trapa", True),
        ("7.2", "plant", "Pinaceae", "Pinus", False),
        ("7.2", "mammal", "Felidae", "Panthera", False),
        ("11.1", "plant", "Pinaceae", "Pinus", True),  # habitat-level threats act on every species
        ("2.1", "reptile", None, "Gloydius", True),
        ("5.1.1", "mammal", "Felidae", "Panthera", False),  # the species is the target: never inferred
        ("5.2.1", "plant", "Araliaceae", "Panax", False),
        ("5.3.2", "plant", "Pinaceae", "Pinus", False),
        ("9.1", "fish", "Cyprinidae", "Carassius", False),  # no row: never inferred
    ],
)
def test_applies(threat, group, family, genus, applies):
    assert TABLE.applies(threat, group, family, genus) is applies


def test_a_row_naming_an_unknown_kind_is_refused(tmp_path):
    path = tmp_path / "table.yml"
    path.write_text(
        "kinds:\n  plant: {label: plants, groups: [plant]}\n"
        "rules:\n  - {threat: '5.2', applies_to: plants, reason: a typo of the kind's key}\n"
    )
    with pytest.raises(ValueError, match="unknown kind 'plants'"):
        threat_applicability.load(path)
