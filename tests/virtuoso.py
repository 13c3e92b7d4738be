"""A real Virtuoso Open Source server for the remote-store tests: a fresh database in a temporary directory,
SQL and HTTP ports on loopback, stopped (and its files left to pytest's tmp cleanup) when the tests end.

The Debian package virtuoso-opensource-7-bin provides ``virtuoso-t`` (the Makefile's ``virtuoso`` target installs
it). The configuration is the one docs/deployment.md recommends for amurkg: result rows and CONSTRUCT triples
uncapped, the engine's own time limit above the app's (a runaway query stops in the engine too; a partial "anytime"
answer at that limit is refused by kg/store/remote.py), and a transaction log large enough for the switch of all graphs
in one update.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sparql_live import free_port

from bench.serving import stop_group

BINARY = "virtuoso-t"
USER, PASSWORD = "dba", "dba"  # a fresh database's administrator; loopback only, gone with the temp directory

INI = """\
[Database]
DatabaseFile = {root}/virtuoso.db
ErrorLogFile = {root}/virtuoso.log
LockFile = {root}/virtuoso.lck
TransactionFile = {root}/virtuoso.trx
xa_persistent_file = {root}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {root}/virtuoso-temp.db
TransactionFile = {root}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
DirsAllowed = {root}
ThreadsPerQuery = 2
TransactionAfterImageLimit = 2000000000
VADInstallDir = {root}/vad

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
MaxClientConnections = 10
ServerThreads = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 10000000
MaxConstructTriples = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


def available() -> bool:
    return shutil.which(BINARY) is not None


def spec(http_port: int) -> str:
    """The store spec of a Virtuoso server: SPARQL at /sparql, authenticated updates and Graph Store (digest)."""
    return (
        f"sparql+http://127.0.0.1:{http_port}/sparql?update=/sparql-auth&gsp=/sparql-graph-crud-auth"
        "&gsp-param=graph-uri&auth=digest"
    )


@contextmanager
def running(root: Path, ports: tuple[int, int] | None = None) -> Iterator[int]:
    """Start Virtuoso on free loopback ports with a new database under ``root``; yield its HTTP port.

    Given ``ports`` (HTTP, SQL) and the ``root`` of an earlier run, it starts again where that one stopped: the
    same database at the same address, as an engine that comes back after going away."""
    root.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = ports or (free_port(), free_port())
    (root / "virtuoso.ini").write_text(INI.format(root=root, sql_port=sql_port, http_port=http_port))
    # +foreground: the process is ours to stop; its own session so that stopping it stops everything it started
    process = subprocess.Popen(
        [BINARY, "+configfile", str(root / "virtuoso.ini"), "+foreground"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        url = f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    log_file = root / "virtuoso.log"
                    log = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
                    raise RuntimeError(f"Virtuoso did not start (exit {process.poll()}):\n{log}") from None
                time.sleep(0.3)
        yield http_port
    finally:
        stop_group(process)
