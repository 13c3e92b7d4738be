"""The explorer as a user drives it in headless Chromium: search -> species page -> expand the graph -> click an
ecoregion on the map -> run an example query; no console errors; screenshots saved under the test's tmp_path."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from webpages import screenshot

WAIT = 60  # seconds: a ceiling for slow machines, never a timing assertion


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_search_species_graph_map_query(browser, live_server, tmp_path):
    wait = WebDriverWait(browser, WAIT)
    errors: list[str] = []

    # 1. search from the header box, with autocomplete
    browser.get(live_server + "/")
    box = wait.until(EC.element_to_be_clickable((By.ID, "site-search")))
    box.send_keys("Panthera tig")
    suggestion = wait.until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, '#site-suggestions a[href="/taxon/panthera-tigris"]'))
    )
    screenshot(browser, tmp_path / "1-search.png")
    errors += console_errors(browser)
    suggestion.click()

    # 2. the species page
    wait.until(EC.url_contains("/taxon/panthera-tigris"))
    assert "Panthera tigris" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, ".assessments .badge.cat-EN")

    # 3. the graph: loaded around the species, then expanded by clicking a node on the canvas
    wait.until(lambda d: d.execute_script("return window.amurkgGraph && window.amurkgGraph.nodes().length > 1"))
    before = browser.execute_script("return window.amurkgGraph.elements().length")
    canvas = browser.find_element(By.ID, "graph-canvas")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    target = "https://w3id.org/amurkg/ecoregion/PA0443"
    position = browser.execute_script(
        "const n = window.amurkgGraph.getElementById(arguments[0]); return n.renderedPosition();", target
    )
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(position["x"] - canvas.size["width"] / 2), int(position["y"] - canvas.size["height"] / 2)
    ).click().perform()
    wait.until(lambda d: d.execute_script("return window.amurkgGraph.elements().length") > before)
    assert browser.execute_script("return window.amurkgGraph.getElementById(arguments[0]).hasClass('expanded')", target)
    screenshot(browser, tmp_path / "2-species-graph.png")
    errors += console_errors(browser)

    # 4. click an ecoregion on the species page's map
    # at the ecoregion's label point, which lies inside its polygon (the centre of its box may not)
    svg = browser.find_element(By.CSS_SELECTOR, ".ecoregions .basin-map svg")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", svg)
    point = browser.execute_script(
        """
        const svg = arguments[0].getBoundingClientRect();
        const label = arguments[0].querySelector('text[data-code="PA0804"]').getBoundingClientRect();
        return {x: label.left + label.width / 2 - svg.left - svg.width / 2,
                y: label.top + label.height / 2 - svg.top - svg.height / 2};""",
        svg,
    )
    ActionChains(browser).move_to_element_with_offset(svg, int(point["x"]), int(point["y"])).click().perform()
    wait.until(EC.url_contains("/ecoregion/PA0804"))
    assert "Daurian forest steppe" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot(browser, tmp_path / "3-ecoregion.png")
    errors += console_errors(browser)

    # 5. run an example research question in the query editor
    browser.get(live_server + "/query")
    button = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, 'button.load-example[data-name="cranes"]')))
    wait.until(lambda d: d.execute_script("return !!window.amurkgYasgui"))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) > 0)
    rows = browser.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")
    assert any("Grus japonensis" in row.text for row in rows)
    screenshot(browser, tmp_path / "4-query.png")
    errors += console_errors(browser)

    assert errors == []


def test_pages_read_without_javascript(no_script_browser, live_server, tmp_path):
    no_script_browser.get(live_server + "/taxon/grus-japonensis")
    assert "Grus japonensis" in no_script_browser.find_element(By.TAG_NAME, "h1").text
    rows = no_script_browser.find_elements(By.CSS_SELECTOR, ".ecoregions table tbody tr")
    assert len(rows) > 0
    no_script_browser.get(live_server + "/search?q=red-crowned")
    assert no_script_browser.find_elements(By.CSS_SELECTOR, 'a[href="/taxon/grus-japonensis"]')
    screenshot(no_script_browser, tmp_path / "nojs-search.png")


@pytest.mark.parametrize("path", ["/", "/taxon/panthera-tigris", "/ecoregion/PA0443", "/threat/7.2", "/query"])
def test_phone_width_has_no_horizontal_scroll(phone, live_server, tmp_path, path):
    phone.get(live_server + path)
    WebDriverWait(phone, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")
    overflow = phone.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    screenshot(phone, tmp_path / ("phone" + path.replace("/", "-") + ".png"))
    assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at phone width"
    assert console_errors(phone) == []
