"""Issue 26 in a browser: a region page in English, Chinese and Russian (species by both red lists, its ecoregions on
the map), the tiger's page in Russian naming its ecoregions in Russian, and search by a Russian and a Chinese name;
screenshots saved under AMURKG_SCREENSHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from webpages import open_page, screenshot

HEADINGS = {"en": "Heilongjiang", "zh": "黑龙江省", "ru": "Хэйлунцзян"}


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("AMURKG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("code", list(HEADINGS))
def test_region_page_in_each_language(browser, live_server, shots, code):
    open_page(browser, f"{live_server}/region/CN-HL?lang={code}", "h1", HEADINGS[code])
    table = browser.find_element(By.CSS_SELECTOR, "section.species-summary table.summary")
    assert table.find_elements(By.CSS_SELECTOR, 'td[data-column^="CN:"]')  # China Red List columns
    assert browser.find_element(By.CSS_SELECTOR, "figure.basin-map svg").is_displayed()
    # the ecoregions Heilongjiang overlaps are highlighted on the map, the Manchurian mixed forests among them
    highlighted = {
        a.get_attribute("data-code") for a in browser.find_elements(By.CSS_SELECTOR, "figure.basin-map a.highlight")
    }
    assert {"PA0426", "PA0430", "PA0901"} <= highlighted
    screenshot(browser, shots / f"region-CN-HL-{code}.png")


def test_tiger_in_russian_and_search_by_russian_and_chinese_names(browser, live_server, shots):
    wait = open_page(
        browser, f"{live_server}/taxon/panthera-tigris?lang=ru", "table.placements", "Маньчжурские смешанные леса"
    )
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.CSS_SELECTOR, "table.placements"))
    screenshot(browser, shots / "tiger-ru.png")
    for query, target in (("Маньчжурские", "/ecoregion/PA0426"), ("东北红豆杉", "/taxon/taxus-cuspidata")):
        browser.get(f"{live_server}/search?q={query}")
        link = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.results li a")))
        assert link.get_attribute("href").endswith(target)
        screenshot(browser, shots / f"search-{target.rsplit('/', 1)[-1]}.png")


def test_tiger_in_chinese_shows_its_official_name(browser, live_server, shots):
    open_page(browser, f"{live_server}/taxon/panthera-tigris?lang=zh", "header.resource-head p.vernacular", "虎")
    screenshot(browser, shots / "tiger-zh.png")
