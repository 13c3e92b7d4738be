"""Name search over the graph: scientific, English, Chinese and pinyin names, ranked in tiers.

Exact names first, then names whose words match the query whole, then word-prefix matches, then substrings (Chinese
names have no word breaks); typo matches only when nothing else matches, and then marked as "did you mean".
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
    "species": "Species",
    "taxon": "Higher taxa",
    "ecoregion": "Ecoregions",
    "threat": "Threats",
    "action": "Conservation actions",
    "initiative": "Initiatives",
    "threat-factor": "Threat factors",
    "habitat": "Habitats",
    "stress": "Stresses",
    "region": "Regions",
    "river": "Rivers",
    "country": "Countries",
    "place": "Places",
    "source": "Sources",
    "global200": "Global 200",
    "red-list-category": "Red-list categories",
}


def normalise(text: str) -> str:
    """Lower case without accents, single spaces: 'Écureuil  Roux' -> 'ecureuil roux'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def words_of(norm: str) -> list[str]:
    """Words of a normalised name; a hyphen separates words too, so 'crowned' finds 'Red-crowned Crane'."""
    return norm.replace("-", " ").split()


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass
class Entry:
    iri: str
    kind: str
    label: str = ""
    names: list[str] = field(default_factory=list)
    category: str | None = None
    protection: set[str] = field(default_factory=set)  # "cn-I", "cites-II" ...: the search filter's keys


# Score tiers: a hit's score is its tier plus a tie-break below 0.1 (shorter names first). Fuzzy scores stay below 1.
EXACT, WHOLE_WORDS, PREFIX, SUBSTRING = 4.0, 3.0, 2.0, 1.0


@dataclass
class Hit:
    entry: Entry
    matched: str
    score: float
    fuzzy: bool = False  # a typo match, offered as "did you mean"


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
        self.keys: list[tuple[str, str, str, str]] = []  # (key, iri, original name, normalised name), sorted
        self.grams: dict[str, set[int]] = defaultdict(set)
        self.names: list[tuple[str, str, str]] = []  # (normalised name, iri, original name)
        for entry in self.entries.values():
            entry.label = entry.label or entry.names[0]
            for name in entry.names:
                norm = normalise(name)
                self.names.append((norm, entry.iri, name))
                words = words_of(norm)
                # word starts let 'tigris' or 'crane' find 'Panthera tigris' or 'Red-crowned Crane'
                for i in range(len(words)):
                    self.keys.append((" ".join(words[i:]), entry.iri, name, norm))
        self.keys.sort()
        for position, (norm, _, _) in enumerate(self.names):
            for gram in trigrams(norm):
                self.grams[gram].add(position)

    @classmethod
    def from_store(cls, store: ox.Store) -> SearchIndex:
        index = cls(select(store, "labels"))
        index.add_protection(select(store, "search-protection"))
        return index

    def add_protection(self, rows: list[dict[str, str | None]]) -> None:
        """The statuses of each species (queries/explorer/search-protection.rq), for the search filter."""
        for row in rows:
            entry = self.entries.get(row["s"] or "")
            if entry is not None and row["key"]:
                entry.protection.add(row["key"])

    def with_protection(self, key: str, hits: list[Hit] | None = None) -> list[Hit]:
        """``hits`` kept where the species has the status ``key`` ("any": any status); with no hits (no query
        text), every species with it, by name."""

        def has(entry: Entry) -> bool:
            return bool(entry.protection) if key == "any" else key in entry.protection

        if hits is not None:
            return [hit for hit in hits if has(hit.entry)]
        found = sorted((e for e in self.entries.values() if e.kind == "species" and has(e)), key=lambda e: e.label)
        return [Hit(entry, entry.label, 0.0) for entry in found]

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """The best hits, tier by tier; typo matches (marked fuzzy) only when no name contains the query."""
        q = normalise(query)
        if not q:
            return []
        best: dict[str, Hit] = {}

        def offer(iri: str, name: str, score: float, fuzzy: bool = False) -> None:
            if iri not in best or best[iri].score < score:
                best[iri] = Hit(self.entries[iri], name, score, fuzzy)

        def tie_break(name: str) -> float:
            return 0.09 / (1 + len(name))

        q_words = " ".join(words_of(q))
        start = bisect.bisect_left(self.keys, (q_words,))
        for key, iri, name, norm in self.keys[start : start + 5000]:
            if not key.startswith(q_words):
                break
            if norm == q:
                offer(iri, name, EXACT + tie_break(name))
            elif key == q_words or key.startswith(q_words + " "):
                offer(iri, name, WHOLE_WORDS + tie_break(name))
            else:
                # the word closest to complete first: 'tigr' is 'tigris' before 'tigridia'
                completed = key.split(" ", 1)[0]
                offer(iri, name, PREFIX + tie_break(completed) + tie_break(name) / 100)
        # Substrings (Chinese names have no word breaks): a scan is cheap at this size; needless when the
        # better tiers already fill the page.
        if len(best) < limit:
            for norm, iri, name in self.names:
                if q in norm:
                    offer(iri, name, SUBSTRING + tie_break(name))
        if not best and len(q) >= 3:
            self._fuzzy(q, offer)
        hits = sorted(best.values(), key=lambda h: (-h.score, KIND_ORDER.get(h.entry.kind, 99), h.entry.label))
        return hits[:limit]

    def _fuzzy(self, q: str, offer) -> None:
        counts: dict[int, int] = defaultdict(int)
        for gram in trigrams(q):
            for position in self.grams.get(gram, ()):
                counts[position] += 1
        candidates = sorted(counts.items(), key=lambda kv: -kv[1])[:300]
        for position, _ in candidates:
            norm, iri, name = self.names[position]
            words = words_of(norm)
            best_ratio = 0.0
            # from each word on ('crain' is 'Common Crane' too), the start of the same length as the query (a typo
            # in a prefix still matches); the word itself breaks ties ('crain' is nearer 'crane' than 'training')
            for i in range(len(words)):
                start = " ".join(words[i:])[: len(q)]
                ratio = SequenceMatcher(None, q, start).ratio() * 0.9
                if ratio >= 0.75 * 0.9:
                    ratio += SequenceMatcher(None, q, words[i]).ratio() * 0.09
                best_ratio = max(best_ratio, ratio)
            if best_ratio >= 0.75 * 0.9:
                offer(iri, name, best_ratio + 0.0009 / (1 + len(name)), fuzzy=True)  # shorter names first


KIND_ORDER = {kind: i for i, kind in enumerate(KIND_TITLES)}


# The search filter by legal protection or trade status: key -> its label (translated in the template).
PROTECTION_FILTERS = ("any", "cn-I", "cn-II", "cites-I", "cites-II", "cites-III")


def grouped(hits: list[Hit]) -> list[tuple[str, str, list[Hit]]]:
    """Hits grouped by kind, in the order of KIND_TITLES: (kind, title, hits)."""
    groups: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        groups[hit.entry.kind].append(hit)
    return [(kind, KIND_TITLES[kind], groups[kind]) for kind in KIND_TITLES if kind in groups]
