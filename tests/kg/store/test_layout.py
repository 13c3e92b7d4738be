"""One layout: every HTML page of the app has the site header, navigation and stylesheet; Chinese text is marked
zh-Hans and scientific names Latin."""

from __future__ import annotations

import re

# Pages with arguments, one of each kind; the pages without arguments are found in the app's URL map.
PAGES_WITH_ARGUMENTS = [
    "/search?q=crane",
    "/search?q=Pantera+tigirs",
    "/search?q=zzzzqqq",
    "/taxon/panthera-tigris",
    "/taxon/animalia/family/felidae",
    "/ecoregion/PA0443",
    "/threat/5.1.1",
    "/source/avilist-2025",
    "/graph/meta",
    "/taxon/no-such-taxon",
    "/analytics/path",
    "/analytics/no-such-analysis",
]


def html_pages(app) -> list[str]:
    """Every GET route without arguments, and the pages above."""
    plain = sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
        }
    )
    return plain + PAGES_WITH_ARGUMENTS


def test_every_html_page_has_the_site_layout(real_app):
    client = real_app.test_client()
    checked = []
    for path in html_pages(real_app):
        response = client.get(path, headers={"Accept": "text/html"})
        if response.mimetype != "text/html":
            continue  # JSON, RDF, files
        page = response.get_data(as_text=True)
        assert '<header class="site">' in page, path
        assert re.search(r'<nav[^>]*>.*href="/search".*href="/map".*</nav>', page, re.S), path
        assert "explorer/explorer.css" in page, path
        assert page.count("<html") == 1 and page.count("<body") == 1, path  # one document, not one inside another
        checked.append(path)
    assert {"/", "/downloads", "/sparql", "/map", "/query", "/search", "/analytics/"} <= set(checked)


def test_chinese_names_are_marked_zh_hans_and_scientific_names_latin(real_client):
    page = real_client.get("/taxon/panax-ginseng", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(r'<h1><i lang="la">Panax ginseng[^<]*</i></h1>', page)
    assert re.search(r'<dd lang="zh-Hans">[^<]*人参', page)
    assert not re.search(r'<dd lang="zh-Hans">[^<]*rén shēn', page)  # pinyin is Latin script
    results = real_client.get("/search?q=人参").get_data(as_text=True)
    assert re.search(r'<span class="matched" lang="zh-Hans">— 人参</span>', results)
    assert '<i lang="la">Panax ginseng</i>' in results
