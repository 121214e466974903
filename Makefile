# The two commands of the README:
#   make examples   set up and compile every example (check, then compile local and prod)
#   make test       set up everything (Python test deps incl. Airflow, node packages,
#                   Docker, dbt in .venv-dbt with the examples' dbt manifests) and run all tests
#   make bench      the benchmark (bench/run.py): writes docs/performance.md; not part of `make test`
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLES := $(sort $(dir $(wildcard examples/*/pipec.toml)))
# dbt lives in its own venv: its pins clash with Airflow's. `dbt parse` writes the
# manifest.json that the examples' `dbt` blocks read (never committed).
DBT_VENV := .venv-dbt
DBT_PINS := dbt-core==1.11.16 dbt-duckdb==1.11.1
DBT_PROJECTS := $(patsubst %/dbt_project.yml,%,$(wildcard examples/*/dbt/dbt_project.yml))
DBT_MANIFESTS := $(addsuffix /target/manifest.json,$(DBT_PROJECTS))
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

# The oldest supported Airflow line, with the oldest provider releases that work
# on it (older cncf-kubernetes lacks automount_service_account_token, older smtp
# does not install beside 3.0). tests/codegen/test_airflow_lines.py runs the
# Airflow-facing suites in this venv; the newest line (3.3) is $(VENV) itself.
AIRFLOW30 := .venv-airflow30
AIRFLOW30_PINS := apache-airflow==3.0.6 \
  apache-airflow-providers-cncf-kubernetes==10.5.0 \
  apache-airflow-providers-docker==4.3.0 \
  apache-airflow-providers-smtp==2.0.2 \
  apache-airflow-providers-standard==0.4.0 \
  pytest==9.2.0 hypothesis==6.170.15 black==26.10.1 kubernetes-validate==1.37.0

.PHONY: examples test bench setup setup-test setup-airflow30 setup-dbt dbt-manifests bench-dbt bench-dbt-modes bench-dbt-count system-deps clean

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

$(DBT_VENV)/.setup:
	$(PYTHON) -m venv $(DBT_VENV)
	$(DBT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DBT_VENV)/bin/python -m pip install --quiet $(DBT_PINS)
	touch $@

# one manifest per dbt project, written again when any of its files changes
.SECONDEXPANSION:
$(DBT_MANIFESTS): %/target/manifest.json: $(DBT_VENV)/.setup $$(shell find $$* -type f -not -path '$$*/target/*' -not -path '$$*/logs/*')
	cd $* && $(CURDIR)/$(DBT_VENV)/bin/dbt parse --quiet --no-partial-parse --profiles-dir . --project-dir . --log-path target/logs

$(AIRFLOW30)/.setup: pyproject.toml setup.py Makefile
	$(PYTHON) -m venv $(AIRFLOW30)
	$(AIRFLOW30)/bin/python -m pip install --quiet --upgrade pip
	$(AIRFLOW30)/bin/python -m pip install --quiet -e . $(AIRFLOW30_PINS)
	touch $@

# The real-run tests (tests/runs) need a Docker daemon and a static busybox for
# the runner images they build; they start dockerd themselves (as root).
system-deps:
	@dpkg -s docker.io busybox-static >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static; }

setup: $(VENV)/.setup
setup-test: $(VENV)/.setup-test vscode-extension/node_modules/.package-lock.json
setup-airflow30: $(AIRFLOW30)/.setup
setup-dbt: $(DBT_VENV)/.setup

# Cosmos, for bench/dbt only: its own venv beside pipec's (the same Airflow)
COSMOS_VENV := .venv-bench-cosmos
COSMOS_PINS := apache-airflow==3.3.2 apache-airflow-providers-cncf-kubernetes==10.25.0 astronomer-cosmos==1.15.1

$(COSMOS_VENV)/.setup:
	$(PYTHON) -m venv $(COSMOS_VENV)
	$(COSMOS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COSMOS_VENV)/bin/python -m pip install --quiet $(COSMOS_PINS)
	touch $@

bench-dbt: $(VENV)/.setup-test $(COSMOS_VENV)/.setup
	$(BIN)/python bench/dbt/run.py --models 2000 --repeat 3

# The three pairings users meet, one after another (some 20 minutes), one JSON each in
# $(BENCH_DBT_MODES_OUT): tests after each model (bench-dbt's), one build task per node,
# and each tool's default (pipec's build against Cosmos' AFTER_EACH)
BENCH_DBT_MODES_OUT ?= /tmp/bench-modes
bench-dbt-modes: $(VENV)/.setup-test $(COSMOS_VENV)/.setup
	mkdir -p $(BENCH_DBT_MODES_OUT)
	$(BIN)/python bench/dbt/run.py --models 2000 --repeat 3 --pipec-mode run_then_test --cosmos-tests after_each --json $(BENCH_DBT_MODES_OUT)/tests_after_each.json
	$(BIN)/python bench/dbt/run.py --models 2000 --repeat 3 --pipec-mode build --cosmos-tests build --json $(BENCH_DBT_MODES_OUT)/build_per_node.json
	$(BIN)/python bench/dbt/run.py --models 2000 --repeat 3 --pipec-mode build --cosmos-tests after_each --json $(BENCH_DBT_MODES_OUT)/defaults.json

# The same comparison in instructions (valgrind and a C compiler with valgrind's headers)
bench-dbt-count: $(VENV)/.setup-test $(COSMOS_VENV)/.setup
	$(BIN)/python bench/dbt/count.py --models 2000

dbt-manifests: $(DBT_MANIFESTS)

examples: setup dbt-manifests
	@set -e; for ex in $(EXAMPLES); do \
	  echo "== $$ex"; \
	  (cd $$ex && ../../$(BIN)/pipec check && \
	   ../../$(BIN)/pipec compile --env local --out build && \
	   ../../$(BIN)/pipec compile --env prod --out build); \
	done

test: setup-test setup-airflow30 system-deps dbt-manifests
	cd vscode-extension && npm test
	$(BIN)/python -m pytest -q

# Bench-only dependencies (dag-factory, matplotlib) go into the test venv here, never in `make test`.
bench: setup-test
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(AIRFLOW30) $(DBT_VENV) $(COSMOS_VENV) vscode-extension/node_modules examples/*/build examples/*/dbt/target examples/*/dbt/logs
