# depeches: the two commands of the README are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck pytest clean eval browse bench bench-warc fault-trials
.PHONY: eval-broad fuzz check

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,browse]'
	touch $(STAMP)

demo: install
	$(BIN)/python -m crawler.demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# Two pytest workers (pytest-xdist), one per core: most of the e2e time is spent waiting on
# scrapy subprocesses, servers and timeouts. Each test file runs whole on one worker (module-scoped
# crawls run once), in collection order (the long e2e files first, the many short unit files
# fill in at the end). PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: lint typecheck pytest

# The edit loop: lint, types and the unit tests (no subprocess crawl, no PostgreSQL), < 1 min.
# Two workers too; test by test (--dist load): no unit file holds a costly module fixture.
check: lint typecheck
	$(BIN)/pytest -q -m "not e2e and not postgres" -p no:cacheprovider -n $(PYTEST_WORKERS)

# The kill -9 trials of docs/reliability.md with more seeds than CI runs (SQLite and PostgreSQL).
FAULT_TRIALS ?= 5
fault-trials: install
	DEPECHES_KILL_TRIALS=$(FAULT_TRIALS) $(BIN)/pytest tests/e2e/test_frontier_kill.py tests/e2e/test_pg_restart.py

# Speed figures (docs/performance.md) on the real pages of ../shared/corpus (read at run time):
# BENCH_ARGS="--pages 20000", "--db postgres", "--pages-from template" (the 15 kB template site).
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# WARC import against `scrapy crawl urls` on the same real pages: BENCH_WARC_ARGS="--records 200".
bench-warc: install
	$(BIN)/python bench/warc.py $(BENCH_WARC_ARGS)

# Every text rule timed at 1x and 10x hostile input, the worst growth per rule
# (docs/reliability.md): FUZZ_ARGS="--chars 2000" or "--only titles".
fuzz: install
	$(BIN)/python bench/fuzz.py $(FUZZ_ARGS)

# The SQLite archive in Datasette: BROWSE_DB=path (default: DATABASE_URL's file), BROWSE_PORT.
BROWSE_PORT ?= 8001
browse: install
	$(BIN)/python -m crawler.storage.browse --port $(BROWSE_PORT) $(BROWSE_DB)

eval: install
	$(BIN)/python ../shared/eval/run_project.py ../shared/corpus/dev --verbose

# The broad set (377 pages, 43 languages, nothing French): does a rule generalise? ~40 s.
eval-broad: install
	python3 ../shared/eval/run_project.py ../shared/corpus/broad --verbose

clean:
	rm -rf $(VENV) data/demo.sqlite3* .pytest_cache .mypy_cache .ruff_cache
