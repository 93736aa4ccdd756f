# Forum project tasks.
#   make install   virtualenv + Python deps (+ system packages when missing, as root)
#   make messages  update the catalogues from the code (makemessages sv, en) and compile them
#   make lint      ruff (configured in pyproject.toml)
#   make run       dev server on http://127.0.0.1:8000 (embedded SQLite, no services)
#   make test      full suite against throwaway PostgreSQL/Redis/Celery/SMTP/Chromium
#   make bench     every benchmark (bench/run_all.py: registration burst, pages, tally, mail
#                  fan-out), one table at the end; BENCH_ARGS=--quick for a short trial
#                  (only pure tests selected: run without the services, e.g. PYTEST_ARGS=tests/test_tally.py)
# Override the interpreter with e.g. `make test PYTHON=python3` (skips the virtualenv).

SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= $(VENV)/bin/python
# The interpreter the virtualenv is made from: the distribution's Python 3.11 where there is one
# (Debian builds it with profile-guided optimisation: the portal then needs about a fifth less
# CPU per request than on a plain source build such as pyenv's; bench/README.md), else python3.
BASE_PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3)
PYTEST_ARGS ?=
STAMP := $(VENV)/.requirements-installed
# Variables that switch the app away from its embedded (SQLite) mode.
SERVICE_ENV := DATABASE_URL REDIS_URL EMAIL_HOST EMAIL_PORT SMTP_SINK_DIR
UNSET_SERVICE_ENV := env $(foreach v,$(SERVICE_ENV),-u $(v))

# makemessages' --ignore list, from pyproject.toml ([tool.forum]), shared with tests/test_translations.py.
MAKEMESSAGES_IGNORE = $(shell $(PYTHON) -c 'import tomllib; print(" ".join("--ignore=" + p for p in tomllib.load(open("pyproject.toml", "rb"))["tool"]["forum"]["makemessages-ignore"]))')

BENCH_ARGS ?=

.PHONY: install system-deps python-deps messages compilemessages lint run test bench
.DEFAULT_GOAL := install

install: system-deps python-deps

system-deps:
	@bash scripts/install-system-deps.sh

ifeq ($(PYTHON),$(VENV)/bin/python)
python-deps: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PYTHON) || $(BASE_PYTHON) -m venv $(VENV) || python3 -m venv --clear $(VENV)
	$(PYTHON) -m pip install -r requirements-dev.txt
	@touch $@
else
python-deps:
	@echo "Using PYTHON=$(PYTHON): skipping virtualenv setup."
endif

# Update the catalogues from the code and templates, then compile them.
messages: install
	$(PYTHON) manage.py makemessages -l sv -l en $(MAKEMESSAGES_IGNORE)
	@$(MAKE) --no-print-directory compilemessages PYTHON=$(PYTHON)

# Compile only (what run and test need): the committed catalogues are left as they are.
compilemessages: install
	@if [ -n "$$(find . -path ./$(VENV) -prune -o -path ./.git -prune -o -type d -name locale -print -quit)" ]; then \
		echo "$(PYTHON) manage.py compilemessages --ignore=$(VENV)"; \
		$(PYTHON) manage.py compilemessages --ignore=$(VENV); \
	else \
		echo "No locale/ directories: nothing to compile."; \
	fi

lint: install
	$(PYTHON) -m ruff check .

run: install compilemessages
	$(UNSET_SERVICE_ENV) $(PYTHON) manage.py migrate
	$(UNSET_SERVICE_ENV) $(PYTHON) manage.py seed_demo
	$(UNSET_SERVICE_ENV) $(PYTHON) manage.py runserver 127.0.0.1:8000

test: install compilemessages
	$(PYTHON) scripts/testenv.py -- $(PYTEST_ARGS)

bench: install compilemessages
	$(UNSET_SERVICE_ENV) $(PYTHON) bench/run_all.py $(BENCH_ARGS)
