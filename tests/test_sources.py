"""The source registry: declared once, matching the shared description, refusing tampered files."""

from __future__ import annotations

import json
import shutil

import pytest

from kg import sources as registry


def test_registry_matches_shared_description(sources_dir):
    described = json.loads((sources_dir / "sources.json").read_text())["sources"]
    assert {s["id"] for s in described} == set(registry.BY_ID)
    for entry in described:
        source = registry.BY_ID[entry["id"]]
        if isinstance(entry["sha256"], dict):
            expected = {f"{entry['file'].rstrip('/')}/{name}": sha for name, sha in entry["sha256"].items()}
        else:
            expected = {entry["file"]: entry["sha256"]}
        assert source.files == expected, source.id
        assert source.licence and source.citation and source.reader and source.title


def test_every_reader_module_exists():
    import importlib

    for source in registry.SOURCES:
        assert importlib.import_module(source.reader)


def test_real_sources_verify(sources_dir):
    located = registry.verify(sources_dir)
    assert sum(len(files) for files in located.values()) == 18


@pytest.fixture
def copied_sources(sources_dir, tmp_path):
    target = tmp_path / "sources"
    shutil.copytree(sources_dir, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def test_tampered_file_is_refused_naming_file_and_checksums(copied_sources):
    victim = copied_sources / "avilist-2025" / "avilist_2025.rda"
    data = bytearray(victim.read_bytes())
    data[100] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(registry.SourceError) as raised:
        registry.verify(copied_sources)
    message = str(raised.value)
    assert str(victim) in message
    assert registry.BY_ID["avilist-2025"].files["avilist-2025/avilist_2025.rda"] in message
    assert registry.sha256_of(victim) in message


def test_missing_file_is_refused(copied_sources):
    (copied_sources / "iucn-redlist-api-v4" / "rl_threats-def.yml").unlink()
    with pytest.raises(registry.SourceError, match="rl_threats-def.yml: missing"):
        registry.verify(copied_sources)


def test_lookup_order(monkeypatch, tmp_path):
    explicit = tmp_path / "explicit"
    explicit.mkdir()
    monkeypatch.setenv("AMURKG_SOURCES", str(tmp_path / "from-env"))
    assert registry.resolve_dir(explicit) == explicit
    with pytest.raises(registry.SourceError, match="AMURKG_SOURCES"):
        registry.resolve_dir(None)  # the variable names a folder that does not exist
    monkeypatch.delenv("AMURKG_SOURCES")
    assert registry.candidate_dirs()[0][1] == registry.ROOT.parent / "shared" / "data" / "sources"
    assert registry.candidate_dirs()[-1][1] == registry.FETCH_CACHE


def test_fetch_skips_verified_files_without_network(copied_sources):
    # every file is present and verified, so nothing is downloaded (the machine may have no network)
    assert registry.fetch(copied_sources) == []


@pytest.fixture
def origin_server(tmp_path):
    """A loopback HTTP server standing in for a source's origin."""
    import functools
    import http.server
    import threading

    root = tmp_path / "origin"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _source(url: str, sha: str) -> registry.Source:
    return registry.Source(id="demo", title="demo", origin=url + "demo.txt", files={"demo/demo.txt": sha},
                           licence="CC0-1.0", citation="demo", reader="ingest.records")


def test_fetch_downloads_and_verifies(origin_server, tmp_path):
    import hashlib

    root, url = origin_server
    (root / "demo.txt").write_bytes(b"amur\n")
    sha = hashlib.sha256(b"amur\n").hexdigest()
    cache = tmp_path / "cache"
    assert registry.fetch(cache, [_source(url, sha)], echo=lambda m: None) == ["demo/demo.txt"]
    assert (cache / "demo" / "demo.txt").read_bytes() == b"amur\n"
    assert registry.fetch(cache, [_source(url, sha)], echo=lambda m: None) == []  # idempotent


def test_fetch_refuses_a_mismatching_download(origin_server, tmp_path):
    root, url = origin_server
    (root / "demo.txt").write_bytes(b"not what was registered\n")
    with pytest.raises(registry.SourceError, match="sha256 mismatch"):
        registry.fetch(tmp_path / "cache", [_source(url, "0" * 64)], echo=lambda m: None)
    assert not (tmp_path / "cache" / "demo" / "demo.txt").exists()


def test_an_extract_is_not_fetched(tmp_path):
    # the WildFinder link file is an extract of its origin: fetching the origin could never match its checksum
    source = registry.BY_ID["wildfinder-2006"]
    extract = [f for f in source.files if f in source.extracts]
    said = []
    assert registry.fetch(tmp_path, [registry.Source(
        id=source.id, title=source.title, origin=source.origin, files={f: source.files[f] for f in extract},
        licence=source.licence, citation=source.citation, reader=source.reader, extracts=source.extracts)],
        echo=said.append) == []
    assert extract and "extract" in said[0] and not (tmp_path / extract[0]).exists()
