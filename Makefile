# The README's two commands: `make demo` and `make test`. Everything else is a helper for those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PARTICIPANTS ?= 3000
SEED ?= 1
PG_URL ?= postgres://postgres@127.0.0.1:5432/egenmakt
export DEBUG ?= true

.PHONY: demo test lint typecheck browser test-sqlite test-postgres messages translations seed migrate clean

# The virtualenv is rebuilt whenever pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,prod]"
	touch $@

# Compiled translations are built, not committed.
messages: $(BIN)/.installed
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

# After changing a Swedish text: update the English catalogue, then translate the new entries.
translations: $(BIN)/.installed
	$(BIN)/python manage.py makemessages -l en --add-location=file --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests

migrate: $(BIN)/.installed messages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v 0

seed: migrate
	$(BIN)/python manage.py seed_demo --participants $(PARTICIPANTS) --seed $(SEED) --if-empty

demo: seed
	@$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check egenmakt bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy egenmakt bench

test-sqlite: $(BIN)/.installed messages
	env -u DATABASE_URL $(BIN)/pytest

# PostgreSQL: DATABASE_URL if it points to PostgreSQL, else the local server if it answers.
test-postgres: $(BIN)/.installed messages
	@url="$${DATABASE_URL:-}"; \
	if [[ "$$url" != postgres* ]]; then \
	  if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
	    url="$(PG_URL)"; \
	  else \
	    echo "PostgreSQL is not running on 127.0.0.1:5432 and DATABASE_URL is not set: PostgreSQL half skipped."; \
	    echo "Start it (see DEVELOPERS.md) to run the whole suite."; \
	    if [ -n "$${REQUIRE_POSTGRES:-}" ]; then exit 1; fi; exit 0; \
	  fi; \
	fi; \
	echo "Running the suite on PostgreSQL ($${url%%@*}@...)"; \
	DATABASE_URL="$$url" $(BIN)/pytest

# The browser tests drive Debian's chromium; nothing downloads a browser of its own.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }; \
	  else \
	    echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
	  fi; }

# The two database halves, lint and mypy run side by side (two at a time); each half's output is kept together.
# When PostgreSQL is there, the tests that run on one database only are shared between the halves
# (conftest.py); the check is test-postgres' own, by the system Python, as the venv may not exist yet.
test: browser
	@halves=sqlite; \
	if [[ "$${DATABASE_URL:-}" == postgres* ]] || \
	  $(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
	  halves=both; \
	fi; \
	EGENMAKT_SUITE_HALVES=$$halves $(MAKE) --no-print-directory -j2 --output-sync=target \
	  lint typecheck test-sqlite test-postgres

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache
