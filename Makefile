# The two commands of the README:
#   make examples   set up and compile every example (check, then compile local and prod)
#   make test       set up everything (Python test deps incl. Airflow, node packages, dbt in
#                   .venv-dbt with the examples' dbt manifests) and run all tests
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

.PHONY: examples test setup setup-test setup-dbt dbt-manifests clean

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

setup: $(VENV)/.setup
setup-test: $(VENV)/.setup-test vscode-extension/node_modules/.package-lock.json
setup-dbt: $(DBT_VENV)/.setup
dbt-manifests: $(DBT_MANIFESTS)

examples: setup dbt-manifests
	@set -e; for ex in $(EXAMPLES); do \
	  echo "== $$ex"; \
	  (cd $$ex && ../../$(BIN)/pipec check && \
	   ../../$(BIN)/pipec compile --env local --out build && \
	   ../../$(BIN)/pipec compile --env prod --out build); \
	done

test: setup-test dbt-manifests
	cd vscode-extension && npm test
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(DBT_VENV) vscode-extension/node_modules examples/*/build examples/*/dbt/target examples/*/dbt/logs
