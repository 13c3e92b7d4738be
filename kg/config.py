"""Settings from the CLI's options and the environment, read in this one place.

Every ``AMURKG_*`` variable is read here, with its one default. The library's settings are functions that read
the environment when called, so a test or a caller that sets a variable sees it; no module reads a setting when it
is imported (``kg.namespaces.base_iri()``, ``kg.store.layout.embedded_path(None)`` ask here each time). The
server's settings are one ``Settings`` object, built once by ``Settings.load`` from the CLI's options and the
environment and passed to gunicorn, the app and its query pool (``amurkg serve``; ``create_app`` builds it from
the environment when not given one).

| variable | what | default |
|---|---|---|
| AMURKG_BASE | base IRI of every minted resource | https://w3id.org/amurkg/ |
| AMURKG_STORE | the store spec: a path, oxigraph:PATH or sparql+http://HOST/PATH | AMURKG_STORE_PATH |
| AMURKG_STORE_PATH | the embedded store's link | data/store |
| AMURKG_REMOTE_CACHE | a remote engine's build files (dumps, views) | data/remote |
| AMURKG_SOURCES | the sources directory, used as it is | ../shared/data/sources, else the fetch cache |
| AMURKG_CHECKLISTS | the registry file of declared checklist archives | checklists.yml |
| AMURKG_CACHE | the fetch cache (its sources/ folder) | ~/.cache/amurkg |
| AMURKG_MIRROR | a mirror for every origin (URL/HOST/PATH) | none |
| AMURKG_SHACL_ENGINE | pyshacl-turbo or pyshacl | pyshacl-turbo |
| AMURKG_STORE_USER, AMURKG_STORE_PASSWORD | credentials of a remote engine | none |
| AMURKG_HOST, AMURKG_PORT, AMURKG_WORKERS, AMURKG_THREADS, ... | the server (``Settings``) | below |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASE = "https://w3id.org/amurkg/"


def _get(name: str, default: str, env: Mapping[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get(name, default)


def _optional(name: str, env: Mapping[str, str] | None = None) -> str | None:
    return (os.environ if env is None else env).get(name)


def base() -> str:
    return _get("AMURKG_BASE", DEFAULT_BASE)


def store_path() -> Path:
    return Path(_get("AMURKG_STORE_PATH", str(ROOT / "data" / "store")))


def store_spec() -> str:
    """The store the CLI and the app use unless told: AMURKG_STORE, else the embedded store at store_path()."""
    return _optional("AMURKG_STORE") or str(store_path())


def remote_cache() -> Path:
    return Path(_get("AMURKG_REMOTE_CACHE", str(ROOT / "data" / "remote")))


def sources_dir() -> Path | None:
    """The sources directory the user named, or None."""
    value = _optional("AMURKG_SOURCES")
    return Path(value) if value else None


def checklists_file() -> Path:
    """The user-editable registry of checklist archives (kg/sources/registry.py ``declared_checklists``)."""
    return Path(_get("AMURKG_CHECKLISTS", str(ROOT / "checklists.yml")))


def fetch_cache() -> Path:
    return Path(_get("AMURKG_CACHE", str(Path.home() / ".cache" / "amurkg"))) / "sources"


def mirror() -> str | None:
    return _optional("AMURKG_MIRROR") or None


def shacl_engine() -> str:
    return _get("AMURKG_SHACL_ENGINE", "pyshacl-turbo")


def store_credentials(env: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """(user, password) of a remote engine; ``env`` in place of the environment (tests, the CLI)."""
    return _optional("AMURKG_STORE_USER", env=env), _optional("AMURKG_STORE_PASSWORD", env=env)


@dataclass(frozen=True)
class Settings:
    """The server's settings, each with its one default; ``AMURKG_<NAME>`` sets one (``AMURKG_QUERY_TIMEOUT``), a
    CLI option given explicitly wins over the environment. Docs: README.md "Settings"; the lanes and threads:
    docs/decisions/0011-interactive-lane.md."""

    store: str = ""  # a store spec (kg/store/layout.py); empty: store_spec()
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1  # gunicorn web workers; each has its own caches and query workers
    threads: int = 32  # threads per web worker: a SPARQL request waits for its query worker on one
    reserved_threads: int = 4  # of them, kept from user SPARQL so that pages are served while it queues
    query_timeout: float = 30.0  # seconds; gunicorn's worker timeout is this plus WORKER_TIMEOUT_MARGIN
    query_processes: int = 2  # query worker processes of the SPARQL lane, per web worker
    interactive_processes: int = 1  # of the interactive lane
    query_worker_max_rss: int = 256 << 20  # bytes; a query worker above it is stopped (503); 0: no cap
    max_request_bytes: int = 1_000_000
    result_max_bytes: int = 50_000_000
    write_token: str | None = None  # SPARQL Update and Graph Store writes need it; unset: no writes
    service_allowlist: str = ""  # SERVICE endpoints a query may call (space- or comma-separated)
    response_cache_bytes: int = 64_000_000  # answers kept per web worker by ETag (server/caching.py)
    response_cache_entry_bytes: int = 8_000_000

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **given: Any) -> Settings:
        """The settings of this run: an option given (not None) wins, else ``AMURKG_<NAME>``, else the default.
        A malformed value is a ValueError naming the variable."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field in fields(cls):
            if given.get(field.name) is not None:
                values[field.name] = given[field.name]
                continue
            variable = "AMURKG_" + field.name.upper()
            raw = env.get(variable)
            if raw is None:
                continue
            kind = {"int": int, "float": float}.get(str(field.type), str)
            try:
                values[field.name] = kind(raw)
            except ValueError:
                expected = "an integer" if kind is int else "a number"
                raise ValueError(f"{variable}={raw!r}: expected {expected}") from None
        unknown = set(given) - {field.name for field in fields(cls)}
        if unknown:
            raise TypeError(f"no such setting: {', '.join(sorted(unknown))}")
        return cls(**values)

    def store_or_default(self) -> str:
        return self.store or store_spec()

    def app_config(self) -> dict[str, Any]:
        """The Flask config of these settings (``QUERY_TIMEOUT``, ...)."""
        return {field.name.upper(): getattr(self, field.name) for field in fields(self)}
