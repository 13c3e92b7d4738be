"""server/wsgi.py: gunicorn gets the settings the app relies on, and a bare `gunicorn` run is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kg.config import ROOT, Settings
from server import wsgi


def test_gunicorn_runs_threaded_workers_that_outlive_the_query_timeout():
    options = wsgi.gunicorn_options(Settings.load({}, query_timeout=12.0, threads=8, workers=2, port=5050))
    assert options["worker_class"] == "gthread" and options["threads"] == 8 and options["workers"] == 2
    assert options["timeout"] == 12 + wsgi.WORKER_TIMEOUT_MARGIN
    assert options["bind"] == "127.0.0.1:5050"


def test_a_bare_gunicorn_run_refuses_to_start():
    """`gunicorn 'server:create_app()'` would serve with one sync thread and a 30 s worker timeout: no interactive
    lane, and workers killed before a query's timeout answers. The worker refuses to boot, saying what to run."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    run = subprocess.run(
        [str(gunicorn), "--bind", "127.0.0.1:0", "--workers", "1", "server:create_app()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "RefusedServer" in run.stderr and "amurkg serve" in run.stderr
