"""What each resource page shows: the generic statements plus sections for taxa, ecoregions, concepts, sources."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from server.explorer.graphdata import CATEGORY_ORDER, RANK_ORDER, bound_query, kind_of, local_path, select, short

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DWC = "http://rs.tdwg.org/dwc/terms/"
AMUR = "https://w3id.org/amurkg/ontology#"
DCTERMS = "http://purl.org/dc/terms/"
IDENTIFIER_PROPERTIES = {
    AMUR + p for p in ("colChinaId", "avibaseId", "ebirdCode", "mddId", "fishbaseSpecCode", "amphibiawebId")
}
# shown in the interface language (lazy: read at render time, in the request's locale)
LANGUAGE_NAMES = {
    "en": _l("English"),
    "zh": _l("Chinese"),
    "zh-latn-pinyin": _l("Chinese (pinyin)"),
    "ru": _l("Russian"),
    "la": _l("Latin"),
    "": _l("no language"),
}
STATUS_NAMES = {"recorded": _l("recorded"), "possible": _l("possible")}
# why the build placed a species in no ecoregion (amur:noPlacementReason, ingest/regions.py NO_PLACEMENT_REASONS)
NO_PLACEMENT_REASONS = {
    "no-range-data": _l(
        "The sources give no range box and name no basin place for it (the Reptile Database lists countries only)."
    ),
    "box-too-wide": _l("Its range box spans more than 180° of longitude, which places nothing."),
    "box-too-narrow": _l(
        "Its range box covers too little of every basin ecoregion (under the measured share; a "
        "migrant's box unprojected from Mollweide is narrow)."
    ),
    "placements-removed": _l("Every placement its sources gave was removed by the calibrated rules."),
}  # a species' placement in an ecoregion
# Concept namespaces that are IUCN hierarchies with broader/narrower.
CONCEPT_KINDS = ("threat", "action", "habitat", "stress")


def lang_attr(text: str) -> Markup:
    """' lang="zh-Hans"' for text with Chinese characters (the graph's Chinese names are simplified), else nothing:
    browsers then pick a CJK font and screen readers a Chinese voice."""
    if any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text or ""):
        return Markup(' lang="zh-Hans"')
    return Markup("")


def link(iri: str) -> str:
    """Where a resource is shown: its path on this server when minted under the base, else the IRI itself."""
    return local_path(iri) or iri


def statements(store: ox.Store, iri: str) -> list[dict]:
    """The resource's own statements, grouped by property, each value with a label and link when it is an IRI."""
    result = store.query(bound_query("outgoing", {"iri": iri}), use_default_graph_as_union=True)
    by_property: dict[str, list[dict]] = defaultdict(list)
    for solution in result:
        p, o, label = solution["p"].value, solution["o"], solution["label"]
        item = {"text": o.value, "iri": None, "href": None, "lang": None, "datatype": None}
        if isinstance(o, ox.NamedNode):
            item.update(iri=o.value, href=link(o.value), text=label.value if label else short(o.value))
        elif isinstance(o, ox.Literal):
            item.update(lang=o.language, datatype=short(o.datatype.value) if o.datatype else None)
        if item not in by_property[p]:
            by_property[p].append(item)
    return [
        {"property": p, "short": short(p), "values": values}
        for p, values in sorted(by_property.items(), key=lambda kv: (kv[0] != RDF_TYPE, short(kv[0])))
    ]


def first_text(stmts: list[dict], *properties: str) -> str | None:
    for prop in properties:
        for group in stmts:
            if group["property"] == prop and group["values"]:
                return group["values"][0]["text"]
    return None


def values_of(stmts: list[dict], prop: str) -> list[dict]:
    for group in stmts:
        if group["property"] == prop:
            return group["values"]
    return []


def title_of(stmts: list[dict], iri: str) -> str:
    return first_text(stmts, RDFS_LABEL, SKOS + "prefLabel", DCTERMS + "title", DWC + "scientificName") or short(iri)


def incoming(store: ox.Store, iri: str) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in select(store, "incoming", iri):
        groups[row["p"]].append({"iri": row["s"], "href": link(row["s"]), "text": row["label"] or short(row["s"])})
    return [
        {"property": p, "short": short(p), "values": sorted(v, key=lambda x: x["text"])}
        for p, v in sorted(groups.items())
    ]


def protection_rows(rows: list[dict]) -> list[dict]:
    """One row per listing (list, class or appendix), its labels in the interface language (English where the graph
    has none in it), the countries of a population-specific scope gathered (ingest/protection.py)."""
    from server.i18n import language_code

    wanted = language_code()
    listings: dict[str, dict] = {}
    for row in rows:
        listing = listings.setdefault(row["status"], {**row, "countries": set(), "labels": {}})
        listing["labels"][row["lang"]] = (row["list_label"], row["class_label"])
        if row["country"]:
            listing["countries"].add(row["country"])
    for listing in listings.values():
        labels = listing["labels"]
        listing["list_label"], listing["class_label"] = (
            labels.get(wanted) or labels.get("en") or next(iter(labels.values()))
        )
        listing["countries"] = sorted(listing["countries"])
        listing["wild"] = listing["wild"] in ("true", "1")
        listing["cites"] = listing["list"].endswith("/protection-list/cites")
    return sorted(listings.values(), key=lambda r: (r["cites"], r["list"], r["notation"]))


def taxon_sections(store: ox.Store, iri: str, stmts: list[dict]) -> dict:
    rank = first_text(stmts, DWC + "taxonRank") or ""
    chain = sorted(
        select(store, "taxon-chain", iri), key=lambda r: RANK_ORDER.index(r["rank"]) if r["rank"] in RANK_ORDER else 99
    )
    names: dict[str, list[str]] = defaultdict(list)
    by_lang: dict[str, list[str]] = defaultdict(list)  # primary language tag -> names, for the interface language
    for value in values_of(stmts, DWC + "vernacularName"):
        names[str(LANGUAGE_NAMES.get(value["lang"] or "", value["lang"] or ""))].append(value["text"])
        tag = (value["lang"] or "").lower()
        if tag and "latn" not in tag:  # zh, zh-hans, ru...; not pinyin
            by_lang[tag.split("-")[0]].append(value["text"])
    sections: dict = {"rank": rank, "chain": chain, "names": dict(names), "names_by_lang": dict(by_lang)}
    if rank == "species":
        assessments = select(store, "taxon-assessments", iri)
        sections["assessments"] = sorted(assessments, key=lambda a: (a["scope_label"] or "", a["assessor"] or ""))
        sections["ecoregions"] = select(store, "taxon-ecoregions", iri)
        threats = select(store, "taxon-threats", iri)
        sections["direct_threats"] = [t for t in threats if t["kind"] == "direct"]
        sections["inferred_threats"] = [t for t in threats if t["kind"] == "inferred"]
        actions: dict[str, dict] = {}
        for row in select(store, "taxon-actions", iri):
            action = actions.setdefault(row["action"], {**row, "threats": set(), "initiatives": {}})
            action["threats"].add(row["threat_code"])
            action["initiatives"][row["initiative"]] = row["initiative_label"]
        sections["actions"] = list(actions.values())
        sections["protection"] = protection_rows(select(store, "taxon-protection", iri))
        sections["identifiers"] = [
            {"name": short(g["property"]).split(":")[1], "value": v["text"]}
            for g in stmts
            if g["property"] in IDENTIFIER_PROPERTIES
            for v in g["values"]
        ]
        sections["see_also"] = values_of(stmts, "http://www.w3.org/2000/01/rdf-schema#seeAlso")
        sections["sources"] = select(store, "sources-of", iri)
        sections["tones"] = placement_tones(sections["ecoregions"])
        sections["highlight"] = set(sections["tones"])
        sections["recorded_count"] = sum(1 for t in sections["tones"].values() if t["tone"] == "recorded")
        sections["possible_count"] = sum(1 for t in sections["tones"].values() if t["tone"] == "possible")
        sections["regions"] = select(store, "region-records", iri)
        # why the build placed it nowhere (amur:noPlacementReason, written from the build's rule yields)
        sections["no_placement"] = first_text(stmts, AMUR + "noPlacementReason")
    else:
        sections["children"] = select(store, "taxon-children", iri)
        sections["species"] = select(store, "taxon-species", iri)
    return sections


def placement_tones(placements: list[dict]) -> dict[str, dict]:
    """Ecoregion IRI -> how the map shows it on a species page: its tone (recorded or possible) and, on hover,
    the methods and confidences that place the species there."""
    tones: dict[str, dict] = {}
    for row in placements:
        tone = tones.setdefault(row["ecoregion"], {"tone": row["status"], "methods": []})
        method = f"{row['method_label'] or short(row['method'] or '')} ({row['confidence_label'] or '?'})"
        if method not in tone["methods"]:
            tone["methods"].append(method)
    for tone in tones.values():
        tone["title"] = f"{STATUS_NAMES.get(tone['tone'], tone['tone'])}: " + ", ".join(tone["methods"])
    return tones


def ecoregion_sections(store: ox.Store, iri: str) -> dict:
    summary = select(store, "ecoregion-species-summary", iri)
    threatened = select(store, "ecoregion-threatened-species", iri)
    return {
        # recorded (amur:occursIn) and possible (amur:possiblyOccursIn) species are shown apart
        "summary": summary_table([r for r in summary if r["status"] == "recorded"]),
        "possible_summary": summary_table([r for r in summary if r["status"] == "possible"]),
        "threatened": [r for r in threatened if r["status"] == "recorded"],
        "possible_threatened": [r for r in threatened if r["status"] == "possible"],
        "threats": select(store, "ecoregion-threats", iri),
        "initiatives": select(store, "ecoregion-initiatives", iri),
        "protected": protected_counts(select(store, "ecoregion-protected-species", iri)),
        "highlight": {iri},
    }


# The red lists a summary counts, by the key its rows give: the global IUCN category (?category) and a national list
# (?national, an assessment scoped to a country; ?scope its code). Shown with the list each count comes from.
LIST_NAMES = {"IUCN": _l("IUCN Red List (global)"), "CN": _l("China Red List (CBRL 2020, national)")}
NOT_ASSESSED = "not assessed"


def protected_counts(rows: list[dict]) -> list[dict]:
    """Per list and class (CITES appendix): species recorded and possibly here, labelled in the interface language."""
    from server.i18n import language_code

    wanted = language_code()
    table: dict[tuple[str, str], dict] = {}
    for row in rows:
        entry = table.setdefault(
            (row["list"], row["notation"]),
            {
                "list": row["list"],
                "notation": row["notation"],
                "valid": row["valid"],
                "labels": {},
                "recorded": 0,
                "possible": 0,
                "cites": row["list"].endswith("/protection-list/cites"),
            },
        )
        entry["labels"][row["lang"]] = row["label"]
        entry[row["status"]] = max(entry[row["status"]], int(row["n"] or 0))  # the same count in each language
    for entry in table.values():
        labels = entry["labels"]
        entry["label"] = labels.get(wanted) or labels.get("en") or next(iter(labels.values()))
    return sorted(table.values(), key=lambda e: (e["cites"], e["list"], e["notation"]))


def summary_table(rows: list[dict]) -> dict:
    """Counts of species by group (rows) and red-list category (columns), with totals.

    Rows with a ``national`` key (the ecoregion and region pages) count each species once per list it is assessed
    by: its global IUCN category under the IUCN columns, its national category (the China Red List for plants)
    under that list's columns; "not assessed" counts the species assessed by neither. Rows without it (the home
    page's tables) count one list, unnamed.
    """
    groups: dict[str, dict] = {}
    found: dict[str, set[str]] = defaultdict(set)  # list key -> categories
    named = any("national" in row for row in rows)
    for row in rows:
        group = groups.setdefault(
            row["group"], {"iri": row["group"], "label": row["group_label"], "counts": {}, "total": 0}
        )
        n = int(row["n"] or 0)
        group["total"] += n
        keys = []
        if row.get("category"):
            keys.append(("IUCN" if named else "", row["category"]))
        if row.get("national"):
            keys.append((row.get("scope") or "national", row["national"]))
        if not keys:
            keys.append(("", NOT_ASSESSED))
        for list_key, category in keys:
            found[list_key].add(category)
            column = f"{list_key}:{category}"
            group["counts"][column] = group["counts"].get(column, 0) + n
    lists = []
    for list_key in sorted(found, key=lambda k: (k == "", k != "IUCN", k)):
        categories = found[list_key]
        ordered = [c for c in CATEGORY_ORDER if c in categories] + sorted(categories - set(CATEGORY_ORDER))
        if list_key == "":  # the unnamed list (home page) and "not assessed" last
            ordered = [c for c in ordered if c != NOT_ASSESSED] + ([NOT_ASSESSED] if NOT_ASSESSED in categories else [])
        label = LIST_NAMES.get(list_key, list_key) if list_key else ""
        lists.append(
            {"key": list_key, "label": label, "columns": [{"key": f"{list_key}:{c}", "category": c} for c in ordered]}
        )
    ordered_groups = sorted(groups.values(), key=lambda g: -g["total"])
    return {
        "lists": lists,
        "columns": [c for lst in lists for c in lst["columns"]],
        "named": named,
        "groups": ordered_groups,
        "max": max([g["total"] for g in ordered_groups], default=1),
    }


def count_of(summary: dict, group_label: str, column: str) -> int:
    """A count of a summary table, by group label and column key ("IUCN:LC", "CN:VU", ":not assessed")."""
    for group in summary["groups"]:
        if group["label"] == group_label:
            return int(group["counts"].get(column, 0))
    return 0


def region_sections(store: ox.Store, iri: str) -> dict:
    """A region's page: its species by group and category (both lists), the ecoregions it overlaps with their share."""
    ecoregions = select(store, "region-ecoregions", iri)
    for row in ecoregions:
        row["share_percent"] = round(100 * float(row["share"]), 1) if row["share"] else None
    return {
        "summary": summary_table(select(store, "region-species-summary", iri)),
        "ecoregions": ecoregions,
        "highlight": {row["ecoregion"] for row in ecoregions},
    }


def concept_sections(store: ox.Store, iri: str, kind: str) -> dict:
    hierarchy = select(store, "concept-hierarchy", iri)

    def depth(row: dict) -> int:
        return row["code"].count(".")

    sections: dict = {
        "broader": sorted((r for r in hierarchy if r["relation"] == "broader"), key=depth),
        "narrower": sorted(
            (r for r in hierarchy if r["relation"] == "narrower"),
            key=lambda r: [int(x) if x.isdigit() else 0 for x in r["code"].split(".")],
        ),
    }
    if kind == "threat":
        species = select(store, "threat-species", iri)
        direct = {r["species"]: r for r in species if r["kind"] == "direct"}
        inferred = {r["species"]: r for r in species if r["kind"] == "inferred" and r["species"] not in direct}
        sections["direct_species"] = sorted(direct.values(), key=_by_category)
        sections["inferred_species"] = sorted(inferred.values(), key=_by_category)
        sections["ecoregions"] = select(store, "threat-ecoregions", iri)
        sections["highlight"] = {r["ecoregion"] for r in sections["ecoregions"]}
        sections["actions"] = _merge_initiatives(select(store, "threat-actions", iri), "action")
    elif kind == "action":
        sections["threats"] = _merge_initiatives(select(store, "action-threats", iri), "threat")
    return sections


def _by_category(row: dict) -> tuple:
    category = row.get("category")
    return (CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else 99, row["name"])


def _merge_initiatives(rows: list[dict], key: str) -> list[dict]:
    merged: dict[str, dict] = {}
    for row in rows:
        item = merged.setdefault(row[key], {**row, "initiatives": {}})
        item["initiatives"][row["initiative"]] = row["initiative_label"]
    return list(merged.values())


def source_sections(store: ox.Store, iri: str) -> dict:
    rows = select(store, "source-contribution", iri)
    graphs = [r for r in rows if r["graph"]]
    classes = sorted(
        ({"class": r["class"], "short": short(r["class"]), "n": int(r["n"])} for r in rows if r["class"]),
        key=lambda r: -r["n"],
    )
    return {"graphs": graphs, "classes": classes}


def page_kind(iri: str, stmts: list[dict]) -> str:
    kind = kind_of(iri)
    if kind == "taxon":
        return "taxon"
    if kind == "ecoregion" and first_text(stmts, "http://www.opengis.net/ont/geosparql#hasGeometry"):
        return "ecoregion"
    if kind == "ecoregion" and any(v["iri"] in (AMUR + "FreshwaterEcoregion",) for v in values_of(stmts, RDF_TYPE)):
        return "ecoregion"
    if kind == "region" and any(v["iri"] == AMUR + "AdministrativeRegion" for v in values_of(stmts, RDF_TYPE)):
        return "region"
    if kind in CONCEPT_KINDS:
        return "concept"
    if kind == "source":
        return "source"
    return "generic"
