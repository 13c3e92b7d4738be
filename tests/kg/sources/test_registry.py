"""The source registry: declared once, matching the shared description, refusing tampered files."""

from __future__ import annotations

import json
import shutil

import pytest

from kg import config
from kg.sources import fetch as kf
from kg.sources import registry


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


def test_every_reader_module_reads_its_source():
    """The module a source names reads it: a reference reader (read_reference), a species reader whose SOURCES
    lists the source (read), or the rangeBuilder loader, which the species readers listing its source call."""
    import importlib

    for source in registry.SOURCES:
        module = importlib.import_module(source.reader)
        if hasattr(module, "read_reference"):
            assert callable(module.read_reference), source.id
        elif hasattr(module, "SOURCES"):
            assert source.id in module.SOURCES and callable(module.read), source.id
        elif hasattr(module, "read_all"):
            # the protection lists: read together, joined to the merged species by the build (kg/build/protection.py)
            assert source.id in (module.CN_SOURCE, module.CITES_SOURCE) and callable(module.read_all), source.id
        else:
            assert callable(module.load), source.id
            users = [
                s.reader
                for s in registry.SOURCES
                if source.id in getattr(importlib.import_module(s.reader), "SOURCES", ())
            ]
            assert users, f"{source.id}: no species reader lists it"


def test_real_sources_verify(sources_dir):
    located = registry.verify(sources_dir)
    assert sum(len(files) for files in located.values()) == 24  # 21 + the protection lists (2 + 1)


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
    assert kf.resolve_dir(explicit) == explicit
    with pytest.raises(registry.SourceError, match="AMURKG_SOURCES"):
        kf.resolve_dir(None)  # the variable names a folder that does not exist
    monkeypatch.delenv("AMURKG_SOURCES")
    assert registry.candidate_dirs()[0][1] == registry.ROOT.parent / "shared" / "data" / "sources"
    assert registry.candidate_dirs()[-1][1] == config.fetch_cache()


def test_fetch_skips_verified_files_without_network(copied_sources):
    from kg.sources.fetch import fetch

    # every file is present and verified, so nothing is downloaded (the machine may have no network)
    assert fetch(copied_sources, echo=lambda m: None) == []


def test_a_complete_directory_is_used_without_fetching(copied_sources, monkeypatch, tmp_path):
    monkeypatch.delenv("AMURKG_SOURCES", raising=False)
    monkeypatch.setattr(registry, "SHARED_SOURCES", copied_sources)
    monkeypatch.setenv("AMURKG_CACHE", str(tmp_path))  # the fetch cache is its sources/ folder
    assert kf.resolve_dir(None, fetch_missing=False) == copied_sources
    (copied_sources / "mdd-1.13" / "MDD.zip").unlink()
    with pytest.raises(registry.SourceError, match="no complete sources directory found; tried ../shared"):
        kf.resolve_dir(None, fetch_missing=False)


def test_wildfinder_extract_has_its_full_origin_file():
    """The staged WildFinder link file is an extract (nowhere online): the fetcher takes the origin's full file,
    verified by the git blob id its repository gives it (kg/sources/fetch.py), and the reader filters it to the
    basin."""
    source = registry.BY_ID["wildfinder-2006"]
    extract = "wildfinder-2006/wildfinder-ecoregions_species.basin-mammals.csv"
    full, digest = source.alternates[extract]
    assert extract in source.files and full.endswith("/wildfinder-ecoregions_species.csv")
    assert digest == "git-blob:9ebb10e9a9d668ce2efa075f11ea963d56282756"
    assert source.url(extract).endswith("/wildfinder-ecoregions_species.csv")
