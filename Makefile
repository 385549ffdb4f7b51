# Two commands: `make run` and `make test`. Everything else is for developers.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run run-federated test check bench bench-matching bench-notify bench-federation bench-federation-lookups bench-audit bench-field screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/commonground demo

run-federated: $(STAMP)
	$(BIN)/commonground demo --federated

test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/mypy --check-untyped-defs tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py $(BENCH_ARGS)

bench-matching: $(STAMP)
	$(BIN)/python benchmarks/bench_matching.py $(BENCH_ARGS)

bench-notify: $(STAMP)
	$(BIN)/python benchmarks/bench_notify.py $(BENCH_ARGS)

bench-federation: $(STAMP)
	$(BIN)/python benchmarks/bench_federation.py $(BENCH_ARGS)

bench-federation-lookups: $(STAMP)
	$(BIN)/python benchmarks/bench_federation_lookups.py $(BENCH_ARGS)

bench-audit: $(STAMP)
	$(BIN)/python benchmarks/bench_audit.py $(BENCH_ARGS)

bench-field: $(STAMP)
	$(BIN)/python benchmarks/bench_field.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info src/*.egg-info

screenshots: $(STAMP)
	COMMONGROUND_SCREENSHOTS=1 $(BIN)/pytest -q tests/functional/test_console_browser.py -k screenshots
