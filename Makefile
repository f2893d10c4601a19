# The two commands of the README: `make run` serves the app, `make test` runs the whole suite.
# Both set everything up on a machine with only Python 3.11+; SQLite and in-process Celery unless
# DATABASE_URL and CELERY_BROKER_URL say otherwise.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint format typecheck schema bench load backup restore-drill clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:8000

# The suite runs in TEST_WORKERS processes (pytest-xdist), each with its own test database and Redis databases.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The benchmark (bench/README.md): PostgreSQL and Redis as in CI, wrk for the load; results in bench/results/.
# Not part of `make test`: it seeds 100,000 and then 1,000,000 documents and takes about half an hour.
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null)
	$(PY) bench/run.py $(BENCH_ARGS)

# The load test (tests/load/) for longer than the suite's 60 s: 50 people at once for LOAD_SECONDS, on PostgreSQL and
# Redis as `make test` finds them (DATABASE_URL, CELERY_BROKER_URL); it prints the figures of each kind of request.
LOAD_SECONDS ?= 300

load: $(STAMP)
	LOAD_SECONDS=$(LOAD_SECONDS) $(PY) -m pytest tests/load -s -p no:cacheprovider $(PYTEST_ARGS)

# Back up the database and the stored files (README, "Backup and restore"); BACKUP=folder for the drill.
backup: $(STAMP)
	$(PY) manage.py backup

restore-drill: $(STAMP)
	$(PY) manage.py restore_drill $(BACKUP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMP)
	$(VENV)/bin/mypy .

schema: $(STAMP)
	DEBUG=true $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

clean:
	rm -rf $(VENV) db.sqlite3 .test-db.sqlite3 media .test-media staticfiles test-results bench/.media bench/.media-heavy
