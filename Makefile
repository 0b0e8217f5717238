# Two commands do everything on a fresh machine with python3, make and git:
#   make run   - set up, seed the demo portfolio, train the demo model, file the demo's current
#                budget cycle, serve on :8000
#   make test  - set up with the dev tools, then lint, type-check and test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000
BENCHES := $(patsubst bench/%.py,%,$(filter-out bench/__init__.py bench/common.py bench/%_adapter.py bench/%_driver.py,$(wildcard bench/*.py)))

.PHONY: install install-dev run test lint typecheck pytest bench lock clean

$(BIN)/python:
	@echo "== make: creating the virtual environment $(VENV) with $(PY)"
	$(PY) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	@echo "== make: installing wastescreen and its pinned dependencies (constraints.txt) into $(VENV)"
	$(PIP) -e .
	@# An editable install leaves src/ uncompiled; where PYTHONDONTWRITEBYTECODE is set, every
	@# command would compile ~100 modules again (0.1 s of each one-shot `wastescreen screen`).
	$(BIN)/python -m compileall -q src
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Each step does nothing when its work is done: a second `make run` only serves.
run: install
	@echo "== make run: writing the synthetic demo portfolio into var/ (skipped when it is there)"
	$(BIN)/wastescreen demo --if-empty
	@echo "== make run: training the demo risk model (skipped when one with these features is current)"
	$(BIN)/wastescreen train --if-missing
	@echo "== make run: filing the demo's current budget cycle (skipped when it has submissions)"
	$(BIN)/wastescreen demo cycle --if-empty
	@echo "== make run: serving http://$(HOST):$(PORT) (pages /ui, API docs /docs); Ctrl+C stops"
	$(BIN)/wastescreen serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: install-dev
	@for b in $(BENCHES); do echo "== bench $$b"; $(BIN)/python -m bench.$$b || exit 1; done

bench-%: install-dev
	$(BIN)/python -m bench.$(subst -,_,$*)

# Re-pin constraints.txt from a throw-away venv holding exactly the project and its dev tools.
lock:
	rm -rf /tmp/wastescreen-lock && $(PY) -m venv /tmp/wastescreen-lock
	/tmp/wastescreen-lock/bin/pip install --quiet '.[dev]'
	/tmp/wastescreen-lock/bin/pip freeze --exclude wastescreen | sort > constraints.txt

clean:
	rm -rf $(VENV) var build *.egg-info
