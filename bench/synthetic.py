"""Graphs for the benchmark, all as N-Quads: the full graph's dump, a tiny slice of it, and synthetic growth.

Synthetic growth clones every species with everything it owns (its assessments and evidence under
``ak:taxon/<slug>/…``, its ``ak:occurrence/<slug>/…``, ``ak:threat-exposure/<slug>/…`` and
``ak:inferred-threat/<slug>/…`` links): copy k gets the slug ``<slug>-synthetic-k``, names ending in
`` (synthetic k)``, and lives in the named graph ``ak:graph/bench-synthetic``, so nothing synthetic can be
mistaken for data. The clones link to the same ecoregions, threats, categories and higher taxa, so the graph
keeps its shape (species per ecoregion, links per species) while it grows.

The copies are made from one template of the cloned quads (a ``bytes.replace`` per copy) and streamed straight
into a store's bulk loader (``load_scaled``): a ×50 graph (30 M quads, ~6 GB of N-Quads) is never written out.
"""

from __future__ import annotations

import io
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import AMUR, BASE

SYNTHETIC_GRAPH = f"<{BASE}graph/bench-synthetic>"
# Namespaces whose IRIs belong to one species: the slug is the first path segment after the namespace.
OWNED_NAMESPACES = ("taxon", "occurrence", "threat-exposure", "inferred-threat")
OWNED_IRI = re.compile("<" + re.escape(BASE) + "(" + "|".join(OWNED_NAMESPACES) + r")/([a-z0-9-]+)(?=[/>])")
NAME_PREDICATES = (
    "<http://www.w3.org/2000/01/rdf-schema#label>",
    "<http://rs.tdwg.org/dwc/terms/scientificName>",
    f"<{AMUR.canonicalName}>",
)
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
                slugs[line[len(prefix) : line.index(">")]] = None
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


MARK = b"\x00"  # stands for the copy number in the clone template; N-Quads text never holds a NUL byte


def clone_template(dump: Path) -> tuple[bytes, int]:
    """The quads every synthetic copy adds, as one N-Quads text with MARK where the copy number goes, and their
    number. Built once per dump: a copy is then one ``bytes.replace`` (C speed), not a regex per quad."""
    species = set(species_slugs(dump))
    parts: list[str] = []
    with open(dump, encoding="utf-8") as lines:
        for line in lines:
            if _owner(line, species) is not None:
                parts.append(_clone(line, species, "\x00"))
    template = "".join(parts).encode("utf-8")
    if template.count(MARK) < len(parts):
        raise ValueError("the clone template lost its copy marks")
    return template, len(parts)


def scaled_chunks(dump: Path, factor: int, template: bytes | None = None) -> Iterator[bytes]:
    """The N-Quads text of the dump plus ``factor - 1`` synthetic copies of every species, in chunks."""
    with open(dump, "rb") as source:
        while block := source.read(1 << 24):
            yield block
    if factor > 1:
        template = template if template is not None else clone_template(dump)[0]
        for copy in range(1, factor):
            yield template.replace(MARK, str(copy).encode())


def scaled_quads(dump: Path, factor: int, owned: int | None = None) -> int:
    """How many quads the dump grown ×factor has."""
    if owned is None:
        owned = clone_template(dump)[1]
    return count_lines(dump) + (factor - 1) * owned


class ChunkReader(io.RawIOBase):
    """A binary file over an iterator of chunks: the scaled graph streamed into a loader, never written to disk."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._current:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._current = memoryview(chunk)
        n = min(len(buffer), len(self._current))
        buffer[:n] = self._current[:n]
        self._current = self._current[n:]
        return n


def write_scaled(dump: Path, target: Path, factor: int) -> int:
    """The dump plus ``factor - 1`` synthetic copies of every species, written to ``target``; the number of quads."""
    template, owned = clone_template(dump)
    with open(target, "wb") as out:
        for chunk in scaled_chunks(dump, factor, template):
            out.write(chunk)
    return scaled_quads(dump, factor, owned)


def load_scaled(dump: Path, store_dir: Path, factor: int) -> dict:
    """Bulk-load the dump grown ×factor into a new on-disk store, streamed (the build's last step: ``bulk_load``,
    then ``optimize``). Returns the number of quads and the seconds spent making the template."""
    started = time.perf_counter()
    template, owned = clone_template(dump)
    template_seconds = time.perf_counter() - started
    store = ox.Store(str(store_dir))
    # one bulk load of one stream: as fast as `oxigraph load` from a file, and nothing written but the store
    # (one bulk_load per copy was twice as slow: optimize then merges as many runs of files)
    reader = io.BufferedReader(ChunkReader(scaled_chunks(dump, factor, template)), buffer_size=1 << 20)
    store.bulk_load(reader, ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    return {"quads": scaled_quads(dump, factor, owned), "template_seconds": template_seconds}


def _clone(line: str, species: set[str], copy: int | str) -> str:
    def rename(match: re.Match) -> str:
        slug = match.group(2)
        return match.group(0) + (f"-synthetic-{copy}" if slug in species else "")

    line = OWNED_IRI.sub(rename, line)
    # names of the clone say they are synthetic; the literal is the last "…" before the graph term
    subject_end = line.index(">") + 1
    predicate = line[subject_end:].split(" ", 2)[1]
    if predicate in NAME_PREDICATES:
        head, _, tail = line.rpartition('"')
        line = f'{head} (synthetic {copy})"{tail}'
    # the graph term is the last IRI on the line
    return line[: line.rindex(" <")] + f" {SYNTHETIC_GRAPH} .\n"


def main() -> None:
    """``python -m bench.synthetic load DUMP STORE FACTOR``: load_scaled in its own process (the harness measures
    its wall time and peak memory), a JSON line on stdout."""
    if len(sys.argv) != 5 or sys.argv[1] != "load":
        sys.exit("usage: python -m bench.synthetic load DUMP STORE FACTOR")
    print(json.dumps(load_scaled(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))), flush=True)


if __name__ == "__main__":
    main()
