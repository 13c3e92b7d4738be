"""Browser tests: headless Debian Chromium driven by Selenium (chromedriver), against `amurkg serve` (gunicorn)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# No network, no first-run dialogs, no background traffic: the pages must work offline.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(built_store) -> Iterator[str]:
    """`amurkg serve` on a free loopback port over the session's built store; stopped after the module."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AMURKG_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(built_store), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=environment, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if process.poll() is not None:
                pytest.fail(f"amurkg serve exited with {process.returncode}")
            try:
                with urllib.request.urlopen(base + "/health", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        else:
            pytest.fail("amurkg serve did not answer /health")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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


@pytest.fixture
def browser(tmp_path):
    driver = make_driver(tmp_path / "profile")
    yield driver
    driver.quit()


@pytest.fixture
def phone(tmp_path):
    driver = make_driver(tmp_path / "profile-phone", width=390, height=844)
    yield driver
    driver.quit()


@pytest.fixture
def no_script_browser(tmp_path):
    driver = make_driver(tmp_path / "profile-nojs", javascript=False)
    yield driver
    driver.quit()
