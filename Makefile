# The two commands of the README: `make run` and `make test`. Both set up what is missing and are idempotent.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup build lint clean

# (Re)install only when the project's dependencies change.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

build: setup
	$(VENV)/bin/amurkg build

run: build
	$(VENV)/bin/amurkg serve

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check kg ingest server tests

clean:
	rm -rf data/store data/stores
