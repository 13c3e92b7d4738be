"""The readers' parse cache: a JSON extract of a raw file, keyed by the file's sha256.

Parsing the R files in pure Python takes 5-25 s each; the extract is reused while the file is unchanged
(a changed file has another checksum, so the cache can never go stale). It is a local build cache under
data/cache (or the tests' temporary directory) and is never published.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cached_json(path: Path, cache_dir: Path | None, kind: str, extract: Callable[[Path], Any]) -> Any:
    """``extract(path)``, through ``cache_dir/<kind>-<sha256 prefix>.json`` when a cache directory is given."""
    path = Path(path)
    if cache_dir is None:
        return extract(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cache = Path(cache_dir) / f"{kind}-{digest[:16]}.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    data = extract(path)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    tmp.replace(cache)  # atomic: a concurrent or interrupted run never reads half a file
    return data
