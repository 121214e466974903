# The two commands of the README:
#   make examples   set up and compile every example (check, then compile local and prod)
#   make test       set up everything (Python test deps incl. Airflow, node packages) and run all tests
#   make bench      the benchmark (bench/run.py): writes docs/performance.md; not part of `make test`
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLES := $(sort $(dir $(wildcard examples/*/pipec.toml)))

.PHONY: examples test bench setup setup-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.setup: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.setup-test: pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.setup $@

vscode-extension/node_modules/.package-lock.json: vscode-extension/package-lock.json
	cd vscode-extension && npm ci --no-audit --no-fund

setup: $(VENV)/.setup
setup-test: $(VENV)/.setup-test vscode-extension/node_modules/.package-lock.json

examples: setup
	@set -e; for ex in $(EXAMPLES); do \
	  echo "== $$ex"; \
	  (cd $$ex && ../../$(BIN)/pipec check && \
	   ../../$(BIN)/pipec compile --env local --out build && \
	   ../../$(BIN)/pipec compile --env prod --out build); \
	done

test: setup-test
	cd vscode-extension && npm test
	$(BIN)/python -m pytest -q

# Bench-only dependencies (dag-factory, matplotlib) go into the test venv here, never in `make test`.
bench: setup-test
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) vscode-extension/node_modules examples/*/build
