"""Reader for letsRept 1.1.1's data: the Reptile Database species list, ReptTraits 2024 and SquamBase 2024.

Three R data frames (``ingest.formats.rframes`` reads them, under a second each): ``allReptiles`` (every species
with order,
family, genus and authorship), ``letsRept_ReptTraits`` (all reptiles: main biogeographic region, IUCN category)
and ``letsRept_SquamBase`` (squamates: synonyms, IUCN category, criteria and year assessed, realm). Only the
columns the graph uses are extracted, cached as JSON (ingest/cache.py) keyed by each file's sha256.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.cache import cached_json
from ingest.formats.rframes import data_frame

SPECIES_LIST, REPT_TRAITS, SQUAMBASE = "allReptiles.rda", "letsRept_ReptTraits.rda", "letsRept_SquamBase.rda"


@dataclass(frozen=True)
class Reptile:
    """One species of the Reptile Database, with what ReptTraits and SquamBase say of it."""

    name: str
    order: str | None = None
    family: str | None = None
    genus: str | None = None
    author: str | None = None  # as the species list gives it: "(PALLAS, 1773)"
    realm: str | None = None  # ReptTraits' main biogeographic region, else SquamBase's realm
    iucn_category: str | None = None  # category name: "Least Concern"
    iucn_year: int | None = None
    iucn_criteria: str | None = None
    iucn_source: str = ""  # "SquamBase" or "ReptTraits"
    synonyms: tuple[str, ...] = ()


def _text(value: Any) -> str | None:
    """A cell as stripped text; R's NA (pandas NA or NaN) and empty cells are None."""
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except TypeError:  # pandas NA refuses comparison
        return None
    text = str(value).strip()
    return text or None


def _by_species(path: Path, columns: Mapping[str, str]) -> dict[str, dict]:
    """The rows of the file's data frame by species name (a row without one is dropped), each as {key: the text of
    its column}."""
    return {
        _text(row["species"]): {key: _text(row[column]) for key, column in columns.items()}
        for row in data_frame(path).to_dict("records")
        if _text(row["species"])
    }


def _extract_species_list(path: Path) -> dict[str, dict]:
    return _by_species(path, {key: key for key in ("order", "family", "genus", "author")})


def _extract_traits(path: Path) -> dict[str, dict]:
    return _by_species(path, {"realm": "Main.biogeographic.region", "iucn": "IUCN.redlist.assessment"})


def _extract_squambase(path: Path) -> dict[str, dict]:
    return _by_species(
        path,
        {
            "realm": "Major.Realm..Falaschi.et.al..2023.designation.",
            "iucn": "Threat.status..IUCN..October.2023.",
            "criteria": "IUCN.threat.criteria..October.2023.",
            "year": "year.assessed.by.the.IUCN",
            "synonyms": "synonyms",
        },
    )


def combine(
    species_list: Mapping[str, dict], traits: Mapping[str, dict], squambase: Mapping[str, dict]
) -> dict[str, Reptile]:
    """One Reptile per species of the species list, with the trait tables joined on the name."""
    reptiles = {}
    for name, row in species_list.items():
        trait = traits.get(name, {})
        squam = squambase.get(name, {})
        # SquamBase's assessment (October 2023, with year and criteria) before ReptTraits' (category only)
        if squam.get("iucn"):
            iucn = (squam["iucn"], _year(squam.get("year")), squam.get("criteria"), "SquamBase")
        elif trait.get("iucn"):
            iucn = (trait["iucn"], None, None, "ReptTraits")
        else:
            iucn = (None, None, None, "")
        reptiles[name] = Reptile(
            name=name,
            order=row.get("order"),
            family=row.get("family"),
            genus=row.get("genus"),
            author=row.get("author"),
            realm=trait.get("realm") or squam.get("realm"),
            iucn_category=iucn[0],
            iucn_year=iucn[1],
            iucn_criteria=iucn[2],
            iucn_source=iucn[3],
            synonyms=tuple(s.strip() for s in (squam.get("synonyms") or "").split(",") if s.strip()),
        )
    return reptiles


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def load(folder: Path, cache_dir: Path | None = None) -> dict[str, Reptile]:
    """The Reptile Database species of the letsRept folder, by name."""
    folder = Path(folder)
    return combine(
        cached_json(folder / SPECIES_LIST, cache_dir, "letsrept-species", _extract_species_list),
        cached_json(folder / REPT_TRAITS, cache_dir, "letsrept-traits", _extract_traits),
        cached_json(folder / SQUAMBASE, cache_dir, "letsrept-squambase", _extract_squambase),
    )
