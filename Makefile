# Two commands: `make run` and `make test`. Everything else is for developers.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.run-installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run run-federated lock test check bench bench-matching bench-notify bench-federation bench-federation-lookups bench-audit bench-field bench-cpu bench-floor screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev,bench]'
	touch $(STAMP)

# `make run` installs exactly what requirements.lock pins, each package checked against its hash,
# and says what it is doing: the first install takes a few minutes.
$(RUN_STAMP): requirements.lock
	@echo "make run: first install into $(VENV): a few minutes; every package is checked against its hash"
	@test -x $(BIN)/python || { echo "make run: 1/4 creating $(VENV) with $(PY)"; $(PY) -m venv $(VENV); }
	@echo "make run: 2/4 upgrading pip"
	$(BIN)/pip install --upgrade --progress-bar on pip
	@echo "make run: 3/4 installing the $$(grep -c '==' requirements.lock) packages pinned in requirements.lock"
	$(BIN)/pip install --require-hashes --progress-bar on -r requirements.lock
	@echo "make run: 4/4 installing Common Ground itself (no further downloads)"
	$(BIN)/pip install --no-deps --no-build-isolation -e .
	@echo "make run: installed; starting the demonstration"
	touch $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/commonground demo

run-federated: $(RUN_STAMP)
	$(BIN)/commonground demo --federated

# Re-pin after changing dependencies in pyproject.toml (needs `uv`: pip install uv).
lock:
	uv pip compile pyproject.toml deploy/build-requirements.in --universal --python-version 3.11 \
		--generate-hashes --no-header --no-annotate -o requirements.lock

test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/mypy --check-untyped-defs tests

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/bench_sensitive_places.py
	$(BIN)/python benchmarks/bench_jurisdiction.py

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

bench-cpu: $(STAMP)
	$(BIN)/python benchmarks/bench_cpu.py $(BENCH_ARGS)

bench-floor: $(STAMP)
	$(BIN)/python benchmarks/bench_floor.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info src/*.egg-info

screenshots: $(STAMP)
	COMMONGROUND_SCREENSHOTS=1 $(BIN)/pytest -q tests/functional/test_console_screenshots.py
