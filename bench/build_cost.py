"""Measure the full build: wall time and peak memory, with a cold and a warm parse cache.

Run: .venv/bin/python bench/build_cost.py [--sources DIR] [--write docs/benchmarks.md]
Each build runs in its own process (`amurkg build --force` into a temporary store) so that its peak
resident memory is measured alone (getrusage of the finished child). Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK_BEGIN = "<!-- build-cost:begin -->"
MARK_END = "<!-- build-cost:end -->"


def run_build(store: Path, cache: Path, sources: str | None, timeout: float | None = None) -> tuple[float, float]:
    """Wall time and peak memory (MiB) of one build in a child process; subprocess.TimeoutExpired (the child
    killed) if it takes longer than ``timeout`` seconds."""
    # the child reports its own peak resident set size (KiB on Linux) when the build is done
    code = (
        "import resource; from pathlib import Path; from kg.build.pipeline import build; "
        f"build({sources!r}, Path({str(store)!r}), force=True, echo=lambda m: None, cache_dir=Path({str(cache)!r})); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    seconds = time.perf_counter() - started
    return seconds, int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources")
    parser.add_argument("--write", type=Path, help="update this markdown file between the build-cost markers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold = run_build(Path(tmp) / "a" / "store", cache, args.sources)
        warm = run_build(Path(tmp) / "b" / "store", cache, args.sources)
    load = os.getloadavg()[0]
    lines = [
        MARK_BEGIN,
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, "
        f"Python {platform.python_version()}), load average {load:.1f} at the end, by `bench/build_cost.py`.",
        "",
        "| build | wall time | peak memory (RSS) |",
        "|---|---|---|",
        f"| cold parse cache (every R file parsed) | {cold[0]:.0f} s | {cold[1]:.0f} MiB |",
        f"| warm parse cache (sources unchanged, `--force`) | {warm[0]:.0f} s | {warm[1]:.0f} MiB |",
        MARK_END,
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        current = args.write.read_text() if args.write.exists() else "# Benchmarks\n\n## Full build\n\n"
        if MARK_BEGIN in current:
            head, rest = current.split(MARK_BEGIN, 1)
            current = head + text + rest.split(MARK_END, 1)[1]
        else:
            current = current.rstrip() + "\n\n" + text + "\n"
        args.write.write_text(current)


if __name__ == "__main__":
    main()
