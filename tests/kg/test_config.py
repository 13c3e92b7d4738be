"""kg/config.py: one Settings object for the server, each setting with one default, built once from the CLI's
options and the environment."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.config import ROOT, Settings


def test_an_option_wins_over_the_environment_which_wins_over_the_default():
    env = {"AMURKG_THREADS": "2", "AMURKG_QUERY_TIMEOUT": "5", "AMURKG_WRITE_TOKEN": "t", "AMURKG_WORKERS": "4"}
    settings = Settings.load(env, workers=3, port=None)
    assert (settings.threads, settings.query_timeout, settings.write_token) == (2, 5.0, "t")
    assert settings.workers == 3  # given by the CLI
    assert settings.port == Settings().port == 5000  # not given, not set: the default
    assert Settings.load({}) == Settings()


def test_a_malformed_value_names_its_variable():
    with pytest.raises(ValueError, match="AMURKG_QUERY_PROCESSES='two': expected an integer"):
        Settings.load({"AMURKG_QUERY_PROCESSES": "two"})
    with pytest.raises(ValueError, match="AMURKG_QUERY_TIMEOUT='soon': expected a number"):
        Settings.load({"AMURKG_QUERY_TIMEOUT": "soon"})
    with pytest.raises(TypeError, match="no such setting: timeout"):
        Settings.load({}, timeout=3)


def test_the_app_config_is_the_settings():
    config = Settings.load({"AMURKG_RESULT_MAX_BYTES": "1000"}).app_config()
    assert config["RESULT_MAX_BYTES"] == 1000 and config["QUERY_TIMEOUT"] == Settings.query_timeout
    assert config["THREADS"] == Settings.threads and config["RESERVED_THREADS"] == Settings.reserved_threads


def test_the_cli_shows_the_settings_defaults():
    """`amurkg serve --help` states the defaults of Settings: there is no second copy of them in the CLI."""
    out = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(out.split())
    for option, value in (
        ("--port", Settings.port),
        ("--workers", Settings.workers),
        ("--threads", Settings.threads),
        ("--timeout", Settings.query_timeout),
    ):
        assert f"[default: ({value})]" in flat.split(option, 1)[1].split(" --")[0], option
