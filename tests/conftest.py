"""Shared fixtures: where the real source files are, and fresh temporary stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The real sources directory (AMURKG_SOURCES, else ../shared/data/sources)."""
    candidates = [os.environ.get("AMURKG_SOURCES"), ROOT.parent / "shared" / "data" / "sources"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "sources.json").exists():
            return Path(candidate)
    pytest.fail("real sources not found: set AMURKG_SOURCES or put ../shared/data/sources beside the project")


@pytest.fixture(scope="session")
def source_cache(tmp_path_factory) -> Path:
    """The readers' parse cache (keyed by source checksums), shared by the whole test session."""
    return tmp_path_factory.getbasetemp() / "source-cache"


@pytest.fixture(scope="session")
def built_store(sources_dir, source_cache, tmp_path_factory) -> Path:
    """One full build of the real graph for the whole test session (in a temporary directory)."""
    from kg.build import build

    root = tmp_path_factory.mktemp("built")
    store_path = root / "data" / "store"
    build(sources_dir, store_path, echo=lambda message: None, cache_dir=source_cache)
    return store_path
