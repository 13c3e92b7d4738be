"""Legal protection and trade listings: China's 2021 lists of wild animals and plants under special state protection
(class I / II) and the Index of CITES Species as of 2017-04-21 (Appendix I / II / III).

Readers are pure: rows in, records out (``cn_animal_rows``, ``cn_plant_rows``, ``cites_rows``); the file readers
(``read_cn_animals``, ``read_cn_plants``, ``read_cites``) only open the file and go through the parse cache
(ingest/cache.py). A row that is not of the list's shape stops the build naming the file and the row
(``ProtectionListError``). ``join`` matches the listings to the graph's species and says, for every joined pair, how
(exact name, a synonym the source gives, or a genus- / family- / order-wide row) and, for every basin-relevant row
that did not join, why. Names are split into name and authorship by the GBIF name parser (``nameparser``).

The RDF of the statuses is written by the build (kg/build/protection.py; ontology: amur:ProtectionStatus,
docs/decisions/0014-protection-status.md).
"""

from __future__ import annotations

import csv
import gzip
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CN_SOURCE = "cn-key-protected-2021"
CITES_SOURCE = "cites-2017"
CN_ANIMALS_FILE = "cn_key_wild_animals_2021.csv"
CN_PLANTS_FILE = "cn_key_wild_plants_2021.docx"
CITES_FILE = "Index_of_CITES_Species_2017-04-21.csv.gz"
CITES_DATE = "2017-04-21"  # the Index's export date: every CITES statement is "as of" it

CN_ANIMAL_COLUMNS = ("门", "纲", "目", "科", "种", "学名", "保护级别", "备注")
CN_PLANT_COLUMNS = ("中文名", "学名", "保护级别", "保护级别", "备注")
CN_LEVELS = {"一级": "I", "二级": "II"}
WILD_ONLY = "仅限野外种群"  # "wild populations only"
CITES_COLUMNS = (
    "TaxonId",
    "Kingdom",
    "Phylum",
    "Class",
    "Order",
    "Family",
    "Genus",
    "Species",
    "FullName",
    "AuthorYear",
    "RankName",
    "CurrentListing",
    "FullAnnotationEnglish",
    "SynonymsWithAuthors",
    "All_DistributionISOCodes",
)
CITES_APPENDICES = ("I", "II", "III")
# the ranks of the Index's RankName read (upper case there), as the graph names them
CITES_RANKS = {r.upper(): r for r in ("species", "subspecies", "variety", "genus", "subfamily", "family", "order")}
ROUTES = ("exact", "synonym", "genus-row", "family-row", "order-row")  # most specific first
# The basin's countries: a CITES species row outside them is not basin-relevant when it does not join.
BASIN_COUNTRIES = frozenset({"CN", "RU", "MN"})


class ProtectionListError(Exception):
    """A list file is not of the shape its reader knows: names the file and the row."""


@dataclass(frozen=True)
class Listing:
    """One row of a list: a species, an infraspecific taxon, or a higher taxon (genus, section, family, order)."""

    list_id: str  # "cn-key-animals-2021", "cn-key-plants-2021" or "cites"
    row: str  # where the row is: "row 73" (CSV/DOCX row number, header = 1) or "TaxonId 6047"
    name: str  # canonical name without authorship ("Panthera tigris", "Taxus", "Orchidaceae")
    rank: str  # species, subspecies, variety, genus, section, subfamily, family, order
    levels: tuple[str, ...]  # "I", "II" (China) or CITES appendices "I", "II", "III"
    authorship: str = ""
    kingdom: str = ""  # "Animalia" / "Plantae"
    genus: str = ""  # of a section row: the genus it belongs to
    chinese_name: str = ""  # the list's official Chinese name (China's lists)
    wild_only: bool = False  # 仅限野外种群
    excluded: tuple[str, ...] = ()  # species a higher-taxon row excepts ("excl. C. subtropicum")
    remark: str = ""  # the list's remark as given
    annotations: tuple[tuple[str, str], ...] = ()  # CITES: (appendix, annotation text) per appendix
    synonyms: tuple[str, ...] = ()  # CITES: canonical names of the row's synonyms
    countries: tuple[str, ...] = ()  # CITES: ISO codes of its distribution
    higher: tuple[tuple[str, str], ...] = ()  # CITES: (rank, name) of class/order/family

    def text(self) -> str:
        """The row as a reader can find it in the file: name (and Chinese name), class or appendix."""
        name = f"{self.name} spp." if self.rank in ("genus", "section") and self.list_id != "cites" else self.name
        chinese = f" ({self.chinese_name})" if self.chinese_name else ""
        return f"{name}{chinese} {'/'.join(self.levels)}"


# --- names ---------------------------------------------------------------------------------------------------
def parse_name(text: str) -> tuple[str, str, str] | None:
    """(canonical name, rank, authorship) by the GBIF name parser; "Taxus spp." -> ("Taxus", "genus", "")."""
    import nameparser

    text = " ".join(text.replace("\u00a0", " ").split())
    if not text:
        return None
    try:
        parsed: Any = nameparser.parse(text)
    except nameparser.UnparsableNameError:  # hybrid formulae, virus names ...: no name to join
        return None
    if isinstance(parsed, nameparser.Informal):
        if parsed.taxon_rank == "GENUS" and (parsed.phrase or "").startswith("spp"):
            return parsed.taxon, "genus", ""
        return None
    canonical = parsed.canonical_name_without_authorship()
    if not canonical:
        return None
    return canonical, parsed.rank.lower(), parsed.authorship_complete() or ""


def _clean(text: str) -> str:
    return " ".join(text.replace("\u3000", " ").replace("\u00a0", " ").split())


# --- China's 2021 animal list (CSV) ---------------------------------------------------------------------------
def cn_animal_rows(rows: Iterable[Sequence[str]], file: str) -> list[Listing]:
    """The animal list's rows (header first) as listings; a row of another shape raises naming file and row."""
    listings: list[Listing] = []
    iterator = iter(rows)
    header = tuple(_clean(c).lstrip("\ufeff") for c in next(iterator, ()))
    if header != CN_ANIMAL_COLUMNS:
        raise ProtectionListError(
            f"{file}: row 1: expected the columns {','.join(CN_ANIMAL_COLUMNS)}, found {','.join(header) or 'nothing'}"
        )
    for number, row in enumerate(iterator, 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(CN_ANIMAL_COLUMNS):
            raise ProtectionListError(
                f"{file}: row {number}: expected {len(CN_ANIMAL_COLUMNS)} columns, found {len(row)}"
            )
        cells = dict(zip(CN_ANIMAL_COLUMNS, (_clean(c) for c in row), strict=True))
        level = CN_LEVELS.get(cells["保护级别"])
        if level is None:
            raise ProtectionListError(
                f"{file}: row {number}: protection level {cells['保护级别']!r} is neither 一级 nor 二级"
            )
        parsed = parse_name(cells["学名"])
        if parsed is None:
            raise ProtectionListError(f"{file}: row {number}: {cells['学名']!r} is not a scientific name")
        name, rank, authorship = parsed
        chinese = cells["种"].lstrip("*").strip()
        if not chinese:
            raise ProtectionListError(f"{file}: row {number}: no Chinese name (column 种)")
        listings.append(
            Listing(
                list_id="cn-key-animals-2021",
                row=f"row {number}",
                name=name,
                rank=rank,
                levels=(level,),
                authorship=authorship,
                kingdom="Animalia",
                chinese_name=chinese,
                wild_only=WILD_ONLY in cells["备注"],
                remark=cells["备注"],
            )
        )
    return listings


def read_cn_animals(path: Path, cache_dir: Path | None = None) -> list[Listing]:
    from ingest.cache import cached_json

    rows = cached_json(path, cache_dir, "cn-animals", _animal_rows)
    return cn_animal_rows(rows, str(path))


def _animal_rows(path: Path) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return [list(row) for row in csv.reader(handle)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ProtectionListError(f"{path}: not a UTF-8 CSV file ({exc})") from exc


# --- China's 2021 plant list (DOCX) ---------------------------------------------------------------------------
_EXCLUDED = re.compile(r"[（(]\s*excl\.\s*(.*?)[)）]\s*$")


def _excluded_names(text: str, genus: str) -> tuple[str, ...]:
    """'C. insigne， C. wenshanense & C. lancifolium' -> the full names, abbreviations expanded with the genus."""
    names = []
    last = genus  # "Alsophila metteniana & A. denticulata": an abbreviation stands for the genus last written out
    for part in re.split(r"[，,&]", text):
        part = _clean(part)
        if not part:
            continue
        words = part.split()
        if words[0].endswith(".") and len(words) >= 2:
            words[0] = last if last.startswith(words[0][:-1]) else genus
        else:
            last = words[0]
        names.append(" ".join(words[:2]))
    return tuple(names)


def cn_plant_rows(rows: Iterable[Sequence[str]], file: str) -> list[Listing]:
    """The plant table's rows (cell texts, header first): group headers (one text across the row) and family rows
    (a name with no class) set the context; species, genus and section rows are listings."""
    listings: list[Listing] = []
    iterator = iter(rows)
    header = tuple(_clean(c) for c in next(iterator, ()))
    if header != CN_PLANT_COLUMNS:
        raise ProtectionListError(
            f"{file}: table row 1: expected the columns {','.join(CN_PLANT_COLUMNS)}, "
            f"found {','.join(header) or 'nothing'}"
        )
    for number, row in enumerate(iterator, 2):
        cells = [_clean(c) for c in row]
        if len(cells) != len(CN_PLANT_COLUMNS):
            raise ProtectionListError(
                f"{file}: table row {number}: expected {len(CN_PLANT_COLUMNS)} cells, found {len(cells)}"
            )
        chinese, scientific, first, second, remark = cells
        if len(set(cells)) == 1:
            continue  # a group header spanning the row ("裸子植物 Gymnosperms")
        levels = tuple(level for level, text in (("I", first), ("II", second)) if text)
        if first not in ("", "一级") or second not in ("", "二级"):
            raise ProtectionListError(
                f"{file}: table row {number}: class cells {first!r} / {second!r} are not 一级 / 二级"
            )
        if not levels:
            if not re.fullmatch(r"[A-Z][a-zë]+", scientific.replace("ë", "e")):
                raise ProtectionListError(
                    f"{file}: table row {number}: {scientific!r} has no class and is not a family heading"
                )
            continue  # a family heading
        if len(levels) > 1:
            raise ProtectionListError(f"{file}: table row {number}: both 一级 and 二级 are marked")
        excluded_text = _EXCLUDED.search(scientific)
        bare = _EXCLUDED.sub("", scientific).strip()
        section = re.fullmatch(r"([A-Z][a-z]+)\s+sect\.\s+([A-Z][a-z]+)\s+spp\.", bare)
        if section:
            name, rank, authorship, genus = f"{section[1]} sect. {section[2]}", "section", "", section[1]
        else:
            parsed = parse_name(bare)
            if parsed is None:
                raise ProtectionListError(f"{file}: table row {number}: {scientific!r} is not a scientific name")
            name, rank, authorship = parsed
            genus = name.split()[0]
        if rank == "genus" and bare.endswith("aceae spp."):
            rank = "family"  # "Cyatheaceae spp.": a family-wide row
        elif rank == "family":
            rank = "family-heading"  # a family heading with a class mark (a transcription's artefact), not a row
        excluded = _excluded_names(excluded_text[1], genus) if excluded_text else ()
        listings.append(
            Listing(
                list_id="cn-key-plants-2021",
                row=f"table row {number}",
                name=name,
                rank=rank,
                levels=levels,
                authorship=authorship,
                kingdom="Plantae",
                genus=genus,
                chinese_name=_plant_chinese(chinese),
                wild_only=WILD_ONLY in remark,
                excluded=excluded,
                remark=remark,
            )
        )
    return listings


def _plant_chinese(text: str) -> str:
    """'红豆杉属（所有种）' -> '红豆杉属'; '多纹泥炭藓*' -> '多纹泥炭藓' (the star marks the agricultural authority)."""
    return re.sub(r"[（(].*$", "", text).rstrip("*").strip()


def read_cn_plants(path: Path, cache_dir: Path | None = None) -> list[Listing]:
    from ingest.cache import cached_json

    rows = cached_json(path, cache_dir, "cn-plants", _plant_rows)
    return cn_plant_rows(rows, str(path))


def _plant_rows(path: Path) -> list[list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ProtectionListError(f"{path}: not a readable DOCX file ({exc})") from exc
    if len(document.tables) != 1:
        raise ProtectionListError(f"{path}: expected one table, found {len(document.tables)}")
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


# --- the Index of CITES Species (gzip CSV) ---------------------------------------------------------------------
_SYNONYM_SPLIT = re.compile(r",\s+(?=[A-Z][a-z]+\s+(?:\([A-Z][a-z]+\)\s+)?[a-z])")
_APPENDIX_LINE = re.compile(r"Appendix (I{1,3}):\s*")


def _annotations(text: str) -> tuple[tuple[str, str], ...]:
    """'Appendix I:Only the populations of ...\\nAppendix II: ...' -> (("I", "Only the ..."), ("II", "..."))."""
    parts = _APPENDIX_LINE.split(text or "")
    found = []
    for appendix, body in zip(parts[1::2], parts[2::2], strict=True):
        body = re.sub(r"<[^>]+>", "", body)
        found.append((appendix, " ".join(body.split())))
    return tuple(found)


def cites_rows(rows: Iterable[Mapping[str, str]], file: str) -> list[Listing]:
    """The Index's rows as listings: species, infraspecific and higher-taxon rows in an appendix (a row only "NC",
    not in the appendices, is left out). A row missing a column or with an unknown listing raises naming it."""
    listings: list[Listing] = []
    for number, row in enumerate(rows, 2):
        missing = [c for c in CITES_COLUMNS if row.get(c) is None]
        if missing:
            raise ProtectionListError(f"{file}: row {number}: missing column(s) {', '.join(missing)}")
        listing = row["CurrentListing"].strip()
        parts = tuple(p for p in listing.split("/") if p)
        if any(p not in CITES_APPENDICES + ("NC",) for p in parts):
            raise ProtectionListError(
                f"{file}: row {number} (TaxonId {row['TaxonId']}): CurrentListing {listing!r} is not of I/II/III/NC"
            )
        appendices = tuple(p for p in parts if p != "NC")
        rank = CITES_RANKS.get(row["RankName"].strip())
        if not appendices or rank is None:
            continue
        name = _clean(row["FullName"])
        if not re.match(r"[A-Z][a-z]+", name):
            raise ProtectionListError(
                f"{file}: row {number} (TaxonId {row['TaxonId']}): FullName {name!r} is not a scientific name"
            )
        synonyms = []
        for text in _SYNONYM_SPLIT.split(row["SynonymsWithAuthors"] or ""):
            parsed = parse_name(text) if text.strip() else None
            if parsed and parsed[1] == "species":
                synonyms.append(parsed[0])
        higher = tuple(
            (r, _clean(row[c]))
            for r, c in (("class", "Class"), ("order", "Order"), ("family", "Family"))
            if _clean(row[c])
        )
        listings.append(
            Listing(
                list_id="cites",
                row=f"TaxonId {row['TaxonId'].strip()}",
                name=name,
                rank=rank,
                levels=appendices,
                authorship=_clean(row["AuthorYear"]),
                kingdom=_clean(row["Kingdom"]),
                genus=_clean(row["Genus"]),
                remark="NC" if "NC" in parts else "",
                annotations=_annotations(row["FullAnnotationEnglish"]),
                synonyms=tuple(synonyms),
                countries=tuple(c.strip() for c in row["All_DistributionISOCodes"].split(",") if c.strip()),
                higher=higher,
            )
        )
    return listings


def read_cites(path: Path, cache_dir: Path | None = None) -> list[Listing]:
    """Streamed (gzip + csv): only the columns the join needs are kept, through the parse cache."""
    from ingest.cache import cached_json

    extract = cached_json(path, cache_dir, "cites-listings", _cites_listings)
    return [
        Listing(
            **{
                k: tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
                for k, v in item.items()
            }
        )
        for item in extract
    ]


def _cites_listings(path: Path) -> list[dict[str, Any]]:
    """The parse cache's extract: the listings themselves (the names parsed once per file and code)."""
    return [asdict(listing) for listing in cites_rows(_cites_extract(path), str(path))]


def _cites_extract(path: Path) -> list[dict[str, str]]:
    kept: list[dict[str, str]] = []
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in CITES_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ProtectionListError(f"{path}: row 1: missing column(s) {', '.join(missing)}")
            for row in reader:
                kept.append({c: row[c] if row[c] is not None else None for c in CITES_COLUMNS})  # type: ignore[misc]
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise ProtectionListError(f"{path}: not a readable gzip CSV file ({exc}; {len(kept) + 1} rows read)") from exc
    return kept


# --- the join ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GraphTaxon:
    """What the join needs of a species in the graph."""

    key: str  # slug of the accepted name (kg.namespaces.slug)
    name: str
    kingdom: str
    genus: str
    family: str = ""
    order: str = ""
    class_: str = ""
    vernacular_zh: tuple[str, ...] = ()  # Chinese names the graph already gives it


@dataclass(frozen=True)
class Status:
    """One listing of one graph species: the route says how the row reached the species."""

    taxon: str  # GraphTaxon.key
    listing: Listing
    level: str  # class (I / II) or appendix (I / II / III)
    route: str  # "exact", "synonym", "genus-row", "family-row", "order-row"
    matched: str  # what joined: "Panthera tigris", "Acipenser dauricus (synonym in the CITES Index)", ...
    scope: str = ""  # the population the listing covers, as the source states it ("" = the whole species)
    scope_countries: tuple[str, ...] = ()  # ISO codes of a population-specific scope


@dataclass
class JoinReport:
    statuses: list[Status] = field(default_factory=list)
    # list id -> route -> joined rows; list id -> not joined basin-relevant rows with their reason
    joined: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    unjoined: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def summary(self) -> dict[str, Any]:
        """The join's yield for BUILD.json and `amurkg stats`: per list, rows read, rows joined by route, species
        given a status, and the basin-relevant rows that did not join with why."""
        species: dict[str, set[str]] = defaultdict(set)
        for status in self.statuses:
            species[status.listing.list_id].add(status.taxon)
        return {
            list_id: {
                "rows": self.rows[list_id],
                "joined_rows": dict(sorted(self.joined[list_id].items())),
                "species": len(species[list_id]),
                "not_joined": len(self.unjoined[list_id]),
                "not_joined_rows": self.unjoined[list_id],
            }
            for list_id in sorted(self.rows)
        }


def _population_scope(listing: Listing, appendix: str) -> tuple[str, tuple[str, ...]]:
    """The population a CITES appendix covers where the annotation restricts it: its text and the countries it
    names (matched against the row's own distribution codes by their ISO names). The whole species otherwise."""
    import pycountry

    text = next((body for app, body in listing.annotations if app == appendix), "")
    if "population" not in text.lower():
        return "", ()
    # the countries of an "Only the population(s) of ..." clause; "Except the populations of ..." names none
    clause = text.split(";")[0]
    countries = []
    if re.match(r"\s*(only )?(the )?populations? of", clause, re.IGNORECASE):
        for code in listing.countries:
            country = pycountry.countries.get(alpha_2=code)
            names = {getattr(country, n, None) for n in ("name", "official_name", "common_name")} if country else set()
            if any(n and n in clause for n in names):
                countries.append(code)
    return f"Appendix {appendix}: {text}", tuple(countries)


_RESTRICTED = re.compile(r"\bonly\b|other species are not included|^\w+ species are included", re.IGNORECASE)


def _membership_restriction(listing: Listing) -> str:
    """The annotation of a higher-taxon CITES row that covers only some of its members ("Succulent species are
    included in Appendix II ... Other species are not included"): membership the graph cannot judge. "" if none."""
    if listing.list_id != "cites":
        return ""
    for appendix, text in listing.annotations:
        if _RESTRICTED.search(text):
            return f"Appendix {appendix}: {text[:160]}"
    return ""


def cites_appendices(listing: Listing) -> tuple[str, ...]:
    """The appendices a CITES row lists its taxon in as a whole: those its annotation lines name (a higher taxon's
    members in another appendix, and a species' listed subspecies, have rows of their own). A row marked NC with no
    annotation line is listed through its infraspecific taxa or populations only: none, never widened."""
    named = tuple(dict.fromkeys(app for app, _ in listing.annotations))
    if named:
        return named
    return () if listing.remark == "NC" else listing.levels


def join(
    listings: Iterable[Listing], taxa: Iterable[GraphTaxon], appendix_iii_parties: Mapping[str, str] | None = None
) -> JoinReport:
    """Every listing joined to the graph's species: exact names, the CITES Index's synonyms, and higher-taxon rows
    (every member species in the graph, less the species a row excepts and those with a row of their own in the
    same list). ``appendix_iii_parties`` (species -> ISO code of the listing Party) gives the scope of Appendix III
    rows, which the Index export does not carry (ingest/curated/cites_appendix_iii.yml)."""
    report = JoinReport()
    graph = list(taxa)
    by_name = {t.name: t for t in graph}
    members: dict[tuple[str, str, str], list[GraphTaxon]] = defaultdict(list)
    for t in graph:
        for rank, value in (("genus", t.genus), ("family", t.family), ("order", t.order), ("class", t.class_)):
            if value:
                members[(t.kingdom, rank, value)].append(t)
    listings = list(listings)
    # the CITES Index's names of one taxon: accepted name <-> synonyms (both directions)
    equivalent: dict[str, set[str]] = defaultdict(set)
    for listing in listings:
        if listing.list_id == "cites" and listing.rank == "species":
            for synonym in listing.synonyms:
                equivalent[listing.name].add(synonym)
                equivalent[synonym].add(listing.name)
    own_rows: dict[str, set[str]] = defaultdict(set)  # list id -> taxon keys with a species row of their own
    pending: list[tuple[Listing, GraphTaxon, str, str]] = []
    for listing in listings:
        report.rows[listing.list_id] += 1
        if listing.rank != "species":
            continue
        target, route, matched = by_name.get(listing.name), "exact", listing.name
        if target is None:
            for other in sorted(equivalent.get(listing.name, set()) | set(listing.synonyms)):
                if other in by_name:
                    target, route = by_name[other], "synonym"
                    matched = f"{listing.name} = {other} (synonym in the CITES Index of {CITES_DATE})"
                    break
        if target is not None and listing.kingdom and target.kingdom != listing.kingdom:
            target = None
        if target is None:
            _unjoined(report, listing, members, by_name)
            continue
        own_rows[listing.list_id].add(target.key)
        pending.append((listing, target, route, matched))
    for listing in listings:
        if listing.rank in ("genus", "family", "order"):
            found = members.get((listing.kingdom, listing.rank, listing.name), [])
            restriction = _membership_restriction(listing)
            if restriction and found:
                report.unjoined[listing.list_id].append(
                    {
                        "row": listing.row,
                        "name": listing.name,
                        "level": "/".join(listing.levels),
                        "reason": f"{listing.rank}-wide row restricted by its annotation ({restriction}): which of its "
                        f"{len(found)} member species in the graph it covers cannot be judged from the graph, "
                        "so it is not applied",
                    }
                )
                continue
            for t in found:
                if t.name in listing.excluded or t.key in own_rows[listing.list_id]:
                    continue
                words = {
                    "genus": "every species of the genus",
                    "family": "every species of the family",
                    "order": "every species of the order",
                }[listing.rank]
                pending.append(
                    (
                        listing,
                        t,
                        f"{listing.rank}-row",
                        f"{listing.text()}: a {listing.rank}-wide row, applied to {words} in the graph"
                        + (f" except {', '.join(listing.excluded)}" if listing.excluded else ""),
                    )
                )
            if not found and listing.list_id != "cites":
                _unjoined(report, listing, members, by_name)
        elif listing.rank in ("subspecies", "variety", "section", "family-heading"):
            _unjoined(report, listing, members, by_name)
    # one route per species and list, the most specific: a species' own row (exact, then synonym) before a genus-,
    # family- or order-wide row; one status per species, list and class or appendix
    best: dict[tuple[str, str], int] = {}
    for listing, target, route, _ in pending:
        key = (target.key, listing.list_id)
        best[key] = min(best.get(key, len(ROUTES)), ROUTES.index(route))
    written: set[tuple[str, str, str]] = set()
    seen_rows: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for listing, target, route, matched in pending:
        if ROUTES.index(route) != best[(target.key, listing.list_id)]:
            continue
        levels = cites_appendices(listing) if listing.list_id == "cites" else listing.levels
        if not levels:
            report.unjoined[listing.list_id].append(
                {
                    "row": listing.row,
                    "name": listing.name,
                    "level": "/".join(listing.levels),
                    "reason": f"joined {target.name} ({route}), but the row lists only infraspecific taxa or "
                    "populations (NC, no annotation of its own): not widened to the species",
                }
            )
            continue
        for level in levels:
            scope, countries = ("", ())
            if listing.list_id == "cites":
                scope, countries = _population_scope(listing, level)
                if level == "III" and not scope:
                    party = (appendix_iii_parties or {}).get(target.name)
                    if party:
                        scope = (
                            f"Appendix III: listed by {_country_name(party)} (the listing Party, from the "
                            "CITES Appendices: ingest/curated/cites_appendix_iii.yml)"
                        )
                        countries = (party,)
                    else:
                        scope = "Appendix III: the listing Party is not given in the Index export"
            if listing.wild_only:
                scope = "wild populations only (仅限野外种群)"
            if (target.key, listing.list_id, level) in written:
                continue
            written.add((target.key, listing.list_id, level))
            report.statuses.append(
                Status(
                    taxon=target.key,
                    listing=listing,
                    level=level,
                    route=route,
                    matched=matched,
                    scope=scope,
                    scope_countries=countries,
                )
            )
        if (listing.row, listing.list_id) not in seen_rows[route]:
            seen_rows[route].add((listing.row, listing.list_id))
            report.joined[listing.list_id][route] += 1
    return report


def _country_name(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def _unjoined(
    report: JoinReport,
    listing: Listing,
    members: Mapping[tuple[str, str, str], list[GraphTaxon]],
    by_name: Mapping[str, GraphTaxon],
) -> None:
    """Record a row that did not join, where it is basin-relevant: its genus (or, for a higher-taxon row, a
    broader taxon) has species in the graph, or (CITES species) it is distributed in a basin country."""
    genus = listing.genus or listing.name.split()[0]
    in_genus = members.get((listing.kingdom, "genus", genus), []) if listing.kingdom else []
    if listing.rank in ("subspecies", "variety"):
        species = " ".join(listing.name.split()[:2])
        if species not in by_name:
            return
        reason = (
            f"infraspecific listing: the graph holds the species {species}, and an infraspecific row is not "
            "widened to it"
        )
    elif listing.rank == "family-heading":
        in_family = members.get((listing.kingdom, "family", listing.name), [])
        if not in_family:
            return
        reason = (
            f"a family heading marked {'/'.join(listing.levels)} in the transcription, not a family-wide row "
            f"(those read 'spp.'): not applied to the {len(in_family)} species of {listing.name} in the graph"
        )
    elif listing.rank == "section":
        if not in_genus:
            return
        reason = (
            f"section-wide row: the graph does not record sections, so it is not applied to the "
            f"{len(in_genus)} species of {genus} in the graph"
        )
    elif listing.rank == "species":
        basin = listing.list_id != "cites" or bool(BASIN_COUNTRIES & set(listing.countries))
        if not in_genus or not basin:
            return
        reason = (
            f"species not in the graph under this name or a synonym the sources give; its genus has "
            f"{len(in_genus)} species in the graph"
        )
    else:
        return  # a higher-taxon row with no member in the graph is not basin-relevant
    report.unjoined[listing.list_id].append(
        {"row": listing.row, "name": listing.name, "level": "/".join(listing.levels), "reason": reason}
    )


def iter_statuses(report: JoinReport, list_id: str) -> Iterator[Status]:
    return (s for s in report.statuses if s.listing.list_id == list_id)


# --- the lists and their RDF ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProtectionListInfo:
    id: str
    source: str
    labels: tuple[tuple[str, str], ...]  # (text, language)
    valid_on: str  # ISO date the list is in force as of
    actions: tuple[str, ...]  # IUCN conservation action codes it is an instance of
    jurisdiction: str = ""  # ISO code of the country whose law it is
    class_labels: tuple[tuple[str, str], ...] = ()  # templates with {level}: (text, language)


def in_three(en: str, zh: str, ru: str) -> tuple[tuple[str, str], ...]:
    """A label in the interface's three languages, as (text, language) pairs."""
    return ((en, "en"), (zh, "zh"), (ru, "ru"))


def _china_list(kind: str, valid_on: str, zh: str, ru: tuple[str, str]) -> ProtectionListInfo:
    """One of China's two lists of 2021 (animals, plants): one law and its two classes, each list in force from its
    own date; ``zh`` the kind in Chinese, ``ru`` in Russian (genitive plural, nominative plural)."""
    return ProtectionListInfo(
        id=f"cn-key-{kind}s-2021",
        source=CN_SOURCE,
        valid_on=valid_on,
        actions=("5.1.2",),
        jurisdiction="CN",
        labels=in_three(
            f"China: List of Wild {kind.title()}s under Special State Protection (2021)",
            f"国家重点保护野生{zh}名录（2021）",
            f"Китай: перечень диких {ru[0]} под особой государственной охраной (2021)",
        ),
        class_labels=in_three(
            f"China class {{level}} (protected {kind})",
            f"国家{{zh}}级保护野生{zh}",
            f"Китай, {{level}} категория охраны ({ru[1]})",
        ),
    )


LISTS = {
    "cn-key-animals-2021": _china_list("animal", "2021-02-05", zh="动物", ru=("животных", "животные")),
    "cn-key-plants-2021": _china_list("plant", "2021-09-07", zh="植物", ru=("растений", "растения")),
    "cites": ProtectionListInfo(
        id="cites",
        source=CITES_SOURCE,
        valid_on=CITES_DATE,
        actions=("5.1.1", "3.1.2"),
        labels=in_three(
            f"CITES Appendices (Index of CITES Species, as of {CITES_DATE})",
            f"CITES公约附录（濒危物种国际贸易公约，截至{CITES_DATE}）",
            f"Приложения СИТЕС (индекс видов СИТЕС, на {CITES_DATE})",
        ),
        class_labels=in_three(
            f"CITES Appendix {{level}} (as of {CITES_DATE})",
            f"CITES附录{{level}}（截至{CITES_DATE}）",
            f"Приложение {{level}} СИТЕС (на {CITES_DATE})",
        ),
    ),
}


def file_of(list_id: str) -> str:
    """The file name of a list (its rows' evidence names it)."""
    return {"cn-key-animals-2021": CN_ANIMALS_FILE, "cn-key-plants-2021": CN_PLANTS_FILE}.get(list_id, CITES_FILE)


def appendix_iii_parties(path: Path | None = None) -> dict[str, str]:
    """The curated Appendix III listing Parties (ingest/curated/cites_appendix_iii.yml): species -> ISO code."""
    import yaml

    path = path or Path(__file__).parent / "curated" / "cites_appendix_iii.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    parties = document.get("parties") or {}
    bad = [f"{name}: {code!r}" for name, code in parties.items() if not re.fullmatch(r"[A-Z]{2}", str(code))]
    if bad:
        raise ProtectionListError(f"{path}: a Party must be an ISO 3166-1 alpha-2 code: {', '.join(bad)}")
    return {str(name): str(code) for name, code in parties.items()}


def read_all(files: Mapping[str, Path], cache_dir: Path | None = None) -> list[Listing]:
    """Every list's rows: ``files`` maps the registered file names (kg/sources/registry.py) to their verified paths."""
    by_name = {Path(name).name: path for name, path in files.items()}
    return (
        read_cn_animals(by_name[CN_ANIMALS_FILE], cache_dir)
        + read_cn_plants(by_name[CN_PLANTS_FILE], cache_dir)
        + read_cites(by_name[CITES_FILE], cache_dir)
    )
