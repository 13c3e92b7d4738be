"""Measure every placement method against WWF WildFinder, then give each method the confidence it earns.

WildFinder (``ingest.wildfinder``) is WWF's own species-by-ecoregion table for mammals: for the mammals
it holds it is the reference. For each other method - a range box at several overlap shares (rangeBuilder
and PanTHERIA boxes measured on every reference mammal that has one), the gazetteer (specific and broad
places), the curated page facts, province lists - the build counts, over the reference mammals:

- precision = placements WildFinder also lists / placements the method makes,
- recall = reference links the method finds / all reference links.

The calibration then follows the figures, for every group (birds, amphibians and plants have no such
reference, so they take the levels the same method earned on mammals):

- confidence from precision (``LEVELS``): at least 90 % high, at least 60 % medium, else low. A method
  measured on fewer than ``MIN_MEASURED`` placements is not judged: it keeps its reader's confidence,
  at most medium.
- the range-box rule: of the measured shares, the lowest at which a box is at least 60 % precise; when no
  share reaches it, the share with the best F1 (the box stays low). Boxes under the share place nothing.
- where WildFinder lists a mammal, a placement of another method in an ecoregion WildFinder does not list
  is low (possible): the reference disagrees.
- a method that places through another method's table (``INHERITS``: a checklist region takes the
  ecoregions of its gazetteer place) and is not measured itself takes the level that method earned.

Province placements of plants are not measured here (no mammal is placed by province); their level comes
from the area share of the province in each ecoregion (``ingest.places.provinces``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ingest.places import gazetteer, rangebox
from ingest.places.geography import CONFIDENCE_RANK, Box
from ingest.records import Placement

if TYPE_CHECKING:
    from kg.build.species import Taxon

REFERENCE = "wildfinder"
BOX_SHARES = (0.2, 0.35, 0.5, 0.75, 0.9)
LEVELS = ((0.9, "high"), (0.6, "medium"), (0.0, "low"))
MEDIUM_PRECISION = 0.6
MIN_MEASURED = 10
LEVEL = CONFIDENCE_RANK
BOX_SOURCES = {"rangebuilder-2022": "rangebuilder", "pantheria-1.0": "pantheria"}
LABELS = {
    "range-box:rangebuilder": "range box, rangeBuilder (IUCN 2017 maps)",
    "range-box:pantheria": "range box, PanTHERIA (MSW3-era maps)",
    "gazetteer:specific": "gazetteer, specific place",
    "gazetteer:broad": "gazetteer, broad place",
    "curated": "curated (WWF Amur-Heilong pages)",
    "province": "province list",
    "checklist-region:specific": "checklist region, specific place",
    "checklist-region:broad": "checklist region, broad place",
    "range-box:rangebuilder:wide": "range box, rangeBuilder, wider than 180° (not placed)",
    "range-box:pantheria:wide": "range box, PanTHERIA, wider than 180° (not placed)",
}
# Methods the reference cannot measure (kept as their readers state them, see the module docstring).
UNMEASURED = ("province", "freshwater", "occurrence", REFERENCE)
# A checklist region (ingest/checklists.py) is placed in the ecoregions of its gazetteer place: measured on too
# few reference mammals (a plant checklist has none), it takes the level of the gazetteer's own variant.
INHERITS = {"checklist-region:specific": "gazetteer:specific", "checklist-region:broad": "gazetteer:broad"}


def variant(p: Placement) -> str:
    """The measured variant a placement belongs to: "range-box:rangebuilder", "gazetteer:broad" ..."""
    if p.method == "range-box":
        return f"range-box:{BOX_SOURCES.get(p.source, 'rangebuilder')}"
    if p.method == "gazetteer":
        places = [place for place, _ in gazetteer.find_places(p.matched)]
        return (
            "gazetteer:broad"
            if places and all(pl in gazetteer.BROAD_PLACES for pl in places)
            else ("gazetteer:specific")
        )
    if p.method == "checklist-region":
        from ingest import checklists

        return (
            "checklist-region:broad" if checklists.is_broad(checklists.region_of(p)) else ("checklist-region:specific")
        )
    return p.method


def level_for(precision: float) -> str:
    return next(level for floor, level in LEVELS if precision >= floor)


@dataclass
class Figures:
    """One row of the table: a method (at a box share) measured against the reference."""

    key: str  # variant key
    share: float | None  # range box: the minimum share of the ecoregion covered
    placements: int
    agree: int
    reference: int  # reference links of the mammals measured
    species: int  # reference mammals the method places at all

    @property
    def precision(self) -> float | None:
        return self.agree / self.placements if self.placements else None

    @property
    def recall(self) -> float | None:
        return self.agree / self.reference if self.reference else None

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def label(self) -> str:
        text = LABELS.get(self.key, self.key)
        return f"{text}, share >= {self.share:.0%}" if self.share is not None else text


@dataclass
class Calibration:
    """The measured table and what follows from it; ``apply`` calibrates the placements of one taxon."""

    table: list[Figures]
    levels: dict[str, str]  # variant -> confidence earned (measured variants only)
    box_share: dict[str, float]  # "range-box:rangebuilder" -> the chosen minimum share
    reference_species: int = 0
    reference_links: int = 0
    rules: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # rule -> species -> n

    def level_of(self, key: str) -> str | None:
        """The level a variant earned, or inherited from the method whose table it places through; None: unjudged."""
        if key in self.levels:
            return self.levels[key]
        return self.levels.get(INHERITS.get(key, ""))

    def apply(self, placements: list[Placement], taxon: Taxon | None = None) -> list[Placement]:
        name = taxon.name if taxon is not None else "?"
        reference = {p.ecoregion for p in placements if p.method == REFERENCE}
        result = []
        for p in placements:
            key = variant(p)
            if p.method == "range-box" and p.share is not None and p.share < self.box_share.get(key, 0.0):
                self.rules["range-box:below-measured-share"][name] += 1
                continue
            judged = self.level_of(key)
            level = judged or p.confidence
            if judged is None and key not in UNMEASURED and level == "high":
                level = "medium"  # measured on too few placements to earn high
            if reference and p.method != REFERENCE and p.ecoregion not in reference and level != "low":
                self.rules["reference:wildfinder-does-not-list"][name] += 1
                level = "low"
            if level != p.confidence:
                if LEVEL[level] < LEVEL[p.confidence]:
                    self.rules[f"calibrated:{key}:lowered"][name] += 1
                else:
                    self.rules[f"calibrated:{key}:raised"][name] += 1
                p = replace(p, confidence=level)
            result.append(p)
        return result

    def summary(self) -> dict[str, Any]:
        """The manifest's view: the table, the levels, the box rule and each rule's yield with its species."""
        return {
            "reference": {"method": REFERENCE, "mammals": self.reference_species, "links": self.reference_links},
            "table": [
                {
                    "method": f.label,
                    "key": f.key,
                    "share": f.share,
                    "placements": f.placements,
                    "agree": f.agree,
                    "precision": _round(f.precision),
                    "recall": _round(f.recall),
                    "species": f.species,
                }
                for f in self.table
            ],
            "levels": dict(sorted(self.levels.items())),
            "inherited": {
                key: {"from": origin, "level": self.levels[origin]}
                for key, origin in INHERITS.items()
                if key not in self.levels and origin in self.levels
            },
            "box_share": self.box_share,
            "rules": {
                rule: {"placements": sum(c.values()), "species": sorted(c)} for rule, c in sorted(self.rules.items())
            },
        }


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def measure(
    reference: Mapping[str, set[str]],
    predictions: Mapping[str, Mapping[str, set[str]]],
    key: str,
    share: float | None = None,
) -> Figures:
    """Figures of one method: ``predictions`` maps a reference taxon to the ecoregions the method gives."""
    total = sum(len(ecos) for ecos in reference.values())
    made = agree = species = 0
    for taxon, ecos in reference.items():
        predicted = predictions.get(key, {}).get(taxon, set())
        made += len(predicted)
        agree += len(predicted & ecos)
        species += bool(predicted)
    return Figures(key=key, share=share, placements=made, agree=agree, reference=total, species=species)


def choose_share(rows: list[Figures]) -> Figures:
    """The range-box rule: the lowest share at least 60 % precise, else the share with the best F1."""
    precise = [f for f in rows if f.placements >= MIN_MEASURED and (f.precision or 0) >= MEDIUM_PRECISION]
    if precise:
        return min(precise, key=_share)
    return max(rows, key=lambda f: (f.f1, -_share(f)))


def _share(row: Figures) -> float:
    """The share of a range-box row (the rows of other methods have none)."""
    assert row.share is not None, row.key
    return row.share


def calibrate(
    taxa: Mapping[str, Taxon],
    polygons: dict[str, Any],
    boxes: Mapping[str, tuple[Box | None, Box | None]],
    extra: Mapping[str, list[Placement]],
) -> Calibration:
    """Measure the methods on the mammals WildFinder holds and derive the calibration.

    ``taxa``: slug -> species.Taxon; ``polygons``: eco_code -> geometry (degrees); ``boxes``: MDD name ->
    (rangeBuilder box, PanTHERIA box) in degrees; ``extra``: slug -> placements the build adds (curated).
    """
    from kg.namespaces import slug

    codes = set(polygons)
    reference: dict[str, set[str]] = {}
    predictions: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key, taxon in taxa.items():
        placements = [p for r in taxon.records for p in r.placements] + list(extra.get(key, []))
        wildfinder = {p.ecoregion for p in placements if p.method == REFERENCE and p.ecoregion in codes}
        if not wildfinder:
            continue
        reference[key] = wildfinder
        for p in placements:
            if p.method != REFERENCE and p.method != "range-box":
                predictions[variant(p)][key].add(p.ecoregion)
    box_rows: dict[str, list[Figures]] = {}
    wide_shares: dict[str, dict[str, dict[str, float]]] = {}
    for index, source in enumerate(("rangebuilder", "pantheria")):
        key = f"range-box:{source}"
        shares_of: dict[str, dict[str, float]] = {}
        wide_shares[key] = {}
        for name, pair in boxes.items():
            box = pair[index] if pair else None
            taxon_key = slug(name)
            if box is None or taxon_key not in reference:
                continue
            # a box wider than MAX_LON_SPAN places nothing; it is measured apart, so the table shows that rule
            wide = rangebox.lon_span(box) > rangebox.MAX_LON_SPAN
            (wide_shares[key] if wide else shares_of)[taxon_key] = rangebox.box_shares(box, rangebox.DEGREES, polygons)
        box_rows[key] = []
        for share in BOX_SHARES:
            at = {key: {t: {c for c, s in shares.items() if s >= share} for t, shares in shares_of.items()}}
            box_rows[key].append(measure(reference, at, key, share))
    table: list[Figures] = []
    levels: dict[str, str] = {}
    box_share: dict[str, float] = {}
    for key, rows in box_rows.items():
        table.extend(rows)
        chosen = choose_share(rows)
        box_share[key] = _share(chosen)
        levels[key] = level_for(chosen.precision or 0.0)
        wide_key = f"{key}:wide"
        at = {
            wide_key: {
                t: {c for c, s in shares.items() if s >= _share(chosen)} for t, shares in wide_shares[key].items()
            }
        }
        table.append(measure(reference, at, wide_key, chosen.share))
    for key in sorted(set(predictions) | {"province"}):
        figures = measure(reference, predictions, key)
        table.append(figures)
        if figures.placements >= MIN_MEASURED and key not in UNMEASURED:
            levels[key] = level_for(figures.precision or 0.0)
    calibration = Calibration(
        table=table,
        levels=levels,
        box_share=box_share,
        reference_species=len(reference),
        reference_links=sum(len(e) for e in reference.values()),
    )
    return calibration


def markdown(calibration: Calibration | dict[str, Any]) -> str:
    """The table as docs/data.md shows it (the build prints the same lines), from a calibration or from the
    ``summary()`` a build manifest holds."""
    summary = calibration.summary() if isinstance(calibration, Calibration) else calibration
    lines = [
        "| method | placements | agree with WildFinder | precision | recall | mammals placed | confidence |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    chosen = set(summary["box_share"].items())
    for row in summary["table"]:
        if row["key"].endswith(":wide"):
            level = "not placed (rule)"
        elif row["share"] is not None:
            level = summary["levels"][row["key"]] + " (rule)" if (row["key"], row["share"]) in chosen else "-"
        else:
            inherited = summary.get("inherited", {}).get(row["key"])
            level = summary["levels"].get(row["key"]) or (
                f"{inherited['level']} (as {LABELS[inherited['from']]})" if inherited else "not judged"
            )
        precision = f"{row['precision']:.0%}" if row["precision"] is not None else "-"
        recall = f"{row['recall']:.0%}" if row["recall"] is not None else "-"
        lines.append(
            f"| {row['method']} | {row['placements']} | {row['agree']} | {precision} | {recall} "
            f"| {row['species']} | {level} |"
        )
    return "\n".join(lines)
