# MyKey Points. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help prerequisites-run prerequisites-test install run test test-anyday lint format schema bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml package.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; else echo "npm not found: browser tests will lack axe-core"; fi
	@rm -f $(VENV)/.installed-*; touch $@

prerequisites-run: ## check what make run needs (Python 3.11+, npm), saying how to get what is missing
	@PYTHON=$(PYTHON) sh scripts/prerequisites.sh run

prerequisites-test: ## check what make test needs (and what it skips without PostgreSQL or Chromium)
	@PYTHON=$(PYTHON) sh scripts/prerequisites.sh test

install: $(STAMP) ## create .venv and install the project with its dev tools

run: prerequisites-run install ## migrate, load demo data (credentials: var/demo-credentials.json), serve on SQLite, print the URL
	$(BIN)/mykey demo seed --out var/demo-credentials.json
	$(BIN)/mykey serve

test: prerequisites-test install ## the whole suite, on SQLite and on PostgreSQL (REQUIRE_POSTGRES=1 makes PostgreSQL mandatory)
	$(BIN)/pytest

# 01:30 JST (16:30 UTC the day before) four months from today: the hour that caught a JST datetime
# reaching SQLite as text, on a date no test fixes
ANYDAY := $(shell date -u -d "+4 months" +%Y-%m-%d) 16:30:00
test-anyday: install ## the tests with server processes and a browser, under libfaketime at 01:30 JST months ahead
	FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$(ANYDAY)" $(BIN)/pytest -q \
		tests/browser tests/integration/api/test_live_updates.py tests/integration/web

lint: install ## ruff, ruff format --check, mypy --strict, import-linter (layering), the typed domain boundary
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -p no:cacheprovider tests/unit/test_domain_boundary.py

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: install ## export schema/schema.graphql from the code
	$(BIN)/python -c "from api.graphql import SCHEMA_FILE, schema_sdl; SCHEMA_FILE.write_text(schema_sdl())"

bench: install ## ledger, bulk-grant, voucher-redemption, settlement-close and portal-search benchmarks on PostgreSQL (uses wrk if installed)
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.vouchers
	$(BIN)/python -m bench.graphql_layer
	$(BIN)/python -m bench.settlement
	$(BIN)/python -m bench.portal

clean: ## remove the venv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
