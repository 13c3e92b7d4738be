"""Fixtures the reader tests share: each module gives its reader's ``selection`` of the real sources."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def by_name(selection):
    """The module's real selection, record by scientific name."""
    return {record.scientific_name: record for record in selection.records}
