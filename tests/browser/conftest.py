"""Browser tests: headless Debian Chromium driven by Selenium (chromedriver), against `amurkg serve` (gunicorn,
the session's `live_server` of tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# No network, no first-run dialogs, no background traffic: the pages must work offline.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def make_driver(profile: Path, width: int = 1280, height: int = 1000, javascript: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("Chromium and chromedriver are missing: run `make setup` (Debian chromium, chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def _fresh(driver):
    """The session's driver, as a new test expects it: blank page, no cookies, console log read empty."""
    driver.get("about:blank")
    # every origin's cookies (the interface language is one) and storage: delete_all_cookies() only clears the
    # current page's domain
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"})
    driver.get_log("browser")
    return driver


# One Chromium per kind for the whole session (the live server is session-scoped too, tests/conftest.py).
@pytest.fixture(scope="session")
def _desktop(tmp_path_factory):
    driver = make_driver(tmp_path_factory.mktemp("profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def _phone(tmp_path_factory):
    driver = make_driver(tmp_path_factory.mktemp("profile-phone"), width=390, height=844)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def _no_script(tmp_path_factory):
    driver = make_driver(tmp_path_factory.mktemp("profile-nojs"), javascript=False)
    yield driver
    driver.quit()


@pytest.fixture
def browser(_desktop):
    return _fresh(_desktop)


@pytest.fixture
def phone(_phone):
    return _fresh(_phone)


@pytest.fixture
def no_script_browser(_no_script):
    return _fresh(_no_script)
