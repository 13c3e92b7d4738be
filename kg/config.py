"""Settings from the environment, read in this one place.

Every ``AMURKG_*`` variable the library reads is here, with its default; the CLI (click's ``envvar`` options)
and ``create_app`` (``AMURKG_*`` -> app config) read their own on top. Each function reads the environment when
it is called, so a test or a caller that sets a variable sees it; no module reads a setting when it is imported
(``kg.namespaces.base_iri()``, ``kg.store.embedded_path(None)`` ask here each time).

| variable | what | default |
|---|---|---|
| AMURKG_BASE | base IRI of every minted resource | https://w3id.org/amurkg/ |
| AMURKG_STORE_PATH | the embedded store's link | data/store |
| AMURKG_REMOTE_CACHE | a remote engine's build files (dumps, views) | data/remote |
| AMURKG_SOURCES | the sources directory, used as it is | ../shared/data/sources, else the fetch cache |
| AMURKG_CHECKLISTS | the registry file of declared checklist archives | checklists.yml |
| AMURKG_CACHE | the fetch cache (its sources/ folder) | ~/.cache/amurkg |
| AMURKG_MIRROR | a mirror for every origin (URL/HOST/PATH) | none |
| AMURKG_SHACL_ENGINE | pyshacl-turbo or pyshacl | pyshacl-turbo |
| AMURKG_STORE_USER, AMURKG_STORE_PASSWORD | credentials of a remote engine | none |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASE = "https://w3id.org/amurkg/"


def _get(name: str, default: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    return (os.environ if env is None else env).get(name, default)


def base() -> str:
    return _get("AMURKG_BASE", DEFAULT_BASE)


def store_path() -> Path:
    return Path(_get("AMURKG_STORE_PATH", str(ROOT / "data" / "store")))


def remote_cache() -> Path:
    return Path(_get("AMURKG_REMOTE_CACHE", str(ROOT / "data" / "remote")))


def sources_dir() -> Path | None:
    """The sources directory the user named, or None."""
    value = _get("AMURKG_SOURCES")
    return Path(value) if value else None


def checklists_file() -> Path:
    """The user-editable registry of checklist archives (kg/sources/registry.py ``declared_checklists``)."""
    return Path(_get("AMURKG_CHECKLISTS", str(ROOT / "checklists.yml")))


def fetch_cache() -> Path:
    return Path(_get("AMURKG_CACHE", str(Path.home() / ".cache" / "amurkg"))) / "sources"


def mirror() -> str | None:
    return _get("AMURKG_MIRROR") or None


def shacl_engine() -> str:
    return _get("AMURKG_SHACL_ENGINE", "pyshacl-turbo")


def store_credentials(env: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """(user, password) of a remote engine; ``env`` in place of the environment (tests, the CLI)."""
    return _get("AMURKG_STORE_USER", env=env), _get("AMURKG_STORE_PASSWORD", env=env)
