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
