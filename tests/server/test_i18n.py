"""The interface in English, Chinese and Russian: complete catalogues, the language choice, pages in each language."""

from __future__ import annotations

import html as htmlib
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from server.i18n import LANGUAGES, TRANSLATIONS

SERVER = Path(__file__).resolve().parents[2] / "server"
CATALOGUES = {
    code: TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    for code, (locale, _, _) in LANGUAGES.items()
    if code != "en"
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages() -> set[tuple[str | None, str]]:
    """Every message of the templates and the Python code, as pybabel extracts them (server/translations/babel.cfg):
    (context, singular)."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = DEFAULT_KEYWORDS | {"_l": None, "lazy_pgettext": ((1, "c"), 2)}
    found = set()
    for _, _, message, _, context in extract_from_dir(str(SERVER), method_map, keywords=keywords):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


CONTEXTUAL = extracted_messages()
MESSAGES = {message for _, message in CONTEXTUAL}


def test_extraction_finds_the_interface():
    # a broken extractor (or templates no longer marked) would make the completeness test pass vacuously
    assert len(MESSAGES) > 100
    assert {"Search", "Red-list assessments", "Conservation actions answering these threats"} <= MESSAGES
    assert ("taxon rank", "species") in CONTEXTUAL and (None, "species") in CONTEXTUAL


@pytest.mark.parametrize("code", sorted(CATALOGUES))
def test_every_message_has_a_translation(code):
    catalogue = read_po(CATALOGUES[code].open("rb"))
    missing = sorted(m for c, m in CONTEXTUAL if catalogue.get(m, context=c) is None)
    assert not missing, f"{code}: messages missing from {CATALOGUES[code].name} (pybabel update): {missing}"
    for context, message in CONTEXTUAL:
        entry = catalogue.get(message, context=context)
        # a plural message has one translation per plural form of the language (Chinese one, Russian three)
        forms = entry.string if entry.pluralizable else (entry.string,)
        assert len(forms) == catalogue.num_plurals if entry.pluralizable else True
        assert all(forms), f"{code}: empty translation of {message!r}"
        assert not entry.fuzzy, f"{code}: fuzzy translation of {message!r}"
        # the same placeholders, or rendering fails (or loses a value) in that language
        for form in forms:
            assert sorted(set(PLACEHOLDER.findall(form))) == sorted(set(PLACEHOLDER.findall(message))), message


# --- the language of a request (no graph needed: the page of a server without one) -----------------------------


@pytest.fixture
def bare_client(tmp_path):
    from server import create_app

    app = create_app({"STORE_PATH": str(tmp_path / "no-store"), "TESTING": True})
    yield app.test_client()
    app.extensions["amurkg.query_pool"].close()


def heading(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)


def test_language_from_parameter_then_cookie_then_accept_language(bare_client):
    assert heading(bare_client.get("/").get_data(as_text=True)) == "No graph yet"
    russian = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
    assert heading(bare_client.get("/", headers=russian).get_data(as_text=True)) == "Граф ещё не построен"
    assert (
        heading(bare_client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True))
        == "尚无图谱"
    )
    response = bare_client.get("/?lang=zh", headers=russian)
    page = response.get_data(as_text=True)
    assert heading(page) == "尚无图谱" and '<html lang="zh-Hans">' in page
    assert "lang=zh" in response.headers["Set-Cookie"]
    # the cookie now outranks Accept-Language, and ?lang outranks the cookie
    assert heading(bare_client.get("/", headers=russian).get_data(as_text=True)) == "尚无图谱"
    assert heading(bare_client.get("/?lang=en").get_data(as_text=True)) == "No graph yet"
    assert heading(bare_client.get("/?lang=xx").get_data(as_text=True)) == "No graph yet"  # the cookie says en now


def test_html_varies_on_what_chooses_the_language(bare_client):
    vary = {v.strip() for v in bare_client.get("/").headers["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


def test_switcher_links_the_same_page_in_each_language(bare_client):
    page = bare_client.get("/?lang=ru").get_data(as_text=True)
    switcher = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert 'href="/?lang=en"' in switcher and 'href="/?lang=zh"' in switcher and 'href="/?lang=ru"' in switcher
    assert ">EN<" in switcher and ">中文<" in switcher and ">Русский<" in switcher
    assert 'aria-current="true">Русский<' in switcher


# --- the pages of the real graph in each language ------------------------------------------------------------------

PAGES = [
    "/",
    "/search?q=tiger",
    "/map",
    "/query",
    "/taxon/panthera-tigris",
    "/ecoregion/PA0443",
    "/threat/5.1.1",
    "/action/1.1",
    "/source/avilist-2025",
    "/taxon/animalia/family/felidae",
    "/downloads",
    "/sparql",
    "/taxon/no-such-taxon",
    "/search?q=crain",
    "/analytics/",
    "/analytics/threats",
    "/analytics/gaps",
    "/analytics/similarity",
    "/analytics/centrality",
    "/analytics/path?from=Panax%20ginseng&to=PA0443",
]
# a heading or label each page shows in that language
EXPECTED = {
    "/": {"zh": "按类群和全球红色名录等级统计的物种", "ru": "Виды по группам и глобальным категориям Красного списка"},
    "/taxon/panthera-tigris": {"zh": "应对这些威胁的保护行动", "ru": "Природоохранные действия против этих угроз"},
    "/ecoregion/PA0443": {"zh": "有记录的物种", "ru": "Зарегистрированные виды"},
    "/threat/5.1.1": {"zh": "受影响的生态区", "ru": "Затронутые экорегионы"},
    "/map": {"zh": "阿穆尔河—黑龙江流域的生态区", "ru": "Экорегионы бассейна Амура"},
}
# English messages of four words or more: long enough not to occur in the data (source titles, labels) by chance;
# the dataset's name is also in every citation, in English as the data gives it
LONG_MESSAGES = sorted(
    m for m in MESSAGES if m.count(" ") >= 3 and "%(" not in m and m != "Amur-Heilong Biodiversity Knowledge Graph"
)


@pytest.mark.slow
@pytest.mark.parametrize("code", ["zh", "ru"])
@pytest.mark.parametrize("path", PAGES)
def test_page_is_translated(real_client, path, code):
    response = real_client.get(path + ("&" if "?" in path else "?") + f"lang={code}", headers={"Accept": "text/html"})
    assert response.status_code in (200, 404)
    page = response.get_data(as_text=True)
    assert f'<html lang="{LANGUAGES[code][2]}">' in page
    assert LANGUAGES[code][1] in page  # the switcher
    # the text of the page without its scripts (JSON-LD and JSON data carry the graph's English labels)
    text = htmlib.unescape(re.sub(r"<script\b.*?</script>", "", page, flags=re.S))
    untranslated = [m for m in LONG_MESSAGES if m in text]
    assert not untranslated, f"{path} in {code} shows English: {untranslated}"
    if path in EXPECTED:
        assert EXPECTED[path][code] in text


@pytest.mark.slow
def test_species_page_gives_names_in_the_interface_language(real_client):
    # the graph's Chinese names come from the China checklist (plants); no source gives Russian names yet
    chinese = real_client.get("/taxon/panax-ginseng?lang=zh").get_data(as_text=True)
    assert '<p class="vernacular" lang="zh-Hans">人参</p>' in chinese
    assert re.search(r"<h1><i[^>]*>Panax ginseng</i></h1>", chinese)  # the scientific name always
    english = real_client.get("/taxon/panax-ginseng?lang=en").get_data(as_text=True)
    assert re.search(r"<h1><i[^>]*>Panax ginseng</i></h1>", english) and 'class="vernacular"' not in english


@pytest.mark.slow
def test_numbers_are_formatted_for_the_locale(real_client):
    # the home page's species count: above ten thousand, so grouped (12,345 / 12,345 / 12 345 with a no-break space)
    def tile(code):
        page = real_client.get(f"/?lang={code}").get_data(as_text=True)
        return re.search(r'<ul class="tiles">\s*<li><strong>([^<]+)</strong>', page).group(1)

    english, russian = tile("en"), tile("ru")
    assert re.fullmatch(r"\d{1,3}(,\d{3})+", english)
    assert russian == english.replace(",", "\xa0")


@pytest.mark.slow
def test_autocomplete_titles_its_groups_in_the_interface_language(real_client):
    response = real_client.get("/explore/search.json?q=Panthera%20tigris&lang=ru")
    titles = {r["kind"]: r["kind_title"] for r in response.get_json()["results"]}
    assert titles["species"] == "Виды"
    # JSON in the language of the request: caches must vary on it too
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["Vary"].split(",")}


def russian_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


@pytest.mark.slow
def test_counted_words_take_the_russian_plural_of_their_number(real_client):
    page = real_client.get("/analytics/path?from=Panax%20ginseng&to=PA0443&lang=ru").get_data(as_text=True)
    found = re.findall(r"<h2>Путь \d+: (\d+) (связь|связи|связей)", page)
    assert found
    for n, word in found:
        assert word == russian_plural(int(n), "связь", "связи", "связей")
