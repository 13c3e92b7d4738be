"""Settings from the CLI's options and the environment, read in this one place.

Every ``AMURKG_*`` variable is a field of ``Settings``, with its one default there. ``Settings.load`` builds the
settings once from the CLI's options and the environment: ``amurkg serve`` passes them to gunicorn, the app and its
query pool, ``amurkg build`` to the build (``create_app`` and ``build`` load them from the environment when not
given any). The functions below (``base()``, ``store_path()``, ...) read one
setting from the environment when called, with the same default, for code that runs outside a command (the
namespaces, a test that sets a variable); no module reads a setting when it is imported.

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
| AMURKG_STORE_USER, AMURKG_STORE_PASSWORD | remote engine credentials (``store_credentials``) | none |
| AMURKG_HOST, AMURKG_PORT, AMURKG_WORKERS, AMURKG_THREADS, ... | the server | ``Settings`` below |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASE = "https://w3id.org/amurkg/"


def _optional(name: str, env: Mapping[str, str] | None = None) -> str | None:
    return (os.environ if env is None else env).get(name)


def _setting(name: str) -> str:
    """One text setting of ``Settings`` as the environment gives it now, else its default there."""
    return _optional("AMURKG_" + name.upper()) or getattr(Settings, name)


def base() -> str:
    return _setting("base")


def store_path() -> Path:
    return Settings(store_path=_setting("store_path")).store_dir


def store_spec() -> str:
    """The store the CLI and the app use unless told: AMURKG_STORE, else the embedded store at store_path()."""
    return _setting("store") or str(store_path())


def remote_cache() -> Path:
    return Settings(remote_cache=_setting("remote_cache")).remote_cache_dir


def sources_dir() -> Path | None:
    """The sources directory the user named, or None."""
    return Settings(sources=_setting("sources")).sources_dir


def checklists_file() -> Path:
    """The user-editable registry of checklist archives (kg/sources/registry.py ``declared_checklists``)."""
    return Settings(checklists=_setting("checklists")).checklists_file


def fetch_cache() -> Path:
    return Settings(cache=_setting("cache")).fetch_cache


def mirror() -> str | None:
    return _setting("mirror") or None


def shacl_engine() -> str:
    return _setting("shacl_engine")


def store_credentials(env: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """(user, password) of a remote engine; ``env`` in place of the environment (tests, the CLI)."""
    return _optional("AMURKG_STORE_USER", env=env), _optional("AMURKG_STORE_PASSWORD", env=env)


@dataclass(frozen=True)
class Settings:
    """The settings of a run, each with its one default; ``AMURKG_<NAME>`` sets one (``AMURKG_QUERY_TIMEOUT``), a
    CLI option given explicitly wins over the environment. Docs: README.md "Settings"; the lanes and threads:
    docs/decisions/0011-interactive-lane.md. An empty text means "the default place" (the properties below)."""

    # the graph, its sources and its build
    base: str = DEFAULT_BASE
    store: str = ""  # a store spec (kg/store/layout.py); empty: the embedded store at store_path
    store_path: str = ""  # the embedded store's link; empty: data/store
    remote_cache: str = ""  # a remote engine's build files; empty: data/remote
    sources: str = ""  # the sources directory, used as it is; empty: ../shared/data/sources, else the fetch cache
    checklists: str = ""  # the registry of declared checklist archives; empty: checklists.yml
    cache: str = ""  # the fetch cache's parent; empty: ~/.cache/amurkg
    mirror: str = ""  # a mirror for every origin; empty: none
    shacl_engine: str = "pyshacl-turbo"
    # the server
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1  # gunicorn web workers; each has its own caches and query workers
    threads: int = 32  # threads per web worker: a SPARQL request waits for its query worker on one
    reserved_threads: int = 4  # of them, kept from user SPARQL so that pages are served while it queues
    query_timeout: float = 30.0  # seconds; gunicorn's worker timeout is this plus WORKER_TIMEOUT_MARGIN
    query_processes: int = 2  # query worker processes of the SPARQL lane, per web worker
    interactive_processes: int = 1  # of the interactive lane
    # a user query that took less than this (seconds) when last run on the build is a cheap lookup: it runs in the
    # interactive lane, where it may take at most interactive_budget seconds before it is moved to the SPARQL lane
    cheap_query_seconds: float = 0.25
    interactive_budget: float = 1.0
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

    @property
    def store_dir(self) -> Path:
        return Path(self.store_path or ROOT / "data" / "store")

    @property
    def remote_cache_dir(self) -> Path:
        return Path(self.remote_cache or ROOT / "data" / "remote")

    @property
    def sources_dir(self) -> Path | None:
        return Path(self.sources) if self.sources else None

    @property
    def checklists_file(self) -> Path:
        return Path(self.checklists or ROOT / "checklists.yml")

    @property
    def fetch_cache(self) -> Path:
        return Path(self.cache or Path.home() / ".cache" / "amurkg") / "sources"

    def store_or_default(self) -> str:
        return self.store or str(self.store_dir)

    def app_config(self) -> dict[str, Any]:
        """The Flask config of these settings (``QUERY_TIMEOUT``, ...)."""
        return {field.name.upper(): getattr(self, field.name) for field in fields(self)}
