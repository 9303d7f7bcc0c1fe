# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-pg test-browser lint check messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(TEST_STAMP)

## run: install, prepare the SQLite database and serve the forms at http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/vnform migrate
	$(BIN)/vnform serve

## test: install with test extras and run the whole suite
test: $(TEST_STAMP)
	$(BIN)/python -m pytest

## test-pg: the suite again, every database test on PostgreSQL (server: VNFORM_TEST_POSTGRES_URL,
## default the local one)
test-pg: $(TEST_STAMP)
	$(BIN)/python -m pytest --database=postgres

## test-browser: only the browser tests (Debian's Chromium: apt-get install -y chromium)
test-browser: $(TEST_STAMP)
	$(BIN)/python -m pytest -m browser

## lint: ruff over the code, tests and benchmarks
lint: $(TEST_STAMP)
	$(BIN)/ruff check vnform tests bench

## check: lint the form files in forms/
check: $(STAMP)
	$(BIN)/vnform check forms

## bench: benchmarks, each against a baseline run beside it; writes bench/RESULTS.md (BENCH_QUICK=1: small sizes)
bench: $(TEST_STAMP)
	@# The load client of the throughput benchmarks: wrk, from Debian's packages.
	@command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk \
		|| (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk)
	$(BIN)/python bench/run.py

## messages: extract interface strings and update the Vietnamese catalogue
messages: $(TEST_STAMP)
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output -w 100 -o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d vnform/locale -D messages --no-fuzzy-matching -w 100

clean:
	rm -rf $(VENV) var/*.sqlite3* .pytest_cache
