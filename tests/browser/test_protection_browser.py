"""Legal protection and trade status as a reader sees it, in English, Chinese and Russian: the species page of
*Panax ginseng* (China class II by the genus row, CITES Appendix II for Russia's population only, as of 2017-04-21)
and the ecoregion page's counts of protected species, recorded and possible apart. Screenshots under tmp_path."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from webpages import open_page, screenshot

# language -> (the section's heading, the CITES class label, "as of" in the language, "population" wording)
WORDS = {
    "en": (
        "Legal protection and trade",
        "CITES Appendix II (as of 2017-04-21)",
        "as of 2017-04-21",
        "Population-specific: RU only",
    ),
    "zh": ("法定保护与贸易管制", "CITES附录II（截至2017-04-21）", "截至 2017-04-21", "仅限特定种群：RU"),
    "ru": (
        "Правовая охрана и торговля",
        "Приложение II СИТЕС (на 2017-04-21)",
        "на 2017-04-21",
        "Только популяция: RU",
    ),
}
ECOREGION = {
    "en": "Protected and trade-listed species",
    "zh": "保护物种与贸易管制物种",
    "ru": "Охраняемые виды и виды в приложениях СИТЕС",
}


@pytest.mark.parametrize("code", list(WORDS))
def test_species_page_shows_protection_and_trade_status(browser, live_server, tmp_path, code):
    heading, cites_class, as_of, population = WORDS[code]
    open_page(browser, f"{live_server}/taxon/panax-ginseng?lang={code}", "section.protection h2", heading)
    items = browser.find_elements(By.CSS_SELECTOR, "section.protection li.protection-status")
    by_list = {(li.get_attribute("data-list"), li.get_attribute("data-class")): li for li in items}
    assert set(by_list) == {("cn-key-plants-2021", "II"), ("cites", "II")}
    cites = by_list[("cites", "II")]
    assert cites.find_element(By.CSS_SELECTOR, ".protection-class").text == cites_class
    assert as_of in cites.text and population in cites.text
    assert "Taxus" not in cites.text and "Panax spp." in by_list[("cn-key-plants-2021", "II")].text
    assert cites.is_displayed()
    screenshot(browser, tmp_path / f"ginseng-{code}.png")


@pytest.mark.parametrize("code", list(ECOREGION))
def test_ecoregion_page_counts_protected_species_recorded_and_possible(browser, live_server, tmp_path, code):
    open_page(browser, f"{live_server}/ecoregion/PA0443?lang={code}", "section.protected-species h2", ECOREGION[code])
    rows = browser.find_elements(By.CSS_SELECTOR, "section.protected-species tbody tr")
    assert rows
    counts = {
        (r.get_attribute("data-list"), r.get_attribute("data-class")): (
            r.find_element(By.CSS_SELECTOR, ".recorded-protected").text,
            r.find_element(By.CSS_SELECTOR, ".possible-protected").text,
        )
        for r in rows
    }
    # the Manchurian mixed forests: China's class I animals (the tiger among them) are recorded here
    recorded, _ = counts[("cn-key-animals-2021", "I")]
    assert int(recorded.replace(",", "").replace("\u00a0", "").replace(" ", "")) >= 1
    assert all(key[0] in ("cn-key-animals-2021", "cn-key-plants-2021", "cites") for key in counts)
    screenshot(browser, tmp_path / f"ecoregion-{code}.png")
