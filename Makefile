# Formwork: the entry points for developers and CI.
# A fresh clone needs only Python 3.11+, make and, for test-pg, PostgreSQL 15's server
# binaries (scripts/with-postgres.sh finds or installs them); everything else installs itself.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.formwork-installed
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

# `make run` serves the SQLite database under instance/ unless DATABASE_URL says otherwise.
export DATABASE_URL ?= sqlite:///instance/formwork.db

.PHONY: install node run test test-pg lint wheel

## install: the virtual environment with Formwork (editable) and its dev tools; front-end files
install: $(STAMP) node

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node:
	@if [ -f package.json ]; then \
	    if [ ! -f node_modules/.package-lock.json ] || \
	       [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	        npm ci; \
	    fi; \
	fi

## wheel: dist/formwork-*.whl carrying the front-end files from node_modules (setup.py), so
## `pip install dist/formwork-*.whl` serves styled pages without npm
wheel: install
	rm -rf build/lib dist
	$(BIN)/python -m pip wheel . --no-deps -w dist

## run: migrate, import every bundled pack (construction first: others require it), create
## the demo users, serve on HOST:PORT
run: install
	$(BIN)/formwork init-db
	@for pack in modules/construction.json modules/*.json; do \
	    [ -e "$$pack" ] || continue; \
	    echo "$(BIN)/formwork packs import $$pack"; \
	    $(BIN)/formwork packs import "$$pack" || exit 1; \
	done
	$(BIN)/formwork demo-users
	$(BIN)/formwork serve --host $(HOST) --port $(PORT)

## test: the whole suite on SQLite, a fresh temporary database per test (never instance/)
test: install
	@env -u TEST_DATABASE_URL -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS) || { \
	    status=$$?; \
	    if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	    exit $$status; \
	}

## test-pg: the whole suite on a throw-away PostgreSQL server
test-pg: install
	@env -u DATABASE_URL scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS) || { \
	    status=$$?; \
	    if [ $$status -eq 5 ]; then echo "make test-pg: pytest collected no tests" >&2; fi; \
	    exit $$status; \
	}

## lint: ruff's checks and formatting, then mypy over engine/ and web/ (pyproject.toml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## bench: the records benchmark (engine vs a hand-written model) on SQLite, then PostgreSQL;
## BENCH_ARGS="--records 2000" for a quick run
BENCH_ARGS ?=
.PHONY: bench
bench: install
	env -u DATABASE_URL $(BIN)/python benchmarks/records.py $(BENCH_ARGS)
	env -u DATABASE_URL scripts/with-postgres.sh $(BIN)/python benchmarks/records.py --postgres $(BENCH_ARGS)

## test-e2e: the browser tests (tests/e2e): Playwright driving Debian's Chromium
## (`apt-get install -y chromium`); screenshots land in tests/e2e/screenshots/
.PHONY: test-e2e
test-e2e: install
	@env -u TEST_DATABASE_URL -u DATABASE_URL $(BIN)/pytest tests/e2e $(PYTEST_ARGS) || { \
	    status=$$?; \
	    if [ $$status -eq 5 ]; then echo "make test-e2e: pytest collected no tests" >&2; fi; \
	    exit $$status; \
	}
