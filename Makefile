# ordersight — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9

export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := False
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install demo test test-fast lint dev bench bench-imports bench-recon bench-api db-stop clean

DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/snapshots dbt_project/tests -type f) \
	dbt_project/dbt_project.yml dbt_project/profiles.yml $(wildcard domain/*.py)
MANIFEST := dbt_project/target/manifest.json

install: $(STAMP) $(MANIFEST)

$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	@echo "==> parsing the dbt project"
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --vars "$$(../$(BIN)/python -m domain.dbt_vars)"

$(STAMP): pyproject.toml requirements.lock
	@echo "==> creating $(VENV) and installing the pinned stack (requirements.lock)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

demo: install
	$(BIN)/ordersight demo

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --basetemp=$(CURDIR)/.pytest-tmp

# the inner loop: no Postgres, no servers, about a minute
test-fast: install
	$(BIN)/python -m pytest -m unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	cd dbt_project && ../$(BIN)/sqlfluff lint models macros tests snapshots

dev: install
	$(BIN)/ordersight dev

bench: install
	$(BIN)/python bench/ingest

bench-imports: install
	$(BIN)/python bench/imports

bench-recon: install
	$(BIN)/python bench/reconciliation

bench-api: install
	$(BIN)/python bench/connectors

db-stop: install
	$(BIN)/ordersight db stop

clean:
	-$(BIN)/ordersight db stop
	rm -rf $(VENV) .ordersight dbt_project/target dbt_project/logs
