# The two commands: `make run` (install and start on embedded defaults) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench realworld fuzz install browser clean postgres

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

# The web app's tests drive a real Chromium: Debian's package (a browser download of
# Playwright's own needs the internet). Installed here when missing.
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

browser: $(CHROMIUM)

# The load tests start a throwaway PostgreSQL server (tests/postgres.py): install the server
# from the system's packages where it is missing.
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  ($(SUDO) apt-get update -q && \
	   $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql)

test: lint browser postgres
	DRAFTA_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -x -q

bench: $(STAMP)
	$(BIN)/python bench/engine.py

# Every real-world schema of ../shared/realworld imported and its rows checked (docs/importers.md).
realworld: $(STAMP)
	$(BIN)/python bench/realworld.py

# The API fuzz test of `make test`, with many more examples per operation.
fuzz: $(STAMP)
	DRAFTA_FUZZ_EXAMPLES=$${DRAFTA_FUZZ_EXAMPLES:-200} $(BIN)/python -m pytest -q tests/test_hardening_fuzz.py

clean:
	rm -rf $(VENV) .drafta .pytest_cache .mypy_cache .ruff_cache
