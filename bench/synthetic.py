"""Graphs for the benchmark, all as N-Quads: the full graph's dump, a tiny slice of it, and synthetic growth.

Synthetic growth clones every species with everything it owns (its assessments and evidence under
``ak:taxon/<slug>/…``, its ``ak:occurrence/<slug>/…``, ``ak:threat-exposure/<slug>/…`` and
``ak:inferred-threat/<slug>/…`` links): copy k gets the slug ``<slug>-synthetic-k``, names ending in
`` (synthetic k)``, and lives in the named graph ``ak:graph/bench-synthetic``, so nothing synthetic can be
mistaken for data. The clones link to the same ecoregions, threats, categories and higher taxa, so the graph
keeps its shape (species per ecoregion, links per species) while it grows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import AMUR, BASE

SYNTHETIC_GRAPH = f"<{BASE}graph/bench-synthetic>"
# Namespaces whose IRIs belong to one species: the slug is the first path segment after the namespace.
OWNED_NAMESPACES = ("taxon", "occurrence", "threat-exposure", "inferred-threat")
OWNED_IRI = re.compile("<" + re.escape(BASE) + "(" + "|".join(OWNED_NAMESPACES) + r")/([a-z0-9-]+)(?=[/>])")
NAME_PREDICATES = ("<http://www.w3.org/2000/01/rdf-schema#label>", "<http://rs.tdwg.org/dwc/terms/scientificName>",
                   f"<{AMUR.canonicalName}>")
SPECIES_RANK = '<http://rs.tdwg.org/dwc/terms/taxonRank> "species"'


def dump_store(store: ox.Store, target: Path) -> int:
    """Write all named graphs of the store as N-Quads; the number of quads."""
    store.dump(output=str(target), format=ox.RdfFormat.N_QUADS)
    return count_lines(target)


def count_lines(path: Path) -> int:
    with open(path, "rb") as lines:
        return sum(1 for _ in lines)


def species_slugs(dump: Path) -> list[str]:
    """Slugs of the species (taxa of rank species) in a dump, in the dump's order."""
    slugs: dict[str, None] = {}
    prefix = f"<{BASE}taxon/"
    with open(dump, encoding="utf-8") as lines:
        for line in lines:
            if SPECIES_RANK in line and line.startswith(prefix):
                slugs[line[len(prefix):line.index(">")]] = None
    return list(slugs)


def _owner(line: str, species: set[str]) -> str | None:
    """The species slug whose IRI space the quad's subject is in, else None."""
    match = OWNED_IRI.match(line)
    if match and match.group(2) in species:
        return match.group(2)
    return None


def write_slice(dump: Path, target: Path, species_count: int, keep: tuple[str, ...] = ()) -> int:
    """A small graph of the same shape: every quad not owned by a species, the first ``species_count`` species and
    those named in ``keep`` (slugs)."""
    everyone = species_slugs(dump)
    kept = set(everyone[:species_count]) | (set(keep) & set(everyone))
    everyone = set(everyone)
    written = 0
    with open(dump, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for line in lines:
            owner = _owner(line, everyone)
            if owner is None or owner in kept:
                out.write(line)
                written += 1
    return written


def write_scaled(dump: Path, target: Path, factor: int) -> int:
    """The dump plus ``factor - 1`` synthetic copies of every species; the number of quads written."""
    species = set(species_slugs(dump))
    owned: list[str] = []
    written = 0
    with open(dump, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line)
            written += 1
            if _owner(line, species) is not None:
                owned.append(line)
        for copy in range(1, factor):
            out.writelines(_clone(line, species, copy) for line in owned)
            written += len(owned)
    return written


def _clone(line: str, species: set[str], copy: int) -> str:
    def rename(match: re.Match) -> str:
        slug = match.group(2)
        return match.group(0) + (f"-synthetic-{copy}" if slug in species else "")

    line = OWNED_IRI.sub(rename, line)
    # names of the clone say they are synthetic; the literal is the last "…" before the graph term
    subject_end = line.index(">") + 1
    predicate = line[subject_end:].split(" ", 2)[1]
    if predicate in NAME_PREDICATES:
        head, _, tail = line.rpartition('"')
        line = f"{head} (synthetic {copy})\"{tail}"
    # the graph term is the last IRI on the line
    return line[:line.rindex(" <")] + f" {SYNTHETIC_GRAPH} .\n"
