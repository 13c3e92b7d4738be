"""The readers' parse cache: a JSON extract of a raw file, keyed by the file's sha256 and the extractor's code.

Parsing the R files in pure Python takes 5-25 s each; the extract is reused while neither the file nor the
module that extracts it changes (another file or another extractor gives another key, so the cache can never
go stale). It is a local build cache under data/cache, shared by `amurkg build` and the tests, never published.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _code_digest(module_file: str) -> str:
    return hashlib.sha256(Path(module_file).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:8]


def cached_json(path: Path, cache_dir: Path | None, kind: str, extract: Callable[[Path], Any]) -> Any:
    """``extract(path)``, through ``cache_dir/<kind>-<sha256 prefix>-<code>.json`` when a cache directory is given."""
    path = Path(path)
    if cache_dir is None:
        return extract(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    code = _code_digest(inspect.getsourcefile(extract))
    cache_file = Path(cache_dir) / f"{kind}-{digest[:16]}-{code}.json"
    if cache_file.exists():
        return json.loads(cache_file.read_text(encoding="utf-8"))
    data = extract(path)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    # a name of this process's own: parallel test workers may extract the same file at the same moment
    tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(cache_file)  # atomic: a concurrent or interrupted run never reads half a file
    return data
