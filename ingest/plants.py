"""Reader for vascular plants: Checklist of Plant Species in China 2023 joined with the China Red List 2020.

A species is selected when the checklist's Chinese distribution text lists Heilongjiang (黑龙江) or Jilin
(吉林) as a wild occurrence, or Northeast China (东北) as a whole. The text is a list of provinces separated
by 、 with markers for non-wild occurrences, all checked on the 2023 file:

- a leading ``栽培：`` (cultivated), ``逸生：`` (escaped) or ``存疑：`` (doubtful) covers the whole list;
- ``栽培于X、Y`` / ``归化于X`` / ``栽培或逸生于X`` / ``主产X`` mark X and every later entry;
- ``X、Y、Z有栽培`` / ``Z等地栽培`` / ``Z归化`` (marker after a place) mark the whole list before it;
- ``X？`` or ``？X`` marks one doubtful entry;
- ``除X、Y外`` and ``X外`` name provinces where the species is absent.

Rows are plain dicts (column -> value, missing values as None) so each rule can be tested on hand-made rows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.cache import cached_json
from ingest.formats.rframes import data_frame
from ingest.places.geography import CONFIDENCE_RANK
from ingest.records import Assessment, Placement, Selection, SpeciesRecord
from kg.namespaces import HIGHER_RANKS

SOURCES = ("col-china-2023", "cbrl-2020", "wwf-teow-2001")
CHECKLIST, REDLIST, ECOREGIONS = SOURCES

Row = Mapping[str, Any]

# Chinese province-level names -> slug (34 units). 内蒙 is a short form that occurs once in the data.
PROVINCES = {
    "北京": "beijing",
    "天津": "tianjin",
    "河北": "hebei",
    "山西": "shanxi",
    "内蒙古": "inner-mongolia",
    "内蒙": "inner-mongolia",
    "辽宁": "liaoning",
    "吉林": "jilin",
    "黑龙江": "heilongjiang",
    "上海": "shanghai",
    "江苏": "jiangsu",
    "浙江": "zhejiang",
    "安徽": "anhui",
    "福建": "fujian",
    "江西": "jiangxi",
    "山东": "shandong",
    "河南": "henan",
    "湖北": "hubei",
    "湖南": "hunan",
    "广东": "guangdong",
    "广西": "guangxi",
    "海南": "hainan",
    "重庆": "chongqing",
    "四川": "sichuan",
    "贵州": "guizhou",
    "云南": "yunnan",
    "西藏": "xizang",
    "陕西": "shaanxi",
    "甘肃": "gansu",
    "青海": "qinghai",
    "宁夏": "ningxia",
    "新疆": "xinjiang",
    "台湾": "taiwan",
    "香港": "hong-kong",
    "澳门": "macao",
}
NORTHEAST = "northeast-china"
BASIN_PROVINCES = {"heilongjiang": "黑龙江", "jilin": "吉林"}
# A wild list naming nearly every province (usually all 34, Hong Kong and Macao included) is the checklist's
# boilerplate for ubiquitous plants; it also holds crops never marked cultivated (Glycine max, Panicum
# miliaceum, Aspidistra elatior), so such species are kept at a lower confidence.
NATIONWIDE_PROVINCES = 30

# Province placements are weighed by the share of the province's area in each ecoregion, computed from the
# polygons (ingest.places.provinces): Heilongjiang is 45 % Manchurian mixed forests (PA0426) and 4 % Nenjiang River
# grassland (PA0903), so a Heilongjiang plant is only *possibly* in either. A placement is low (possible)
# unless the province lies almost wholly in one ecoregion; a sliver (under 2 %) places nothing. Northeast
# China as a whole (which also covers Liaoning, outside the basin) is always low.
ProvinceShares = Mapping[str, Mapping[str, float]]  # place slug -> {eco_code: share of the place's area}

# Rule names (report keys).
RULE_PROVINCE = "province:heilongjiang-jilin-wild"
RULE_NATIONWIDE = "province:nationwide-list"
RULE_REGION = "region:northeast-china"
RULE_INFRASPECIES = "infraspecies:northeast-wild"
EXCLUDE_NON_VASCULAR = "exclude:non-vascular"
EXCLUDE_INFRASPECIFIC = "exclude:infraspecific"
EXCLUDE_CULTIVAR = "exclude:cultivar"
EXCLUDE_HYBRID_FORMULA = "exclude:hybrid-formula"
EXCLUDE_NOT_ACCEPTED = "exclude:not-accepted"
EXCLUDE_CULTIVATED = "exclude:cultivated-only"
EXCLUDE_ESCAPED = "exclude:escaped-only"  # 逸生 escaped or 归化 naturalised: introduced, not native
EXCLUDE_DOUBTFUL = "exclude:doubtful-only"
EXCLUDE_ABSENT = "exclude:stated-absent"
JOIN_REDLIST = "join:cbrl-2020"
JOIN_REDLIST_SYNONYM = "join:cbrl-2020-synonym"
JOIN_REDLIST_INFRASPECIFIC_ONLY = "join:cbrl-2020-infraspecific-only"
JOIN_REDLIST_CONFLICT = "join:cbrl-2020-conflicting-duplicates"

# Occurrence statuses.
WILD, CULTIVATED, ESCAPED, DOUBTFUL, ABSENT = "wild", "cultivated", "escaped", "doubtful", "absent"

_LIST_PREFIX = {"栽培": CULTIVATED, "逸生": ESCAPED, "存疑": DOUBTFUL}
_LIST_PREFIX_RE = re.compile(r"^(栽培|逸生|存疑)：")
_SEPARATORS = re.compile(r"[、，,；;。]")
_PLACE_RE = re.compile("|".join(sorted(PROVINCES, key=len, reverse=True)))
# "东北" in 东北, 东北部, 中国东北部, 中国东北地区, 东北各省 ... always means Northeast China in this file;
# a province name right before it would make it a part of that province ("云南东北部").
_NORTHEAST_RE = re.compile("东北")
_MARKER = r"(?:栽培|栽植|引种|引进|逸生|归化)"
# marker then 于/在 before the places it covers: "栽培于吉林", "栽培或逸生于黑龙江", "中国栽培在北部";
# 主产 "mainly grown in" (Oryza sativa subsp. japonica) is a crop's area
_FORWARD_RE = re.compile(_MARKER + r"(?:或" + _MARKER + r")?[于在]|主产")
_ANY_MARKER_RE = re.compile(_MARKER)
# parts of China that end a list with a marker after them: "东北、华北、西北各地区均有栽培"
_REGION_HINT_RE = re.compile(r"东北|华北|西北|华东|华中|华南|西南|南部|北部|东部|西部|中部|南方|北方")
_DOUBT = ("？", "?")
_RANK = CONFIDENCE_RANK


@dataclass(frozen=True)
class Occurrence:
    """One place named by a distribution text and how the species occurs there."""

    place: str  # province slug or NORTHEAST
    status: str  # WILD, CULTIVATED, ESCAPED, DOUBTFUL or ABSENT
    text: str  # the entry of the list that named it


def _marker_status(marker: str) -> str:
    # "栽培或逸生": escaped wins; either way not wild
    return ESCAPED if ("逸生" in marker or "归化" in marker) else CULTIVATED


def _places(entry: str) -> list[tuple[str, int, int]]:
    """Places named in one entry of the list, as (slug, start, end)."""
    found = [(PROVINCES[m.group()], m.start(), m.end()) for m in _PLACE_RE.finditer(entry)]
    for m in _NORTHEAST_RE.finditer(entry):
        if not any(end == m.start() for _, _, end in found):
            found.append((NORTHEAST, m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


def parse_distribution(text: str | None) -> list[Occurrence]:
    """The places of a checklist distribution text with their status (see the module docstring)."""
    if not text:
        return []
    text = text.strip().replace("\u3000", "")
    prefix = _LIST_PREFIX_RE.match(text)
    list_status = _LIST_PREFIX[prefix.group(1)] if prefix else WILD
    body = text[prefix.end() :] if prefix else text

    occurrences: list[Occurrence] = []
    mode = list_status  # status carried to later entries by a forward marker
    run_start = 0  # first occurrence a backward marker ("X、Y有栽培") reaches back to
    excluding = False  # inside "除X、Y外"
    for entry in (e.strip() for e in _SEPARATORS.split(body)):
        if not entry:
            continue
        places = _places(entry)
        forward = _FORWARD_RE.search(entry)
        if forward:
            mode = _marker_status(forward.group()) if list_status == WILD else list_status
            run_start = len(occurrences)
        if "除" in entry:
            excluding = True
        doubtful = any(mark in entry for mark in _DOUBT)
        for slug, start, end in places:
            if excluding or entry[end : end + 1] == "外":
                status = ABSENT
            elif forward and start < forward.start():
                status = list_status  # a place before "栽培于" in the same entry is not covered by it
            elif doubtful and mode == WILD:
                status = DOUBTFUL
            else:
                status = mode
            occurrences.append(Occurrence(slug, status, entry))
        # a marker after the last place ends a list: "黑龙江、北京、江苏有栽培", "海南等地栽培";
        # without a place before it ("各地广泛栽培", "偶有逸生") it is a note about other places
        last_place = places[-1][2] if places else max((m.end() for m in _REGION_HINT_RE.finditer(entry)), default=0)
        backward = _ANY_MARKER_RE.search(entry, last_place) if last_place else None
        if backward and not forward and list_status == WILD:
            status = _marker_status(backward.group())
            occurrences[run_start:] = [
                Occurrence(o.place, status, o.text) if o.status == WILD else o for o in occurrences[run_start:]
            ]
            run_start = len(occurrences)
        if "外" in entry:
            excluding = False
    return occurrences


def _northeast(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    return [o for o in occurrences if o.place in BASIN_PROVINCES or o.place == NORTHEAST]


def match_distribution(text: str | None) -> tuple[str, str, str] | None:
    """(rule, matched, confidence) for a text naming the basin provinces or Northeast China, else None.

    The rule is an ``exclude:`` key (matched and confidence empty) when the text names them but not as
    wild occurrences.
    """
    occurrences = parse_distribution(text)
    relevant = _northeast(occurrences)
    if not relevant:
        return None
    wild = {o.place for o in relevant if o.status == WILD}
    wild_provinces = [name for slug, name in BASIN_PROVINCES.items() if slug in wild]
    if wild_provinces:
        wild_everywhere = {o.place for o in occurrences if o.status == WILD}
        if len(wild_everywhere) >= NATIONWIDE_PROVINCES:
            return RULE_NATIONWIDE, "、".join(wild_provinces), "medium"
        return RULE_PROVINCE, "、".join(wild_provinces), "high"
    if NORTHEAST in wild:
        entry = next(o.text for o in relevant if o.status == WILD)
        return RULE_REGION, entry, "medium"
    statuses = {o.status for o in relevant}
    for status, rule in ((ESCAPED, EXCLUDE_ESCAPED), (CULTIVATED, EXCLUDE_CULTIVATED), (DOUBTFUL, EXCLUDE_DOUBTFUL)):
        if status in statuses:
            return rule, "", ""
    return EXCLUDE_ABSENT, "", ""


def taxon_exclusion(row: Row) -> str | None:
    """Why a checklist row is not a vascular plant species, else None."""
    if row.get("phylum") != "Tracheophyta":
        return EXCLUDE_NON_VASCULAR  # mosses, liverworts, hornworts
    name = row.get("canonical_name") or ""
    marker = row.get("infraspecies_marker")
    if marker in ("var.", "subsp.", "f."):
        return EXCLUDE_INFRASPECIFIC
    if " cv. " in name or any(quote in name for quote in "'‘’"):
        return EXCLUDE_CULTIVAR  # "Sorghum bicolor cv. Nervosum", "Platycladus orientalis 'Sieboldii'"
    if marker == "×" and row.get("species"):
        return EXCLUDE_HYBRID_FORMULA  # "Bolbitis angustipinna × sinensis"; "Spiraea × vanhouttei" is kept
    if row.get("is_accepted_name") == 0:
        return EXCLUDE_NOT_ACCEPTED
    return None


def select_row(row: Row) -> tuple[str, str, str] | None:
    """(rule, matched, confidence) for a checklist row, or None when it does not name the Northeast.

    Rows naming the Northeast but not admitted get an ``exclude:`` rule with empty matched/confidence.
    """
    match = match_distribution(row.get("distribution_c"))
    if match is None:
        return None
    excluded = taxon_exclusion(row)
    if excluded:
        return excluded, "", ""
    return match


def species_key(row: Row) -> tuple[str, str]:
    """(genus, epithet) shared by a species row and its infraspecific rows."""
    return row.get("genus") or "", row.get("species") or ""


def promote_infraspecies(species_row: Row, infraspecific_rows: Iterable[Row]) -> tuple[str, str, str] | None:
    """(rule, matched, confidence) for a species admitted through its varieties or subspecies, else None.

    The checklist sometimes gives the Northeast only to a species' infraspecific taxa (Acer tataricum subsp.
    ginnala, Glycine soja var. gracilis, Poa pratensis subspp. whose species row has no distribution). A
    species row that itself names cultivation anywhere (crops like Vigna angularis) is not promoted, nor is a
    variety with the nationwide boilerplate list (Cucumis sativus var. sativus). Medium: the rows disagree.
    """
    if taxon_exclusion(species_row) or re.search(_MARKER, species_row.get("distribution_c") or ""):
        return None
    matched = []
    for row in infraspecific_rows:
        match = match_distribution(row.get("distribution_c"))
        if match and match[0] in (RULE_PROVINCE, RULE_REGION):
            matched.append(f"{row['canonical_name']}: {match[1]}")
    if not matched:
        return None
    return RULE_INFRASPECIES, "; ".join(matched), "medium"


def placements(
    occurrences: Iterable[Occurrence], province_shares: ProvinceShares | None, source: str = CHECKLIST
) -> list[Placement]:
    """Ecoregion placements from the wild basin provinces, or from Northeast China when no province is given,
    each weighed by the share of the province in the ecoregion (``ingest.places.provinces``)."""
    from ingest.places import provinces

    if not province_shares:
        return []
    wild = {o.place for o in occurrences if o.status == WILD}
    places = [slug for slug in BASIN_PROVINCES if slug in wild] or ([NORTHEAST] if NORTHEAST in wild else [])
    best: dict[str, tuple[str, list[str]]] = {}  # eco_code -> (confidence, "province: share" texts)
    for place in places:
        name = BASIN_PROVINCES.get(place, "东北")
        for code, share in province_shares[place].items():
            confidence = provinces.confidence(place, share)
            if confidence is None:
                continue
            old_confidence, names = best.get(code, ("low", []))
            best[code] = (max(confidence, old_confidence, key=_RANK.get), names + [f"{name} {share:.0%}"])
    return [
        Placement(
            ecoregion=code,
            method="province",
            confidence=confidence,
            matched="、".join(names) + " of the province's area",
            source=source,
        )
        for code, (confidence, names) in best.items()
    ]


def vernacular_names(row: Row) -> list[tuple[str, str]]:
    """Chinese name and its pinyin. A few names describe a rare glyph ("[艹／洽]草"); they are kept as given."""
    names = []
    if row.get("species_c"):
        names.append((row["species_c"].strip(), "zh"))
    if row.get("species_c_py"):
        names.append((" ".join(row["species_c_py"].split()), "zh-Latn-pinyin"))
    return names


def to_record(
    row: Row,
    rule: str,
    matched: str,
    confidence: str,
    occurrences: Iterable[Occurrence] | None = None,
    province_shares: ProvinceShares | None = None,
) -> SpeciesRecord:
    """A selected checklist row as a species record (no red-list assessment yet).

    ``occurrences`` (default: the row's own) are where the placements come from.
    """
    if occurrences is None:
        occurrences = parse_distribution(row.get("distribution_c"))
    occurrences = list(occurrences)  # read twice: placements and provinces
    return SpeciesRecord(
        source=CHECKLIST,
        row_id=row["name_code"],
        group="plant",
        scientific_name=" ".join(row["canonical_name"].split()),
        authorship=row.get("author") or None,
        kingdom=row.get("kingdom") or "Plantae",
        phylum=row.get("phylum"),
        class_=row.get("class"),
        order=row.get("order"),
        family=row.get("family"),
        genus=row.get("genus"),
        vernacular=vernacular_names(row),
        identifiers={"col-china": row["name_code"]},
        rule=rule,
        matched=matched,
        confidence=confidence,
        placements=placements(occurrences, province_shares),
        countries=("CN",),
        provinces=tuple(sorted({o.place for o in occurrences if o.status == WILD and o.place != NORTHEAST})),
    )


# --- China Biodiversity Red List 2020 ---------------------------------------------------------------

# The list gives IUCN codes; the Chinese labels are mapped too in case a row uses them.
REDLIST_CATEGORIES = {
    "EX": "EX",
    "EW": "EW",
    "RE": "RE",
    "CR": "CR",
    "EN": "EN",
    "VU": "VU",
    "NT": "NT",
    "LC": "LC",
    "DD": "DD",
    "灭绝": "EX",
    "野外灭绝": "EW",
    "区域灭绝": "RE",
    "极危": "CR",
    "濒危": "EN",
    "易危": "VU",
    "近危": "NT",
    "无危": "LC",
    "数据缺乏": "DD",
}
REDLIST_ASSESSOR = "MEE-CAS"
REDLIST_SCOPE = "CN"
REDLIST_YEAR = 2020
_BINOMIAL_RE = re.compile(r"^[A-Z][a-z-]+ (?:× )?[a-z-]+$")


def redlist_name(name: str | None) -> str:
    """A red-list name as a join key: spreadsheet line breaks removed ("var._x000D_\\nunipapillosum") and
    everything after the genus in lower case ("Bupleurum Chinense", "subsp._x000D_\\nJaponicum")."""
    words = (name or "").replace("_x000D_", " ").split()
    return " ".join(words[:1] + [w.lower() for w in words[1:]])


def redlist_assessment(row: Row) -> Assessment | None:
    """The national assessment of a red-list row, or None for rows without a category (repeated headers)."""
    category = REDLIST_CATEGORIES.get((row.get("iucn_red_list_category") or "").strip())
    if category is None:
        return None
    criteria = " ".join((row.get("iucn_red_list_criteria") or "").split()) or None
    return Assessment(
        category=category,
        assessor=REDLIST_ASSESSOR,
        scope=REDLIST_SCOPE,
        year=REDLIST_YEAR,
        source=REDLIST,
        criteria=criteria,
    )


@dataclass
class RedList:
    """Assessments of the red list by name and, for binomials, by Chinese name (to follow renamings)."""

    by_name: dict[str, Assessment]
    by_chinese: dict[str, list[tuple[str, Assessment]]]  # Chinese name -> [(binomial, assessment)]
    conflicts: set[str]  # names listed twice with different categories (the first row is used)
    assessed_below: set[str]  # binomials with an assessed variety or subspecies ("Tilia amurensis")

    def lookup(self, name: str, chinese: str | None) -> tuple[Assessment | None, str]:
        """(assessment, how) for an accepted checklist name: how is "name", "synonym" or "" (none).

        "synonym": same Chinese name and the same first five letters of the epithet, which follows the
        renamings between the lists (Cimicifuga simplex -> Actaea simplex, Polygonum orientale -> Persicaria
        orientalis) and spelling slips (Pinellia ternate), but not two plants sharing a Chinese name.
        """
        key = redlist_name(name)
        if key in self.by_name:
            return self.by_name[key], "name"
        epithet = key.split()[-1]
        for other, assessment in self.by_chinese.get(chinese or "", []):
            if other.split()[-1][:5] == epithet[:5]:
                return assessment, "synonym"
        return None, ""

    def has_infraspecific(self, name: str) -> bool:
        return redlist_name(name) in self.assessed_below


def redlist_index(rows: Iterable[Row]) -> RedList:
    """Index red-list rows; the first row of a repeated name wins."""
    redlist = RedList(by_name={}, by_chinese={}, conflicts=set(), assessed_below=set())
    for row in rows:
        assessment = redlist_assessment(row)
        name = redlist_name(row.get("species"))
        if assessment is None or not name:
            continue
        if name in redlist.by_name:
            if redlist.by_name[name].category != assessment.category:
                redlist.conflicts.add(name)
            continue
        redlist.by_name[name] = assessment
        words = name.split()
        if len(words) >= 4 and words[2] in ("var.", "subsp.", "f."):
            redlist.assessed_below.add(" ".join(words[:2]))
        chinese = (row.get("species_cn") or "").strip()
        if chinese and _BINOMIAL_RE.match(name):
            redlist.by_chinese.setdefault(chinese, []).append((name, assessment))
    return redlist


# --- reading ----------------------------------------------------------------------------------------


# Columns the reader uses; the cache keeps only these.
CHECKLIST_COLUMNS = (
    "name_code",
    "canonical_name",
    *HIGHER_RANKS,  # the checklist names its classification columns by the ranks
    "species",
    "infraspecies_marker",
    "infraspecies",
    "author",
    "species_c",
    "species_c_py",
    "distribution_c",
    "is_accepted_name",
)
REDLIST_COLUMNS = ("species", "species_cn", "iucn_red_list_category", "iucn_red_list_criteria")


def _parse_rda(path: Path, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """The one data frame of an .rda file as dicts of ``columns``, missing values as None."""
    frame = data_frame(path)[list(columns)].astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def _rows(path: Path, columns: tuple[str, ...], cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """Rows of an .rda file, through a JSON cache keyed by the file's sha256 when ``cache_dir`` is given
    (the same scheme as ingest.rangebuilder: the cache can never go stale)."""
    return cached_json(path, cache_dir, f"plants-{path.stem}", lambda p: _parse_rda(p, columns))


def select(
    checklist: Iterable[Row], redlist_rows: Iterable[Row] = (), province_shares: ProvinceShares | None = None
) -> Selection:
    """Select the basin species of checklist rows and join their red-list assessments; ``province_shares``
    (``ingest.places.provinces.shares``) places them in ecoregions."""
    checklist = list(checklist)
    redlist = redlist_index(redlist_rows)
    report: Counter[str] = Counter()
    records: list[SpeciesRecord] = []
    selected_keys: set[tuple[str, str]] = set()
    for row in checklist:
        selected = select_row(row)
        if selected is None:
            continue
        rule, matched, confidence = selected
        report[rule] += 1
        if not rule.startswith("exclude:"):
            records.append(to_record(row, rule, matched, confidence, province_shares=province_shares))
            selected_keys.add(species_key(row))

    # species the checklist places in the Northeast only through their varieties or subspecies
    infraspecific: dict[tuple[str, str], list[Row]] = {}
    for row in checklist:
        if row.get("phylum") == "Tracheophyta" and row.get("infraspecies_marker") in ("var.", "subsp.", "f."):
            infraspecific.setdefault(species_key(row), []).append(row)
    for row in checklist:
        key = species_key(row)
        if key in selected_keys or key not in infraspecific or row.get("infraspecies_marker") is not None:
            continue
        if select_row(row) is not None:
            continue  # the species row names the Northeast itself (cultivated, escaped ...): it wins
        promoted = promote_infraspecies(row, infraspecific[key])
        if promoted:
            occurrences = [o for r in infraspecific[key] for o in parse_distribution(r.get("distribution_c"))]
            records.append(to_record(row, *promoted, occurrences=occurrences, province_shares=province_shares))
            selected_keys.add(key)
            report[promoted[0]] += 1

    for record in records:
        chinese = next((name for name, language in record.vernacular if language == "zh"), None)
        assessment, how = redlist.lookup(record.scientific_name, chinese)
        if assessment:
            record.assessments.append(assessment)
            report[JOIN_REDLIST if how == "name" else JOIN_REDLIST_SYNONYM] += 1
            if redlist_name(record.scientific_name) in redlist.conflicts:
                report[JOIN_REDLIST_CONFLICT] += 1
        elif redlist.has_infraspecific(record.scientific_name):
            # only its varieties are assessed (Tilia amurensis var. amurensis VU): not the species' category
            report[JOIN_REDLIST_INFRASPECIFIC_ONLY] += 1
    return Selection(records=records, report=dict(report))


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection:
    """Read the checklist (and the red list when given) from {source id: path}; ``cache_dir`` caches the
    parsed rows (parsing the two files takes a few seconds)."""
    checklist = _rows(Path(files[CHECKLIST]), CHECKLIST_COLUMNS, cache_dir)
    redlist = _rows(Path(files[REDLIST]), REDLIST_COLUMNS, cache_dir) if REDLIST in files else []
    shares = province_shares(Path(files[ECOREGIONS]), cache_dir) if ECOREGIONS in files else None
    return select(checklist, redlist, shares)


def province_shares(teow_wheel: Path, cache_dir: Path | None = None) -> dict[str, dict[str, float]]:
    """The share of each basin province in each basin ecoregion (cached, keyed by the ecoregion file)."""
    from ingest import ecoregions
    from ingest.places import provinces

    def compute(path: Path) -> dict:
        found = ecoregions.basin_ecoregions(ecoregions.read_features(path))
        return provinces.shares({code: e.geometry for code, e in found.items()})

    return cached_json(teow_wheel, cache_dir, "province-shares-v1", compute)
