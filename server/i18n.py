"""The interface in English, Chinese (简体) and Russian: Flask-Babel with catalogues in server/translations.

The language comes from `?lang=` (remembered in a cookie), then the cookie, then Accept-Language. The catalogues
are `.po` files in the repository; `make setup` compiles them to `.mo` (pybabel compile).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Flask, Response, request
from flask_babel import Babel, format_date, format_decimal, get_locale

TRANSLATIONS = Path(__file__).parent / "translations"
# code in URLs and cookies -> Babel locale of its catalogue, the switcher's label, the BCP 47 tag of <html lang>
LANGUAGES = {
    "en": ("en", "EN", "en"),
    "zh": ("zh_Hans", "中文", "zh-Hans"),
    "ru": ("ru", "Русский", "ru"),
}
COOKIE = "lang"
COOKIE_SECONDS = 365 * 24 * 3600


def language_code() -> str:
    """The interface language of this request: a key of LANGUAGES."""
    for wanted in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if wanted in LANGUAGES:
            return wanted
    # Accept-Language names zh-CN, zh-Hans, ru-RU...: matched on the primary language
    best = request.accept_languages.best_match(["en", "zh", "ru", "zh-CN", "zh-Hans", "zh-SG", "ru-RU", "en-US",
                                                "en-GB"], default="en")
    return best.split("-")[0]


def select_locale() -> str:
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

    @app.context_processor
    def languages() -> dict:
        code = language_code()

        def lang_url(wanted: str) -> str:
            # the same page and query in another language
            args = request.args.to_dict(flat=False) | {"lang": [wanted]}
            return request.path + "?" + "&".join(f"{k}={v}" for k, values in args.items() for v in _quoted(values))

        return {"lang_code": code, "html_lang": LANGUAGES[code][2], "languages": LANGUAGES, "lang_url": lang_url,
                "locale": get_locale()}

    @app.after_request
    def remember_language(response: Response) -> Response:
        if response.mimetype == "text/html":
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
