"""Child processes of the server: query workers (kg/store/pool.py) and writers (kg/store/writes.py).

A child is a fresh interpreter connected to its parent by a socket pair; it dies with the server and runs its
job on a thread with a big stack.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection

# Deeply nested or long-chained queries (5,000 nested groups, a 2,000-step property path, 20,000 terms joined by
# `+` or UNION) recurse in Oxigraph's parser and optimizer deeper than a main thread's 8 MB stack, and a stack
# overflow kills the worker: a 500 for the client. Worker jobs run on a thread with a 1 GiB stack instead; only
# the pages a query touches become resident, and the time such a query takes is bounded by the timeout.
WORKER_STACK_BYTES = 1 << 30


def start_child(module: str, *args: str) -> tuple[subprocess.Popen[bytes], Connection]:
    """A fresh interpreter running ``python -m module *args FD``, connected by a socket pair (query workers in
    kg/store/pool.py, writers in kg/store/writes.py).

    A plain subprocess rather than multiprocessing's spawn: it never re-imports the host's __main__ (gunicorn,
    pytest, a script), and it inherits no locks, threads or store handles.
    """
    parent, child = socket.socketpair()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args, str(child.fileno())], pass_fds=[child.fileno()], stdin=subprocess.DEVNULL
    )
    child.close()
    return process, Connection(parent.detach())


def run_child(main: Callable[[Connection], None], name: str) -> None:
    """The body of a child's ``__main__``: die with the server, then serve the socket pair on a big-stack thread."""
    try:  # Linux: die with the server process even while Oxigraph is busy (PR_SET_PDEATHSIG)
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    connection = Connection(int(sys.argv[-1]))
    threading.stack_size(WORKER_STACK_BYTES)
    thread = threading.Thread(target=main, args=(connection,), name=name)
    thread.start()
    thread.join()


def stop_child(process: subprocess.Popen[bytes], conn: Connection) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(10)
    conn.close()
