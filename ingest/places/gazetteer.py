"""Place names of the Amur-Heilong basin mapped to WWF terrestrial ecoregions (Olson et al. 2001).

Readers scan a source's range text with ``find_places`` and place a species in the ecoregions of
each place it names. Only places inside (or mostly inside) the basin are listed: "Korea",
"Sakhalin", "Hokkaido", "Sea of Okhotsk", "Lake Baikal", "Liaoning", "Inner Mongolia" (as a
whole), "Siberia" and "Russian Far East" are deliberately absent, they are either outside the
basin or too broad to be a basin signal.

Matching rules (see ``find_places``):
- word boundaries, case-insensitive: "Amur" never matches inside the epithets "amurensis",
  "ussuriensis", "daurica" or "mandshurica". Epithets are names of taxa, not evidence of where they
  live, and the range text of such subspecies names the place in words anyway.
- a place name followed by a capitalised word that is not a geographic term is a bird's (or
  other animal's) English name, not a place: "Amur Falcon", "Daurian Jackdaw", "Manchurian Bush
  Warbler" are skipped, while "Amur River", "Khingan Mountains", "Lake Khanka" match.
- broad regions (``BROAD_PLACES``) are skipped when a parenthesis shows they mean a part outside
  the basin: "Hebei (northeastern China)", "northeastern China (Liaoning)".

API: ``PLACES`` (canonical place -> ecoregion codes), ``BROAD_PLACES`` (places whose
ecoregions are a guess: give their placements lower confidence), ``find_places(text)``,
``ecoregions_for(place)``, and ``country_code(name)`` for the upper-case English country names of
rangeBuilder ("RUSSIA" -> "RU").
"""

from __future__ import annotations

import re

# Ecoregions of the basin (WWF eco_code -> name), for reference and for checks in tests.
BASIN_ECOREGIONS = {
    "PA0414": "Changbai Mountains mixed forests",
    "PA0426": "Manchurian mixed forests",
    "PA0430": "Northeast China Plain deciduous forests",
    "PA0443": "Ussuri broadleaf and mixed forests",
    "PA0505": "Da Hinggan-Dzhagdy Mountains conifer forests",
    "PA0601": "East Siberian taiga",
    "PA0606": "Okhotsk-Manchurian taiga",
    "PA0609": "Trans-Baikal conifer forests",
    "PA0804": "Daurian forest steppe",
    "PA0813": "Mongolian-Manchurian grassland",
    "PA0901": "Amur meadow steppe",
    "PA0903": "Nenjiang River grassland",
    "PA0907": "Suiphun-Khanka meadows and forest meadows",
    "PA1112": "Trans-Baikal Bald Mountain tundra",
}

# canonical place -> ecoregion codes (most likely first)
PLACES: dict[str, tuple[str, ...]] = {
    # --- Russian side -------------------------------------------------------------------------
    # Amur / Amurland / Amur region: the Zeya-Bureya plain and middle Amur lowlands are meadow
    # steppe, the Bureya and lower Amur uplands taiga, the Lesser Khingan foothills mixed forest.
    "Amur": ("PA0901", "PA0426", "PA0606"),
    "Zeya": ("PA0901", "PA0606"),  # upper Zeya is taiga, lower Zeya the Zeya-Bureya plain
    "Bureya": ("PA0901", "PA0606"),  # same split as the Zeya
    "Selemdzha": ("PA0606", "PA0901"),  # Zeya tributary, mostly taiga
    "Ussuri": ("PA0443", "PA0907"),  # Ussuri valley and Ussuriland: broadleaf forests, Khanka lowland
    "Primorye": ("PA0443", "PA0907"),  # the krai; its eastern slopes drain to the sea, still PA0443
    "Sikhote-Alin": ("PA0443", "PA0606"),  # northern Sikhote-Alin is Okhotsk-Manchurian taiga
    "Bikin": ("PA0443",),
    "Khanka": ("PA0907",),
    "Khabarovsk": ("PA0443", "PA0606", "PA0901"),  # city at the Amur-Ussuri confluence; the krai is larger
    "Jewish Autonomous Oblast": ("PA0901", "PA0426"),
    "Transbaikalia": ("PA0804", "PA0609"),  # doubtful: western Transbaikalia drains to Lake Baikal
    "Dauria": ("PA0804", "PA0813"),  # Daurian steppes of the Onon-Argun interfluve
    "Shilka": ("PA0609", "PA0804"),
    "Onon": ("PA0804", "PA0609"),  # rises in the Khentii (Trans-Baikal conifer forests)
    "Ingoda": ("PA0609", "PA0804"),
    # --- the rivers and mountains shared with China ----------------------------------------------
    "Argun": ("PA0804", "PA0505", "PA0813"),
    "Greater Khingan": ("PA0505",),
    "Lesser Khingan": ("PA0426", "PA0505"),  # mostly mixed forest; its northern end is conifer
    "Khingan": ("PA0505", "PA0426"),  # unqualified: usually the Greater Khingan
    # --- Chinese side --------------------------------------------------------------------------
    "Manchuria": ("PA0426", "PA0430", "PA0414"),  # broad: historically includes Liaoning (Liao basin)
    "Northeast China": ("PA0426", "PA0430", "PA0414"),  # broad: also Liaoning
    "Heilongjiang": ("PA0426", "PA0430", "PA0903", "PA0505"),  # province; Heilong Jiang is the Amur
    "Jilin": ("PA0414", "PA0426", "PA0430", "PA0903"),  # province; its south-west drains to the Liao
    "Changbai": ("PA0414",),  # the Second Songhua rises at Tianchi
    "Zhangguangcai": ("PA0426",),
    "Songhua": ("PA0430", "PA0426", "PA0903"),  # Sungari; Harbin lies on it
    "Harbin": ("PA0430",),
    "Nenjiang": ("PA0903", "PA0430"),  # Nen River (Nonni)
    "Songnen Plain": ("PA0903", "PA0430"),
    "Sanjiang Plain": ("PA0901", "PA0426"),  # doubtful: lowland of the Songhua-Amur-Ussuri triangle
    "Northeast China Plain": ("PA0430",),
    "Hulun Buir": ("PA0813", "PA0804"),  # Hulun Nur (Dalai Nur) and the Hulunbuir steppe
    "Northeast Inner Mongolia": ("PA0505", "PA0813"),  # Hulunbuir and Hinggan League
    # --- Mongolian side --------------------------------------------------------------------------
    "Kherlen": ("PA0813", "PA0804"),  # Kerulen, flows into Hulun Nur
    "Khalkh": ("PA0813",),  # Khalkhin Gol, flows into Buir Nuur
    "Buir Nuur": ("PA0813",),
    "Eastern Mongolia": ("PA0813", "PA0804"),  # broad: Dornod and Khentii; part is endorheic
}

# Regions large enough that the basin is only part of them, or whose ecoregion list is a guess:
# readers should give placements from these lower confidence.
BROAD_PLACES = frozenset(
    {
        "Amur",
        "Transbaikalia",
        "Khabarovsk",
        "Manchuria",
        "Northeast China",
        "Heilongjiang",
        "Jilin",
        "Khingan",
        "Northeast Inner Mongolia",
        "Eastern Mongolia",
    }
)

# canonical place -> regex variants (matched case-insensitively between word boundaries)
_VARIANTS: dict[str, tuple[str, ...]] = {
    "Amur": (r"Amur(?:land|skaya|sk(?:iy|y|ij))?", r"Priamur(?:ye|'e|ie)?"),
    "Zeya": (r"Zeya", r"Zeja"),
    "Bureya": (r"Bureya", r"Bureja", r"Bureinsk(?:iy|y)"),
    "Selemdzha": (r"Selemdzh?a",),
    "Ussuri": (r"Ussuri(?:land|sk|ysk|jsk|yskiy|iskiy|iysk)?", r"Ussurija"),
    "Primorye": (r"Primor(?:ye|'e|ie|je|sk(?:iy|y|ij|aya|ii))", r"Maritime\s+(?:Province|Territory|Krai|Kray)"),
    "Sikhote-Alin": (r"Sikhote[-\s]?Alin'?", r"Sikhote"),
    "Bikin": (r"Bikin",),
    "Khanka": (r"Khanka", r"Hanka", r"Xingkai(?:\s+Hu)?"),
    "Khabarovsk": (r"Khabarovsk(?:iy|y|ij|aya)?",),
    "Jewish Autonomous Oblast": (r"Jewish\s+Autonomous\s+(?:Oblast|Region|Province)", r"Birobidzhan"),
    "Transbaikalia": (
        r"Trans-?Baikal(?:ia|ian|iya|skiy)?",
        r"Transbaykal(?:ia|ye|'e)?",
        r"Zabaikal(?:ye|'e|sky|skiy)",
        r"Zabaykal(?:ye|'e|sky|skiy)",
        r"Chita",
    ),
    # "Daurian Jackdaw", "Daurian Redstart" are skipped as English names (see _is_english_name)
    "Dauria": (r"Dauri(?:a|ya|ja)", r"Dauria?n", r"Daursk(?:iy|y)"),
    "Shilka": (r"Shilka",),
    "Onon": (r"Onon",),
    "Ingoda": (r"Ingoda",),
    "Argun": (r"Argun", r"Ergun[ae]?", r"Ergune"),
    "Greater Khingan": (r"(?:Greater|Great|Big|Bolshoy|Da)\s+(?:Khingan|Hinggan|Xing'?an|Khinggan)",),
    "Lesser Khingan": (r"(?:Lesser|Little|Small|Maly|Xiao)\s+(?:Khingan|Hinggan|Xing'?an|Khinggan)",),
    "Khingan": (r"Khingan", r"Hinggan", r"Khinggan"),  # not bare "Xing'an": also a county in Guangxi
    "Manchuria": (r"Manchuria", r"Manchurian", r"Mandchuria", r"Manchukuo"),
    "Northeast China": (
        r"(?:far\s+)?north[-\s]?east(?:ern)?\s+China",
        r"NE\s+China",
        r"China\s+\(north[-\s]?east(?:ern)?\)",
        r"Dongbei",
    ),
    "Heilongjiang": (r"Heilong[-\s]?jiang", r"Heilong\s+Jiang", r"Hei-?lung-?kiang", r"Heilungkiang"),
    "Jilin": (r"Jilin", r"Kirin"),
    "Changbai": (
        r"Changbai(?:\s*Shan)?",
        r"Chang\s+Bai\s+Shan",
        r"Ch'?angpai(?:\s*Shan)?",
        r"Paektu(?:san)?",
        r"Baekdu(?:san)?",
    ),
    "Zhangguangcai": (r"Zhangguangcai(?:\s*Ling)?",),
    "Songhua": (r"Songhua(?:\s+Jiang)?", r"Sungari"),
    "Harbin": (r"Harbin",),
    "Nenjiang": (r"Nenjiang", r"Nen\s+(?:River|Jiang)", r"Nonni"),
    "Songnen Plain": (r"Song-?nen\s+Plain",),
    "Sanjiang Plain": (r"Sanjiang\s+Plain",),
    "Northeast China Plain": (r"North[-\s]?east\s+China\s+Plain", r"Manchurian\s+Plain"),
    "Hulun Buir": (
        r"Hulun(?:\s*Buir|\s*Beier)?(?:\s+(?:Nur|Nuur|Lake))?",
        r"Hulunbuir",
        r"Hulunbeier",
        r"Dalai[-\s]?N(?:u|uu|oo|o)r",
        r"Dalainor",
        r"Hailar",
    ),
    "Northeast Inner Mongolia": (
        r"(?:north[-\s]?east(?:ern)?|east(?:ern)?)\s+(?:Inner\s+Mongolia|Nei\s+Mongol)",
        r"Hinggan\s+League",
    ),
    "Kherlen": (r"Kherlen", r"Kerulen", r"Herlen"),
    "Khalkh": (r"Khalkh(?:in)?(?:\s+Gol)?", r"Halha"),
    "Buir Nuur": (r"Buir\s+N(?:uu|u|oo|o)r", r"Buyr\s+N(?:uu|u|oo|o)r", r"Lake\s+Buir"),
    "Eastern Mongolia": (r"(?:north[-\s]?east(?:ern)?|east(?:ern)?)\s+Mongolia",),
}

# Words that may follow a place name and keep it a place ("Amur River", "Khingan Mountains").
# Any other capitalised word after it makes an English name ("Amur Falcon", "Daurian Redstart").
_GEO_WORDS = frozenset(
    {
        "river",
        "rivers",
        "r",
        "basin",
        "valley",
        "valleys",
        "region",
        "regions",
        "oblast",
        "kray",
        "krai",
        "province",
        "provinces",
        "territory",
        "district",
        "mountains",
        "mountain",
        "mts",
        "mt",
        "range",
        "ridge",
        "plain",
        "plains",
        "lowland",
        "lowlands",
        "lake",
        "lakes",
        "nur",
        "nuur",
        "delta",
        "estuary",
        "liman",
        "bay",
        "reserve",
        "nature",
        "national",
        "steppe",
        "steppes",
        "upland",
        "uplands",
        "plateau",
        "shan",
        "ling",
        "jiang",
        "he",
        "gol",
        "hu",
        "league",
        "autonomous",
        "island",
        "islands",
        "reservoir",
    }
)

_AFTER = re.compile(r"\s+([A-Z][\w'-]*)")


def _compile(variants: tuple[str, ...]) -> re.Pattern[str]:
    # longest variants first so "Ussuriland" wins over "Ussuri"
    ordered = sorted(variants, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


_PATTERNS: dict[str, re.Pattern[str]] = {place: _compile(v) for place, v in _VARIANTS.items()}
# more specific places first, so "Greater Khingan" claims its text before "Khingan" does
_ORDER = sorted(_PATTERNS, key=lambda p: -max(len(v) for v in _VARIANTS[p]))

assert set(_VARIANTS) == set(PLACES), "every place needs variants and ecoregions"
assert all(code in BASIN_ECOREGIONS for codes in PLACES.values() for code in codes)


def _is_english_name(text: str, end: int) -> bool:
    """True when the match ending at ``end`` is followed by a capitalised non-geographic word."""
    after = _AFTER.match(text, end)
    return after is not None and after.group(1).lower().rstrip(".") not in _GEO_WORDS


_GLOSS = re.compile(r"\(\s*(?:(?:far|central|north|south|east|west)[\w-]*\s+)?$", re.IGNORECASE)
_FOLLOWING_PARENS = re.compile(r"\s*\(([^()]*)\)")


def _is_gloss(text: str, start: int, end: int) -> bool:
    """True when the match is the whole content of a parenthesis: "Hebei (northeastern China)".

    Such a parenthesis only says where the preceding name lies, and that name decides.
    """
    return bool(_GLOSS.search(text, 0, start)) and text[end:].lstrip().startswith(")")


def _narrowed_outside(text: str, end: int) -> bool:
    """True when a parenthesis right after the match names no basin place.

    "northeastern China (Liaoning and Shanxi)" means the part of the region outside the basin.
    """
    parens = _FOLLOWING_PARENS.match(text, end)
    return parens is not None and not find_places(parens.group(1))


def find_places(text: str) -> list[tuple[str, str]]:
    """The basin places named in ``text``: (canonical place, exact matched substring), in text order.

    A stretch of text is claimed by one place only (the longest, most specific variant), so
    "Greater Khingan" gives Greater Khingan and not also Khingan. Repeated names are all returned.
    Broad places (``BROAD_PLACES``) are skipped when they only gloss another name ("Hebei
    (northeastern China)") or are narrowed by a parenthesis naming no basin place
    ("northeastern China (Liaoning)"): the source's own range text uses "northeastern China" for
    Hebei, Shanxi and Liaoning too.
    """
    if not text:
        return []
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str, str]] = []
    for place in _ORDER:
        for match in _PATTERNS[place].finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))  # claimed even when skipped below, so "Khingan" can't re-match
            if _is_english_name(text, end):
                continue
            if place in BROAD_PLACES and (_is_gloss(text, start, end) or _narrowed_outside(text, end)):
                continue
            found.append((start, place, match.group(0)))
    return [(place, matched) for _, place, matched in sorted(found)]


def ecoregions_for(place: str) -> tuple[str, ...]:
    """The ecoregion codes of a canonical place (KeyError for an unknown place)."""
    return PLACES[place]


# Upper-case English country names of the rangeBuilder lists (BirdLife/IUCN 2017) -> ISO 3166-1
# alpha-2. Names with no ISO code (Caspian Sea, Akrotiri and Dhekelia, Northern Cyprus, Clipperton,
# Paracel and Spratly Islands) are left out; Kosovo gets the user-assigned "XK" used by IUCN.
COUNTRY_CODES: dict[str, str] = {
    "AFGHANISTAN": "AF",
    "ALAND": "AX",
    "ALBANIA": "AL",
    "ALGERIA": "DZ",
    "AMERICAN SAMOA": "AS",
    "ANDORRA": "AD",
    "ANGOLA": "AO",
    "ANGUILLA": "AI",
    "ANTARCTICA": "AQ",
    "ANTIGUA AND BARBUDA": "AG",
    "ARGENTINA": "AR",
    "ARMENIA": "AM",
    "ARUBA": "AW",
    "AUSTRALIA": "AU",
    "AUSTRIA": "AT",
    "AZERBAIJAN": "AZ",
    "BAHAMAS": "BS",
    "BAHRAIN": "BH",
    "BANGLADESH": "BD",
    "BARBADOS": "BB",
    "BELARUS": "BY",
    "BELGIUM": "BE",
    "BELIZE": "BZ",
    "BENIN": "BJ",
    "BERMUDA": "BM",
    "BHUTAN": "BT",
    "BOLIVIA": "BO",
    "BONAIRE, SAINT EUSTATIUS AND SABA": "BQ",
    "BOSNIA AND HERZEGOVINA": "BA",
    "BOTSWANA": "BW",
    "BOUVET ISLAND": "BV",
    "BRAZIL": "BR",
    "BRITISH INDIAN OCEAN TERRITORY": "IO",
    "BRITISH VIRGIN ISLANDS": "VG",
    "BRUNEI": "BN",
    "BULGARIA": "BG",
    "BURKINA FASO": "BF",
    "BURUNDI": "BI",
    "CAMBODIA": "KH",
    "CAMEROON": "CM",
    "CANADA": "CA",
    "CAPE VERDE": "CV",
    "CAYMAN ISLANDS": "KY",
    "CENTRAL AFRICAN REPUBLIC": "CF",
    "CHAD": "TD",
    "CHILE": "CL",
    "CHINA": "CN",
    "CHRISTMAS ISLAND": "CX",
    "COCOS ISLANDS": "CC",
    "COLOMBIA": "CO",
    "COMOROS": "KM",
    "COOK ISLANDS": "CK",
    "COSTA RICA": "CR",
    "COTE D'IVOIRE": "CI",
    "CROATIA": "HR",
    "CUBA": "CU",
    "CURACAO": "CW",
    "CYPRUS": "CY",
    "CZECH REPUBLIC": "CZ",
    "DEMOCRATIC REPUBLIC OF THE CONGO": "CD",
    "DENMARK": "DK",
    "DJIBOUTI": "DJ",
    "DOMINICA": "DM",
    "DOMINICAN REPUBLIC": "DO",
    "EAST TIMOR": "TL",
    "ECUADOR": "EC",
    "EGYPT": "EG",
    "EL SALVADOR": "SV",
    "EQUATORIAL GUINEA": "GQ",
    "ERITREA": "ER",
    "ESTONIA": "EE",
    "ETHIOPIA": "ET",
    "FALKLAND ISLANDS": "FK",
    "FAROE ISLANDS": "FO",
    "FIJI": "FJ",
    "FINLAND": "FI",
    "FRANCE": "FR",
    "FRENCH GUIANA": "GF",
    "FRENCH POLYNESIA": "PF",
    "FRENCH SOUTHERN TERRITORIES": "TF",
    "GABON": "GA",
    "GAMBIA": "GM",
    "GEORGIA": "GE",
    "GERMANY": "DE",
    "GHANA": "GH",
    "GIBRALTAR": "GI",
    "GREECE": "GR",
    "GREENLAND": "GL",
    "GRENADA": "GD",
    "GUADELOUPE": "GP",
    "GUAM": "GU",
    "GUATEMALA": "GT",
    "GUERNSEY": "GG",
    "GUINEA": "GN",
    "GUINEA-BISSAU": "GW",
    "GUYANA": "GY",
    "HAITI": "HT",
    "HEARD ISLAND AND MCDONALD ISLANDS": "HM",
    "HONDURAS": "HN",
    "HONG KONG": "HK",
    "HUNGARY": "HU",
    "ICELAND": "IS",
    "INDIA": "IN",
    "INDONESIA": "ID",
    "IRAN": "IR",
    "IRAQ": "IQ",
    "IRELAND": "IE",
    "ISLE OF MAN": "IM",
    "ISRAEL": "IL",
    "ITALY": "IT",
    "JAMAICA": "JM",
    "JAPAN": "JP",
    "JERSEY": "JE",
    "JORDAN": "JO",
    "KAZAKHSTAN": "KZ",
    "KENYA": "KE",
    "KIRIBATI": "KI",
    "KOSOVO": "XK",
    "KUWAIT": "KW",
    "KYRGYZSTAN": "KG",
    "LAOS": "LA",
    "LATVIA": "LV",
    "LEBANON": "LB",
    "LESOTHO": "LS",
    "LIBERIA": "LR",
    "LIBYA": "LY",
    "LIECHTENSTEIN": "LI",
    "LITHUANIA": "LT",
    "LUXEMBOURG": "LU",
    "MACAO": "MO",
    "MACEDONIA": "MK",
    "MADAGASCAR": "MG",
    "MALAWI": "MW",
    "MALAYSIA": "MY",
    "MALDIVES": "MV",
    "MALI": "ML",
    "MALTA": "MT",
    "MARSHALL ISLANDS": "MH",
    "MARTINIQUE": "MQ",
    "MAURITANIA": "MR",
    "MAURITIUS": "MU",
    "MAYOTTE": "YT",
    "MEXICO": "MX",
    "MICRONESIA": "FM",
    "MOLDOVA": "MD",
    "MONACO": "MC",
    "MONGOLIA": "MN",
    "MONTENEGRO": "ME",
    "MONTSERRAT": "MS",
    "MOROCCO": "MA",
    "MOZAMBIQUE": "MZ",
    "MYANMAR": "MM",
    "NAMIBIA": "NA",
    "NAURU": "NR",
    "NEPAL": "NP",
    "NETHERLANDS": "NL",
    "NEW CALEDONIA": "NC",
    "NEW ZEALAND": "NZ",
    "NICARAGUA": "NI",
    "NIGER": "NE",
    "NIGERIA": "NG",
    "NIUE": "NU",
    "NORFOLK ISLAND": "NF",
    "NORTH KOREA": "KP",
    "NORTHERN MARIANA ISLANDS": "MP",
    "NORWAY": "NO",
    "OMAN": "OM",
    "PAKISTAN": "PK",
    "PALAU": "PW",
    "PALESTINE": "PS",
    "PANAMA": "PA",
    "PAPUA NEW GUINEA": "PG",
    "PARAGUAY": "PY",
    "PERU": "PE",
    "PHILIPPINES": "PH",
    "PITCAIRN ISLANDS": "PN",
    "POLAND": "PL",
    "PORTUGAL": "PT",
    "PUERTO RICO": "PR",
    "QATAR": "QA",
    "REPUBLIC OF CONGO": "CG",
    "REUNION": "RE",
    "ROMANIA": "RO",
    "RUSSIA": "RU",
    "RWANDA": "RW",
    "SAINT BARTHELEMY": "BL",
    "SAINT HELENA": "SH",
    "SAINT KITTS AND NEVIS": "KN",
    "SAINT LUCIA": "LC",
    "SAINT MARTIN": "MF",
    "SAINT PIERRE AND MIQUELON": "PM",
    "SAINT VINCENT AND THE GRENADINES": "VC",
    "SAMOA": "WS",
    "SAN MARINO": "SM",
    "SAO TOME AND PRINCIPE": "ST",
    "SAUDI ARABIA": "SA",
    "SENEGAL": "SN",
    "SERBIA": "RS",
    "SEYCHELLES": "SC",
    "SIERRA LEONE": "SL",
    "SINGAPORE": "SG",
    "SINT MAARTEN": "SX",
    "SLOVAKIA": "SK",
    "SLOVENIA": "SI",
    "SOLOMON ISLANDS": "SB",
    "SOMALIA": "SO",
    "SOUTH AFRICA": "ZA",
    "SOUTH GEORGIA AND THE SOUTH SANDWICH ISLANDS": "GS",
    "SOUTH KOREA": "KR",
    "SOUTH SUDAN": "SS",
    "SPAIN": "ES",
    "SRI LANKA": "LK",
    "SUDAN": "SD",
    "SURINAME": "SR",
    "SVALBARD AND JAN MAYEN": "SJ",
    "SWAZILAND": "SZ",
    "SWEDEN": "SE",
    "SWITZERLAND": "CH",
    "SYRIA": "SY",
    "TAIWAN": "TW",
    "TAJIKISTAN": "TJ",
    "TANZANIA": "TZ",
    "THAILAND": "TH",
    "TOGO": "TG",
    "TOKELAU": "TK",
    "TONGA": "TO",
    "TRINIDAD AND TOBAGO": "TT",
    "TUNISIA": "TN",
    "TURKEY": "TR",
    "TURKMENISTAN": "TM",
    "TURKS AND CAICOS ISLANDS": "TC",
    "TUVALU": "TV",
    "UGANDA": "UG",
    "UKRAINE": "UA",
    "UNITED ARAB EMIRATES": "AE",
    "UNITED KINGDOM": "GB",
    "UNITED STATES": "US",
    "UNITED STATES MINOR OUTLYING ISLANDS": "UM",
    "URUGUAY": "UY",
    "UZBEKISTAN": "UZ",
    "VANUATU": "VU",
    "VATICAN CITY": "VA",
    "VENEZUELA": "VE",
    "VIETNAM": "VN",
    "VIRGIN ISLANDS, U.S.": "VI",
    "WALLIS AND FUTUNA": "WF",
    "WESTERN SAHARA": "EH",
    "YEMEN": "YE",
    "ZAMBIA": "ZM",
    "ZIMBABWE": "ZW",
}


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of an English country name ("RUSSIA" -> "RU"), None if it has none."""
    return COUNTRY_CODES.get(name.strip().upper())
