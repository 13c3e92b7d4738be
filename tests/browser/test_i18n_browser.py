"""A species page switched to Chinese and to Russian with the header's switcher, as a reader of the basin would;
screenshots of both saved under the test's tmp_path."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from webpages import open_page, screenshot

# the switcher's link to each language, a heading of the species page and the graph panel's first legend in it
HEADINGS = {"zh": ("中文", "红色名录评估", "节点"), "ru": ("Русский", "Оценки Красного списка", "Узлы")}


def test_species_page_in_chinese_and_russian(browser, live_server, tmp_path):
    wait = open_page(
        browser, live_server + "/taxon/panthera-tigris?lang=en", "section.assessments h2", "Red-list assessments"
    )
    for code, (label, heading, legend) in HEADINGS.items():
        switcher = browser.find_element(By.CSS_SELECTOR, "nav.languages")
        switcher.find_element(By.LINK_TEXT, label).click()
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "section.assessments h2"), heading))
        # the interactive graph's own words come from the page too (graph.js)
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".graph-controls legend"), legend))
        assert browser.execute_script("return document.documentElement.lang") == {"zh": "zh-Hans", "ru": "ru"}[code]
        current = browser.find_element(By.CSS_SELECTOR, 'nav.languages a[aria-current="true"]')
        assert current.text == label and current.is_displayed()
        assert browser.find_element(By.CSS_SELECTOR, "h1 i").text == "Panthera tigris"  # the scientific name always
        screenshot(browser, tmp_path / f"species-{code}.png")
    # the choice is remembered: the same page without ?lang stays in Russian
    browser.get(live_server + "/taxon/panthera-tigris")
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "section.assessments h2"), HEADINGS["ru"][1]))
    chinese = browser.find_element(By.LINK_TEXT, "中文")
    assert chinese.get_attribute("lang") == "zh-Hans"
