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

lint: $(STAMP)
	$(BIN)/sqlfluff lint models macros tests analyses

clean:
	rm -rf warehouse target logs
