# The two commands: `make run` (install and start on embedded defaults) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench fuzz install clean postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/drafta serve

lint: $(STAMP)
	$(BIN)/ruff check service pipeline storage tests bench
	$(BIN)/ruff format --check service pipeline storage tests bench
	$(BIN)/mypy

test: lint postgres
	$(BIN)/python -m pytest -x -q

# The sql format's tests load their output into a PostgreSQL server they start and stop: its
# binaries are installed (as root, through apt) when no initdb is found.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

bench: $(STAMP)
	$(BIN)/python bench/engine.py

# The API fuzz test of `make test`, with many more examples per operation.
fuzz: $(STAMP)
	DRAFTA_FUZZ_EXAMPLES=$${DRAFTA_FUZZ_EXAMPLES:-200} $(BIN)/python -m pytest -q tests/test_hardening_fuzz.py

clean:
	rm -rf $(VENV) .drafta .pytest_cache .mypy_cache .ruff_cache
