"""The analytics pages in headless Chromium: each chart is drawn by Chart.js (served by the app, no network), the
path form finds the tiger's links to the Econet-Green Belt; no console errors; screenshots in tmp_path."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 60  # seconds: a ceiling for slow machines, never a timing assertion


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("name", ["threats", "gaps", "similarity", "centrality"])
def test_chart_is_drawn(browser, live_server, tmp_path, name):
    browser.get(f"{live_server}/analytics/{name}")
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: d.execute_script("return typeof Chart !== 'undefined'"))
    canvas = browser.find_element(By.ID, "threat-chart")
    bars = browser.execute_script(
        "const chart = Chart.getChart(arguments[0]); return chart ? chart.data.datasets[0].data.length : -1;", canvas
    )
    rows = len(browser.find_elements(By.CSS_SELECTOR, "table.analytics tbody tr"))
    assert bars > 0 and rows > 0
    browser.save_screenshot(str(tmp_path / f"analytics-{name}.png"))
    assert console_errors(browser) == []


def test_path_form(browser, live_server, tmp_path):
    browser.get(f"{live_server}/analytics/path")
    browser.find_element(By.CSS_SELECTOR, "form.path-form input[name=from]").send_keys("Panthera tigris")
    browser.find_element(By.CSS_SELECTOR, "form.path-form input[name=to]").send_keys("Econet-Green Belt")
    browser.find_element(By.CSS_SELECTOR, "form.path-form button[type=submit]").click()
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.path")))
    first = browser.find_element(By.CSS_SELECTOR, "section.path ol.hops li").text
    assert first.startswith("Panthera tigris occurs in")
    browser.save_screenshot(str(tmp_path / "analytics-path.png"))
    assert console_errors(browser) == []
