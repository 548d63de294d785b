# The two commands of the README:
#   make run    create the environment, load the bundled sample and build the warehouse
#   make test   create the environment and run every test (pytest, which also builds dbt, + sqlfluff)
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint clean

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) on PATH (or: make PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/crmwh nightly

test: $(STAMP)
	$(BIN)/python -m pytest
	$(MAKE) lint

# The dbt templater opens the profile's DuckDB file while it compiles: lint against a
# scratch warehouse so a fresh clone (no ./warehouse yet) lints the same as a used one.
LINT_WAREHOUSE ?= target/lint-warehouse

lint: $(STAMP)
	mkdir -p $(LINT_WAREHOUSE)
	CRMWH_WAREHOUSE_DIR=$(LINT_WAREHOUSE) $(BIN)/sqlfluff lint models macros tests analyses

clean:
	rm -rf warehouse target logs
