"""kg/config.py: one Settings object for the server, each setting with one default, built once from the CLI's
options and the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_the_library_settings_have_one_default_each_in_settings(monkeypatch):
    """``config.base()``, ``store_path()``, ... read the same field of Settings as ``Settings.load()``: one default, one
    variable."""
    from kg import config

    for name in ("AMURKG_BASE", "AMURKG_STORE_PATH", "AMURKG_SOURCES", "AMURKG_CACHE", "AMURKG_SHACL_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings()
    assert config.base() == defaults.base == "https://w3id.org/amurkg/"
    assert config.store_path() == defaults.store_dir == ROOT / "data" / "store"
    assert config.sources_dir() is None and defaults.sources_dir is None
    assert config.shacl_engine() == defaults.shacl_engine
    monkeypatch.setenv("AMURKG_STORE_PATH", "/elsewhere/store")
    monkeypatch.setenv("AMURKG_CACHE", "/elsewhere/cache")
    loaded = Settings.load()
    assert config.store_path() == loaded.store_dir == Path("/elsewhere/store")
    assert config.fetch_cache() == loaded.fetch_cache == Path("/elsewhere/cache/sources")


def test_the_build_reads_the_settings_it_is_given_not_the_environment(tmp_path, monkeypatch):
    """The CLI loads the settings once and passes them to the build: a registry file or a sources directory named
    in them is the one the build reads, whatever the environment says."""
    from kg.build.pipeline import build
    from kg.sources.registry import SourceError

    monkeypatch.delenv("AMURKG_CHECKLISTS", raising=False)
    bad_registry = tmp_path / "checklists.yml"
    bad_registry.write_text("checklists: {not: a list}\n", encoding="utf-8")
    with pytest.raises(SourceError, match=str(bad_registry)):
        build(store_path=tmp_path / "store", settings=Settings(checklists=str(bad_registry)))
    missing = tmp_path / "no-such-sources"
    with pytest.raises(SourceError, match=f"AMURKG_SOURCES names {missing}, which does not exist"):
        build(store_path=tmp_path / "store", settings=Settings(sources=str(missing)))
    assert not (tmp_path / "store").exists()
