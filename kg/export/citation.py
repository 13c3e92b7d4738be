"""The dataset's description and citation (CITATION.cff), its version and build time."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import yaml
from rdflib.namespace import PROV

from kg.namespaces import ONTOLOGY_VERSION, base_iri, iri
from kg.query import solutions
from kg.sources.registry import ROOT

EXPORT_QUERIES = ROOT / "queries" / "export"


CITATION_FILE = ROOT / "CITATION.cff"


ONTOLOGY_FILE = ROOT / "ontology" / "amurkg.ttl"


DUMPS_DIR = "dumps"


DUMPS_MANIFEST = "dumps.json"


def dataset_iri() -> str:
    """The dataset's IRI under the configured base."""
    return str(iri("dataset"))


# The basin's bounding box (degrees): the geographic coverage of the EML and the DCAT description.
BASIN_BBOX = {"west": 107.0, "east": 141.0, "south": 41.0, "north": 56.0}


def citation_metadata() -> dict[str, Any]:
    """CITATION.cff as a mapping (title, version, authors, licence, url)."""
    data: dict[str, Any] = yaml.safe_load(CITATION_FILE.read_text(encoding="utf-8"))
    return data


def dataset_citation(version: str, build_id: str | None) -> str:
    cff = citation_metadata()
    authors = ", ".join(
        a.get("name") or f"{a.get('family-names')}, {a.get('given-names')}" for a in cff.get("authors", [])
    )
    build = f", build {build_id}" if build_id else ""
    return f"{authors}. {cff['title']}, version {version}{build}. {cff.get('url', base_iri())}"


def dataset_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("amurkg")
    except PackageNotFoundError:
        return ONTOLOGY_VERSION


def built_time(store: ox.Store) -> str | None:
    rows = list(
        solutions(
            store.query(
                f"SELECT ?t WHERE {{ <{dataset_iri()}> <{PROV.generatedAtTime}> ?t }}", use_default_graph_as_union=True
            )
        )
    )
    return rows[0]["t"].value if rows else None
