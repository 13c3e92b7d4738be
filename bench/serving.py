"""`amurkg serve` as a child process on loopback, for the soak (bench/soak.py), the benchmark's peers and the
endpoint tests (tests/sparql_live.py): started in its own process group, so that stopping it stops gunicorn's
workers and their query workers too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import IO

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_serve(
    store: Path | str,
    port: int,
    workers: int,
    timeout: float,
    output: IO[bytes],
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """Start `amurkg serve` on HOST:``port``; return at once (the caller waits for /health).

    None of the caller's AMURKG_* settings reach the server (in particular no write token), only ``env``. The
    server's output goes to ``output``, a file: a pipe nobody reads fills after a few hundred requests, and then
    every gunicorn worker blocks writing its access log."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AMURKG_")} | (env or {})
    command = ["serve", "--store", str(store), "--host", HOST, "--port", str(port)]
    command += ["--workers", str(workers), "--timeout", str(timeout)]
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", *command],
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=environment,
        cwd=ROOT,
    )


def stop_group(process: subprocess.Popen, grace: float = 30) -> None:
    """Stop a process started in its own session and everything it started: SIGTERM, then SIGKILL after ``grace``
    seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def labelled_things(graph: ox.NamedNode, count: int = 2000) -> list[ox.Quad]:
    """``count`` things with a label each: a three-way cartesian product of them (RUNAWAY in tests/sparql_live.py)
    runs for minutes."""
    return [
        ox.Quad(
            ox.NamedNode(f"http://example.org/thing/{i}"),
            ox.NamedNode("http://example.org/label"),
            ox.Literal(f"thing {i}"),
            graph,
        )
        for i in range(count)
    ]
