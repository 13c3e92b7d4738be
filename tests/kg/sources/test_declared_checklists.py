"""Checklist archives declared in the registry file (checklists.yml, kg/sources/registry.py ``declared_checklists``):
parsed into sources, refused when malformed, fetched and verified like every source, and a missing, altered or
broken declared archive stops the build naming the file."""

from __future__ import annotations

import hashlib
import os

import pytest
import yaml
from checklist_archives import meta_xml, write_archive

from kg.sources import fetch as kf
from kg.sources import registry

SHA = "0" * 64


def declare(path, *entries) -> None:
    path.write_text(yaml.safe_dump({"checklists": list(entries)}, sort_keys=False), encoding="utf-8")


def entry(**fields) -> dict:
    base = {
        "file": "checklists/primorye-flora.zip",
        "title": "Vascular plants of Primorye",
        "sha256": SHA,
        "origin": "https://ipt.example.org/archive.do?r=primorye-flora",
        "licence": "CC-BY-4.0",
    }
    return {k: v for k, v in (base | fields).items() if v is not None}


def test_the_default_registry_file_declares_none():
    # the file a fresh clone has: an example in comments, no entry (the real build reads no archive)
    assert registry.config.checklists_file().name == "checklists.yml"
    assert registry.declared_checklists(registry.ROOT / "checklists.yml") == []
    assert registry.declared_checklists(registry.ROOT / "no-such-file.yml") == []


def test_a_declared_archive_is_a_source_read_as_a_checklist(tmp_path, monkeypatch):
    file = tmp_path / "checklists.yml"
    declare(file, entry(retrieved="2025-03-01", publisher="FEB RAS"))
    (source,) = registry.declared_checklists(file)
    assert source.id == "checklist-primorye-flora"  # the id `--checklist primorye-flora.zip` gives it
    assert source.reader == registry.CHECKLIST_READER == "ingest.checklists"
    assert source.files == {"checklists/primorye-flora.zip": SHA}
    assert source.url("checklists/primorye-flora.zip") == "https://ipt.example.org/archive.do?r=primorye-flora"
    assert (source.title, source.licence, source.publisher, source.retrieved) == (
        "Vascular plants of Primorye",
        "CC-BY-4.0",
        "FEB RAS",
        "2025-03-01",
    )
    assert "Vascular plants of Primorye" in source.citation
    # the registry file is found through AMURKG_CHECKLISTS; the build verifies all_sources()
    monkeypatch.setenv("AMURKG_CHECKLISTS", str(file))
    assert registry.all_sources()[-1] == source
    assert registry.all_sources()[:-1] == registry.SOURCES


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("checklists: [a, b", "not valid YAML"),
        ("checklists: {file: x.zip}", "expected a list under 'checklists:'"),
        (entry(sha256=None), "checklist entry 1 (checklists/primorye-flora.zip): missing sha256"),
        (entry(sha256="abc"), "sha256 must be 64 hexadecimal digits, not 'abc'"),
        (entry(sha="x"), "unknown field sha"),
        (entry(file="/home/me/flora.zip"), "file must be a .zip path inside the sources directory"),
        (entry(file="../flora.zip"), "file must be a .zip path inside the sources directory"),
        (entry(file="flora.csv"), "file must be a .zip path inside the sources directory"),
        (entry(origin="ftp://x/flora.zip"), "origin must be an http(s) URL"),
        (entry(retrieved="March 2025"), "retrieved must be a date"),
        (
            [entry(), entry(file="other/primorye-flora.zip")],
            "other/primorye-flora.zip gives the source id checklist-primorye-flora, which another source already has",
        ),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_registry_file(tmp_path, content, message):
    file = tmp_path / "checklists.yml"
    if isinstance(content, str):
        file.write_text(content, encoding="utf-8")
    else:
        declare(file, *(content if isinstance(content, list) else [content]))
    with pytest.raises(registry.SourceError) as raised:
        registry.declared_checklists(file)
    assert str(raised.value).startswith(str(file)) and message in str(raised.value)


def test_amurkg_fetch_gets_a_declared_archive_and_refuses_other_bytes(tmp_path, monkeypatch):
    import http.server
    import threading

    archive = b"PK\x05\x06" + b"\0" * 18  # an empty zip: fetch checks bytes, not content
    served = {"/flora.zip": archive, "/changed.zip": archive + b"x"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        monkeypatch.delenv(kf.MIRROR_ENV, raising=False)
        monkeypatch.setattr(registry, "SOURCES", [])  # the declared archives alone: nothing leaves loopback
        file = tmp_path / "checklists.yml"
        monkeypatch.setenv("AMURKG_CHECKLISTS", str(file))
        sha = hashlib.sha256(archive).hexdigest()
        declare(file, entry(file="checklists/flora.zip", origin=f"{base}/flora.zip", sha256=sha))
        target = tmp_path / "cache"
        assert kf.fetch(target, echo=lambda m: None) == ["checklists/flora.zip"]
        assert (target / "checklists/flora.zip").read_bytes() == archive
        assert registry.verify(target, registry.all_sources())["checklist-flora"]

        declare(file, entry(file="checklists/changed.zip", origin=f"{base}/changed.zip", sha256=sha))
        with pytest.raises(kf.FetchError) as raised:
            kf.fetch(target, echo=lambda m: None, retries=0)
        assert "checklists/changed.zip (source checklist-changed" in str(raised.value)
        assert "sha256 mismatch" in str(raised.value) and not (target / "checklists/changed.zip").exists()
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sources_with_room(sources_dir, tmp_path):
    """A sources directory holding the real sources (linked, not copied) and room for declared archives."""
    target = tmp_path / "sources"
    target.mkdir()
    for entry_path in sources_dir.iterdir():
        os.symlink(entry_path, target / entry_path.name)
    (target / "checklists").mkdir()
    return target


@pytest.fixture
def declared_archive(sources_with_room, tmp_path, monkeypatch):
    """A valid checklist archive under the sources directory, declared in a registry file of the test's."""
    archive = write_archive(sources_with_room / "checklists" / "primorye-flora.zip")
    file = tmp_path / "checklists.yml"
    monkeypatch.setenv("AMURKG_CHECKLISTS", str(file))
    declare(file, entry(sha256=registry.sha256_of(archive)))
    return archive, file


def test_a_declared_archive_that_is_missing_stops_the_build_naming_it(declared_archive, sources_with_room, tmp_path):
    from kg.build.pipeline import build

    archive, _ = declared_archive
    archive.unlink()
    store = tmp_path / "store"
    with pytest.raises(registry.SourceError) as raised:
        build(sources_with_room, store, echo=lambda m: None, cache_dir=tmp_path / "cache")
    assert f"{archive}: missing (source checklist-primorye-flora" in str(raised.value)
    assert not store.exists()


def test_a_declared_archive_with_another_sha256_stops_the_build_naming_it(
    declared_archive, sources_with_room, tmp_path
):
    from kg.build.pipeline import build

    archive, file = declared_archive
    declare(file, entry(sha256="1" * 64))
    store = tmp_path / "store"
    with pytest.raises(registry.SourceError) as raised:
        build(sources_with_room, store, echo=lambda m: None, cache_dir=tmp_path / "cache")
    message = str(raised.value)
    assert f"{archive}: sha256 mismatch (source checklist-primorye-flora): expected {'1' * 64}" in message
    assert registry.sha256_of(archive) in message
    assert not store.exists()


def test_a_declared_archive_that_is_no_checklist_stops_the_build_naming_it(
    declared_archive, sources_with_room, tmp_path
):
    from kg.build.pipeline import BuildError, build

    archive, file = declared_archive
    write_archive(archive, meta=meta_xml(with_distribution=False))  # verified (its sha256 declared), but broken
    declare(file, entry(sha256=registry.sha256_of(archive)))
    store = tmp_path / "store"
    with pytest.raises(BuildError, match=f"{archive}: no Distribution extension"):
        build(sources_with_room, store, echo=lambda m: None, cache_dir=tmp_path / "cache")
    assert not store.exists()


def test_an_archive_declared_and_given_by_option_is_refused(declared_archive, sources_with_room, tmp_path):
    from kg.build.pipeline import BuildError, build

    archive, _ = declared_archive
    with pytest.raises(BuildError, match="checklist checklist-primorye-flora is given twice"):
        build(
            sources_with_room,
            tmp_path / "store",
            checklists=(archive,),
            echo=lambda m: None,
            cache_dir=tmp_path / "cache",
        )
