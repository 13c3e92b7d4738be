# The two commands of the README: `make run` and `make test`. Both set up what is missing and are idempotent.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup build lint clean browser clients virtuoso bench soak

# (Re)install only when the project's dependencies change.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Browser assets of package.json (chart.js, ...): installed when node_modules is missing or the lock file changed.
node_modules/.package-lock.json: package.json package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	npm ci --no-audit --no-fund
	touch $@

# Headless Chromium and its driver for the browser tests (tests/browser), and a CJK font so that Chinese names render
# as glyphs, not boxes: Debian packages, installed when missing.
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-noto-cjk)

# Raptor's rapper and Rasqal's roqet, SPARQL and RDF clients as Debian ships them, for the client tests
# (tests/integration/test_real_clients.py): installed when missing.
clients:
	command -v rapper >/dev/null && command -v roqet >/dev/null || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y raptor2-utils rasqal-utils)

# Virtuoso Open Source for the remote-store tests (tests/kg/store/test_remote.py starts and stops it): installed when missing.
virtuoso:
	command -v virtuoso-t >/dev/null || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource-7-bin)

# The interface's catalogues (server/translations/*/LC_MESSAGES/messages.po, server/i18n.py), compiled for Flask-Babel.
MO := $(patsubst %.po,%.mo,$(wildcard server/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

setup: $(STAMP) node_modules/.package-lock.json $(MO)

build: setup
	$(VENV)/bin/amurkg build

run: build
	$(VENV)/bin/amurkg serve

# the browser tests need Chromium, the client tests rapper and roqet, the remote-store tests Virtuoso; serving needs
# none of them.
# Two xdist workers (CI has 2 cores): the modules that need no full build run while one worker builds
# (tests/conftest.py orders the modules; --no-loadscope-reorder keeps that order). The fast core alone: `.venv/bin/pytest -m "not slow"`.
test: setup browser clients virtuoso
	$(PY) -m pytest -n 2 --dist loadscope --no-loadscope-reorder --durations=15

# The benchmark against Oxigraph server, rdflib-endpoint and rdflib (bench/harness.py): writes docs/benchmarks.md.
# Its time budget (17 min by default, `--budget`) counts from make's start, so it covers a rebuild by `build` too.
BENCH_START := $(shell date +%s)
$(VENV)/.bench-installed: pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

bench: build $(VENV)/.bench-installed
	$(PY) -m bench.harness --write docs/benchmarks.md --started-at $(BENCH_START)

# The soak (bench/soak.py, not part of `make test`): CLIENTS clients for MINUTES minutes against `amurkg serve` on
# loopback; exits non-zero on an unexpected 5xx, a dropped connection, memory growth or a changed store.
CLIENTS ?= 8
MINUTES ?= 10
soak: build $(VENV)/.bench-installed
	$(PY) -m bench.soak --clients $(CLIENTS) --minutes $(MINUTES) --write docs/benchmarks.md

# ruff (lint and format) on the whole tree, mypy --strict on kg/ (pyproject.toml [tool.mypy]: kg is fully strict; the
# readers and the server are type-checked as kg uses them). CI runs it before the tests (.ci/run).
lint: setup
	$(VENV)/bin/ruff check kg ingest server tests bench
	$(VENV)/bin/ruff format --check kg ingest server tests bench
	$(VENV)/bin/mypy

clean:
	rm -rf data/store data/stores
