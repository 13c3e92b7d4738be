"""A build's answers, written so that two builds can be compared with `diff`: the store as sorted N-Quads and the
answers of every named query (queries/*.rq), each as sorted rows.

    python -m bench.snapshot STORE OUT_DIR     # STORE: the store link (data/store) or a build directory

What may differ between two builds of the same sources and code is masked: the build id (in IRIs and literals),
timestamps of the build (xsd:dateTime literals), and blank node labels (each is replaced by a hash of the
triples it is the subject of, the other blank nodes in them masked). Used for the before/after comparison of a
refactoring (issue 25): `diff -r before/ after/` must print nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.query import named_queries, with_prefixes

_DATETIME = re.compile(r'"[^"]*"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>')
_BNODE = re.compile(r"_:[A-Za-z0-9]+")


def _open(path: Path) -> tuple[ox.Store, str]:
    build = path.resolve()
    manifest = json.loads((build / "BUILD.json").read_text())
    return ox.Store.read_only(str(build / "oxigraph")), manifest["build_id"]


def _mask(line: str, build_id: str) -> str:
    return _DATETIME.sub('"<time>"^^<http://www.w3.org/2001/XMLSchema#dateTime>', line.replace(build_id, "<build>"))


def nquads(store: ox.Store, build_id: str) -> list[str]:
    lines = [_mask(str(quad) + " .", build_id) for quad in store]
    subject_of: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        if line.startswith("_:"):
            subject_of[line.split(" ", 1)[0]].append(_BNODE.sub("_:x", line))
    names = {b: "_:h" + hashlib.sha256("\n".join(sorted(t)).encode()).hexdigest()[:16] for b, t in subject_of.items()}
    return sorted(_BNODE.sub(lambda m: names.get(m.group(0), "_:unnamed"), line) for line in lines)


def answers(store: ox.Store, build_id: str) -> dict[str, list[str]]:
    out = {}
    for named in named_queries():
        result = store.query(with_prefixes(named.text), use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            out[named.name] = [str(bool(result))]
            continue
        variables = [v.value for v in result.variables]
        rows = [_mask("\t".join(f"{v}={row[v]}" for v in variables), build_id) for row in result]
        out[named.name] = sorted(rows)
    return out


def main(store_path: str, out_dir: str) -> None:
    store, build_id = _open(Path(store_path))
    out = Path(out_dir)
    (out / "queries").mkdir(parents=True, exist_ok=True)
    (out / "store.nq").write_text("\n".join(nquads(store, build_id)) + "\n", encoding="utf-8")
    for name, rows in answers(store, build_id).items():
        (out / "queries" / f"{name}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
