"""The closed-loop throughput run of every peer: over HTTP (bench/peers.py) and in rdflib's own process
(bench/rdflib_worker.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def closed_loop(run: Callable[[int], bool], concurrency: int, requests: int, deadline: float) -> dict:
    """``run(n)`` for n in range(``requests``) from ``concurrency`` threads, each starting its next run when its last
    one ends, until every run is done or ``deadline`` seconds have passed (the runs then in flight finish).
    ``run`` says whether it completed (False: the peer's error). Returns the counts and the seconds taken."""
    counter = iter(range(requests))
    lock = threading.Lock()
    done = {"completed": 0, "errors": 0}
    stop_at = time.perf_counter() + deadline

    def client() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            completed = run(n)
            with lock:
                done["completed" if completed else "errors"] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {**done, "seconds": time.perf_counter() - started}
