# OpsDesk — `make run` serves the embedded site with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint messages screenshots bench drill clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
	bash scripts/os_deps.sh
	$(MAKE) -s messages

messages:
	cd $(CURDIR) && $(PY) manage.py compilemessages -l en --ignore=.venv -v 0

run: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo
	@echo "OpsDesk: http://$(HOST):$(PORT)/  (periodic work runs in-process; Ctrl-C stops both)"
	@trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py run_scheduler & sched=$$!; \
	  $(PY) manage.py runserver $(HOST):$(PORT) --noreload

test: $(VENV)/.installed
	E2E=1 bash scripts/os_deps.sh
	$(MAKE) -s messages
	bash scripts/test.sh $(ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

# The README tour: the journeys run with the demo history and save chosen pages to docs/screenshots/.
screenshots: $(VENV)/.installed
	E2E=1 bash scripts/os_deps.sh
	E2E_TOUR=1 E2E_DEMO_HISTORY=1 bash scripts/test.sh tests/e2e -k "journey" $(ARGS)
	if command -v pngquant >/dev/null; then pngquant --force --skip-if-larger --ext .png --quality 65-90 docs/screenshots/*.png || true; fi
	if command -v optipng >/dev/null; then optipng -quiet -o2 docs/screenshots/*.png; fi
	@du -ch docs/screenshots/*.png | tail -1

bench: setup
	BENCH=1 bash scripts/os_deps.sh
	$(PY) bench/run.py $(ARGS)

# Fault drills against the production stack on 127.0.0.1 (README "Fault drills"); not part of `make test`.
drill: setup
	$(PY) bench/drill.py $(ARGS)

clean:
	rm -rf var/db.sqlite3 var/staticfiles var/test-media
