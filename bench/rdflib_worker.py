"""rdflib's own engine called in-process, as a notebook user would: a child of the harness, driven by JSON lines.

Commands on stdin, one answer per line on stdout:
  {"op": "load", "path": DUMP}                              -> {"seconds": s, "quads": n}
  {"op": "probe", "queries": [...], "timeout": s}           -> {"seconds": s} or {"error": "timeout"|message}
  {"op": "run", "queries": [...]}                           -> {"seconds": s} or {"error": message}
  {"op": "throughput", "items": [[...], ...], "concurrency": c, "requests": n, "deadline": s}
                                                            -> {"completed": n, "errors": n, "seconds": s}
A probe runs in a forked copy of this process, killed by an alarm at the timeout: rdflib cannot stop a running
query, and the loaded graph must survive a query that is too slow.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from rdflib import Dataset

from bench.closed_loop import closed_loop


def run_queries(dataset: Dataset, queries: list[str]) -> None:
    for query in queries:
        for _ in dataset.query(query):  # evaluate fully; rdflib is lazy
            pass


def probe(dataset: Dataset, queries: list[str], timeout: float) -> dict:
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        signal.alarm(max(1, int(timeout)))  # the default action ends the child
        try:
            run_queries(dataset, queries)
        except Exception:  # noqa: BLE001 - the parent only needs to know it failed
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - started
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGALRM:
        return {"error": "timeout", "seconds": seconds}
    if status != 0:
        return {"error": "query failed", "seconds": seconds}
    return {"seconds": seconds}


def throughput(dataset: Dataset, items: list[list[str]], concurrency: int, requests: int, deadline: float) -> dict:
    def run(n: int) -> bool:
        try:
            run_queries(dataset, items[n % len(items)])
        except Exception:  # noqa: BLE001 - counted as an error of the peer
            return False
        return True

    return closed_loop(run, concurrency, requests, deadline)


def main() -> None:
    dataset = Dataset(default_union=True)
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "load":
            started = time.perf_counter()
            dataset.parse(command["path"], format="nquads")
            answer = {"seconds": time.perf_counter() - started, "quads": len(dataset)}
        elif op == "probe":
            answer = probe(dataset, command["queries"], command["timeout"])
        elif op == "run":
            started = time.perf_counter()
            try:
                run_queries(dataset, command["queries"])
                answer = {"seconds": time.perf_counter() - started}
            except Exception as exc:  # noqa: BLE001 - reported as an error of the peer
                answer = {"error": str(exc)[:200], "seconds": time.perf_counter() - started}
        elif op == "throughput":
            answer = throughput(
                dataset, command["items"], command["concurrency"], command["requests"], command["deadline"]
            )
        else:
            answer = {"error": f"unknown op {op}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
