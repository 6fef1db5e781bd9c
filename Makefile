# The two commands: `make demo` and `make test`. Both build .venv themselves.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export OPENBLAS_NUM_THREADS := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test lint typecheck layers bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first and pinned: unpinned it would pull several GB of CUDA wheels.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c requirements.lock -e '.[test]'
	touch $@

# The demo catalog, then the app on http://127.0.0.1:8000/ with demo logins at once: the catalog is
# embedded while it serves (videos join the feed as they are), then a short audit runs (Ctrl-C stops it).
DEMO_VIDEOS ?= 50000
demo: $(VENV)/.installed
	$(BIN)/safefeed catalog generate --videos $(DEMO_VIDEOS) --seed 0 --no-embed
	$(BIN)/safefeed demo

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# The import-linter contracts in pyproject.toml: packages as layers, FastAPI only in the API.
layers: $(VENV)/.installed
	$(BIN)/lint-imports

test: lint typecheck layers
	$(BIN)/pytest -n 2 --durations=15

# One table: each figure beside its floor or peer from the same run (~10 min on 2 cores).
# BENCH_ARGS=--full for the quoted sizes (1M items), --json for machine-readable rows.
bench: $(VENV)/.installed
	$(BIN)/python bench/summary.py $(BENCH_ARGS)

# Re-pin the whole dependency tree after changing pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip freeze --exclude-editable | grep -v '^safefeed' > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
