"""The interface in English, Chinese (简体) and Russian: Flask-Babel with catalogues in server/translations.

The language comes from `?lang=` (remembered in a cookie), then the cookie, then Accept-Language. The catalogues
are `.po` files in the repository; `make setup` compiles them to `.mo` (pybabel compile).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Flask, Response, g, request
from flask_babel import Babel, format_date, format_decimal, get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l

TRANSLATIONS = Path(__file__).parent / "translations"
# code in URLs and cookies -> Babel locale of its catalogue, the switcher's label, the BCP 47 tag of <html lang>
LANGUAGES = {
    "en": ("en", "EN", "en"),
    "zh": ("zh_Hans", "中文", "zh-Hans"),
    "ru": ("ru", "Русский", "ru"),
}
# the words the graph's IRIs and ranks use for what a page is (server/explorer/graphdata.py), as the interface says them
# (a rank is "species" in the singular, as a column header counts "species" in the plural: apart by context)
RANKS = {
    "kingdom": lazy_pgettext("taxon rank", "kingdom"),
    "phylum": lazy_pgettext("taxon rank", "phylum"),
    "class": lazy_pgettext("taxon rank", "class"),
    "order": lazy_pgettext("taxon rank", "order"),
    "family": lazy_pgettext("taxon rank", "family"),
    "genus": lazy_pgettext("taxon rank", "genus"),
    "species": lazy_pgettext("taxon rank", "species"),
}
KINDS = {
    "taxon": _l("taxon"),
    "ecoregion": _l("ecoregion"),
    "threat": _l("threat"),
    "action": _l("conservation action"),
    "habitat": _l("habitat"),
    "stress": _l("stress"),
    "red-list-category": _l("red-list category"),
    "country": _l("country"),
    "river": _l("river"),
    "place": _l("place"),
    "initiative": _l("initiative"),
    "threat-factor": _l("threat factor"),
    "global200": "Global 200",
    "biome": _l("biome"),
    "realm": _l("realm"),
    "group": _l("group"),
    "method": _l("method"),
    "confidence": _l("confidence"),
    "agent": _l("agent"),
    "scope": _l("scope"),
    "scheme": _l("scheme"),
    "source": _l("source"),
    "graph": _l("named graph"),
    "occurrence": _l("occurrence"),
    "threat-exposure": _l("threat exposure"),
    "inferred-threat": _l("inferred threat"),
    "ecoregion-threat": _l("ecoregion threat"),
    "dataset": _l("dataset"),
    "ontology": _l("ontology"),
    "region": _l("administrative region"),
    "region-record": _l("record in a region"),
    "region-share": _l("region share"),
    "name": _l("name record"),
}
# the group titles of search results (server/explorer/search.py KIND_TITLES), for the search page and autocomplete
KIND_TITLES = {
    "species": _l("Species"),
    "taxon": _l("Higher taxa"),
    "ecoregion": _l("Ecoregions"),
    "threat": _l("Threats"),
    "action": _l("Conservation actions"),
    "initiative": _l("Initiatives"),
    "threat-factor": _l("Threat factors"),
    "habitat": _l("Habitats"),
    "stress": _l("Stresses"),
    "region": _l("Regions"),
    "river": _l("Rivers"),
    "country": _l("Countries"),
    "place": _l("Places"),
    "source": _l("Sources"),
    "global200": "Global 200",
    "red-list-category": _l("Red-list categories"),
}
COOKIE = "lang"
COOKIE_SECONDS = 365 * 24 * 3600


def language_code() -> str:
    """The interface language of this request: a key of LANGUAGES."""
    for wanted in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if wanted in LANGUAGES:
            return wanted
    # Accept-Language names zh-CN, zh-Hans, ru-RU...: matched on the primary language
    best = request.accept_languages.best_match(
        ["en", "zh", "ru", "zh-CN", "zh-Hans", "zh-SG", "ru-RU", "en-US", "en-GB"], default="en"
    )
    return best.split("-")[0]


def select_locale() -> str:
    # asked once per request, and only when a response uses the language: then it must vary on what chose it
    g.localized = True
    return LANGUAGES[language_code()][0]


def number(value) -> str:
    """A count or measure formatted for the interface language (12,345 / 12,345 / 12 345)."""
    if value is None or value == "":
        return ""
    try:
        return format_decimal(float(value) if "." in str(value) else int(value))
    except (TypeError, ValueError):
        return str(value)


def date(value) -> str:
    """An ISO date or dateTime (a build's time) as a date in the interface language."""
    if not value:
        return ""
    try:
        return format_date(datetime.fromisoformat(str(value).replace("Z", "+00:00")), format="long")
    except ValueError:
        return str(value)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["date"] = date
    app.jinja_env.filters["rank"] = lambda rank: RANKS.get(rank, rank)
    app.jinja_env.filters["kind"] = lambda kind: KINDS.get(kind, (kind or "").replace("-", " "))

    @app.context_processor
    def languages() -> dict:
        code = language_code()

        def lang_url(wanted: str) -> str:
            # the same page and query in another language
            args = request.args.to_dict(flat=False) | {"lang": [wanted]}
            return request.path + "?" + "&".join(f"{k}={v}" for k, values in args.items() for v in _quoted(values))

        return {
            "lang_code": code,
            "html_lang": LANGUAGES[code][2],
            "languages": LANGUAGES,
            "lang_url": lang_url,
            "locale": get_locale(),
            "kind_titles": KIND_TITLES,
        }

    @app.after_request
    def remember_language(response: Response) -> Response:
        if response.mimetype == "text/html" or g.get("localized"):
            # the same URL serves three languages: caches must key on what chose it
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
            wanted = request.args.get("lang")
            if wanted in LANGUAGES and request.cookies.get(COOKIE) != wanted:
                response.set_cookie(COOKIE, wanted, max_age=COOKIE_SECONDS, samesite="Lax")
        return response


def _quoted(values: list[str]) -> list[str]:
    from urllib.parse import quote

    return [quote(v, safe="") for v in values]
