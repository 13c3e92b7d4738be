"""What the browser tests do on every page: open it and wait for what it must show, and keep a screenshot."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 60  # seconds: a ceiling for slow machines, never a timing assertion


def open_page(driver: WebDriver, url: str, selector: str, text: str) -> WebDriverWait:
    """Load ``url`` and wait until the element at the CSS ``selector`` shows ``text``; the wait is returned for more."""
    wait = WebDriverWait(driver, WAIT)
    driver.get(url)
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text))
    return wait


def screenshot(driver: WebDriver, path: Path) -> Path:
    """Save what the browser shows now (looked at by the developer; the test checks only that it was written)."""
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 0
    return path
