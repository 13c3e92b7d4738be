"""Name search over the graph: scientific, English and Chinese names; prefix, word-prefix, substring and typo matches.

The index is built once per store build from one SPARQL query of all names, and kept in memory:
prefix matches come from a sorted list with bisect, typos from a trigram index scored by similarity.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import pyoxigraph as ox

from server.explorer.graphdata import kind_of, select

# The kinds a user searches for, in the order results are grouped.
KIND_TITLES = {
    "species": "Species", "taxon": "Higher taxa", "ecoregion": "Ecoregions", "threat": "Threats",
    "action": "Conservation actions", "initiative": "Initiatives", "threat-factor": "Threat factors",
    "habitat": "Habitats", "stress": "Stresses", "river": "Rivers", "country": "Countries", "place": "Places",
    "source": "Sources", "global200": "Global 200", "red-list-category": "Red-list categories",
}


def normalise(text: str) -> str:
    """Lower case without accents, single spaces: 'Écureuil  Roux' -> 'ecureuil roux'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@dataclass
class Entry:
    iri: str
    kind: str
    label: str = ""
    names: list[str] = field(default_factory=list)
    category: str | None = None


@dataclass
class Hit:
    entry: Entry
    matched: str
    score: float


class SearchIndex:
    def __init__(self, rows: list[dict[str, str | None]]):
        self.entries: dict[str, Entry] = {}
        for row in rows:
            iri, name = row["s"], row["name"]
            if not iri or not name:
                continue
            kind = kind_of(iri)
            if kind == "taxon" and row.get("rank") == "species":
                kind = "species"
            if kind not in KIND_TITLES:
                continue
            entry = self.entries.setdefault(iri, Entry(iri, kind))
            if name not in entry.names:
                entry.names.append(name)
            if row.get("category"):
                entry.category = row["category"]
            if row.get("label"):
                entry.label = row["label"]
        self.keys: list[tuple[str, str, str]] = []  # (normalised key, iri, original name), sorted
        self.grams: dict[str, set[int]] = defaultdict(set)
        self.names: list[tuple[str, str, str]] = []  # (normalised name, iri, original name)
        for entry in self.entries.values():
            entry.label = entry.label or entry.names[0]
            for name in entry.names:
                norm = normalise(name)
                self.names.append((norm, entry.iri, name))
                self.keys.append((norm, entry.iri, name))
                words = norm.split()
                # word starts let 'tigris' or 'crane' find 'Panthera tigris' or 'Red-crowned Crane'
                for i in range(1, len(words)):
                    self.keys.append((" ".join(words[i:]), entry.iri, name))
        self.keys.sort()
        for position, (norm, _, _) in enumerate(self.names):
            for gram in trigrams(norm):
                self.grams[gram].add(position)

    @classmethod
    def from_store(cls, store: ox.Store) -> SearchIndex:
        return cls(select(store, "labels"))

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        q = normalise(query)
        if not q:
            return []
        best: dict[str, Hit] = {}

        def offer(iri: str, name: str, score: float) -> None:
            if iri not in best or best[iri].score < score:
                best[iri] = Hit(self.entries[iri], name, score)

        start = bisect.bisect_left(self.keys, (q,))
        for norm, iri, name in self.keys[start:start + 2000]:
            if not norm.startswith(q):
                break
            offer(iri, name, 3.0 if norm == q and normalise(name) == q else 2.0 - len(norm) / 1000)
        if len(best) < limit:
            # Substring matches (Chinese names have no word breaks): a scan is cheap at this size.
            for norm, iri, name in self.names:
                if q in norm:
                    offer(iri, name, 1.5 - len(norm) / 1000)
        if len(best) < limit and len(q) >= 3:
            self._fuzzy(q, offer)
        hits = sorted(best.values(), key=lambda h: (-h.score, KIND_ORDER.get(h.entry.kind, 99), h.entry.label))
        return hits[:limit]

    def _fuzzy(self, q: str, offer) -> None:
        counts: dict[int, int] = defaultdict(int)
        for gram in trigrams(q):
            for position in self.grams.get(gram, ()):
                counts[position] += 1
        candidates = sorted(counts.items(), key=lambda kv: -kv[1])[:200]
        for position, _ in candidates:
            norm, iri, name = self.names[position]
            # compare with the name's start of the same length, so a typo in a prefix still matches
            ratio = max(SequenceMatcher(None, q, norm).ratio(), SequenceMatcher(None, q, norm[:len(q)]).ratio())
            if ratio >= 0.75:
                offer(iri, name, ratio)


KIND_ORDER = {kind: i for i, kind in enumerate(KIND_TITLES)}


def grouped(hits: list[Hit]) -> list[tuple[str, str, list[Hit]]]:
    """Hits grouped by kind, in the order of KIND_TITLES: (kind, title, hits)."""
    groups: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        groups[hit.entry.kind].append(hit)
    return [(kind, KIND_TITLES[kind], groups[kind]) for kind in KIND_TITLES if kind in groups]
