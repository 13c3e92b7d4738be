"""The progress display of long work (kg/progress.py): live on a terminal, plain lines in CI logs."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from kg import progress
from kg.progress import CountingWriter, StageProgress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_stages(echo) -> None:
    echo("ingest: species")
    for done in range(3):
        progress.count(echo, done, 3)
        echo(f"  reader {done}: 10 species")
    progress.count(echo, 3, 3)
    echo("validate: SHACL")


def test_not_on_a_terminal_every_message_is_a_plain_line():
    log = io.StringIO()
    with StageProgress(stream=log) as echo:
        run_stages(echo)
    lines = log.getvalue().splitlines()
    assert len(lines) == 5 and "\x1b" not in log.getvalue() and "\r" not in log.getvalue()
    # stages carry the time since the start; details are the messages as given; counts add no lines
    assert re.fullmatch(r"\[ *\d+\.\d s\] ingest: species", lines[0])
    assert lines[1:4] == ["  reader 0: 10 species", "  reader 1: 10 species", "  reader 2: 10 species"]
    assert re.fullmatch(r"\[ *\d+\.\d s\] validate: SHACL", lines[4])


def test_on_a_terminal_stages_show_items_done_and_elapsed_time():
    terminal = _Terminal()
    with StageProgress(stream=terminal) as echo:
        assert echo.live
        run_stages(echo)
    shown = terminal.getvalue()
    assert "ingest: species" in shown and "validate: SHACL" in shown
    assert "3/3" in shown  # items done of the counted stage
    assert re.search(r"\d:\d\d:\d\d", shown)  # elapsed time
    assert "  reader 1: 10 species" in shown  # details printed above the live display


def test_a_dump_reports_its_bytes_and_passes_them_on():
    terminal, out = _Terminal(), io.BytesIO()
    with StageProgress(stream=terminal) as echo:
        echo("export: nq to amurkg.nq")
        writer = CountingWriter(out, echo)
        writer.write(b"a" * 1500)
        writer.write(b"b" * 500)
    assert out.getvalue() == b"a" * 1500 + b"b" * 500
    assert "2,000 bytes" in terminal.getvalue()


def test_a_plain_echo_ignores_counts():
    said = []
    run_stages(said.append)  # e.g. the tests' `echo=lambda m: None`: no count method, nothing breaks
    assert said[0] == "ingest: species" and len(said) == 5


@pytest.mark.slow
def test_amurkg_build_writes_plain_lines_to_a_pipe(built_store, sources_dir):
    # the real command on an up-to-date store: its stderr is a pipe, as in CI, so no live display
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--sources", str(sources_dir), "--store", str(built_store)],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stderr.splitlines()
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert re.fullmatch(r"\[ *\d+\.\d s\] sources: .+", lines[0])
    assert re.fullmatch(
        r"\[ *\d+\.\d s\] store .+ is up to date \(build .+\); nothing to do \(use --force\)", lines[-1]
    )


@pytest.mark.slow
def test_amurkg_export_to_a_file_says_its_stage_in_plain_lines(built_store, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path / "meta.nt"
    result = CliRunner().invoke(
        main, ["export", "--format", "nt", "--graph", "meta", "-o", str(out), "--store", str(built_store)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(rf"^\[ *\d+\.\d s\] export: nt to {re.escape(str(out))}$", result.stderr, re.M)
    assert "\x1b" not in result.stderr and out.stat().st_size > 0
