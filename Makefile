# BPO Portal. The README's two commands:
#   make run    set up, migrate, load the demo data and serve http://127.0.0.1:8000 (SQLite, tasks in-process) as
#               users see it: DEBUG off, the portal's own 404/403/500 pages, static files served by whitenoise
#   make dev    the same with Django's debug mode (debug pages, templates and static files straight from the tree)
#   make test   set up and run the test suite (honours DATABASE_URL and REDIS_URL when they are set)
# Both work on a fresh Debian machine with python3, python3-venv, node and npm. The installs are keyed on
# pyproject.toml and package-lock.json, so running either command again goes straight to the point.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ADDRESS ?= 127.0.0.1:8000
PYTEST_ARGS ?=

# Stamps record which pyproject.toml / package-lock.json the installed packages came from.
PYTHON_STAMP := $(VENV)/.installed-from-pyproject
NODE_STAMP := node_modules/.installed-from-lockfile

.PHONY: help install run dev test lint format worker beat

help:
	@echo "make run     set up, migrate, seed the demo and serve http://$(ADDRESS) as users see it (DEBUG off)"
	@echo "make dev     the same in Django's debug mode"
	@echo "make test    set up and run the tests (PYTEST_ARGS='-k seed' to pass arguments to pytest)"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make format  ruff format and the safe ruff fixes"
	@echo "make worker  a Celery worker (needs REDIS_URL)"
	@echo "make beat    the Celery beat scheduler (needs REDIS_URL)"

install: $(PYTHON_STAMP) $(NODE_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PYTHON_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

# npm ci empties node_modules first, so the stamp inside it goes with an outdated install.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Links in e-mails and the seed's "Open ..." line point at the address actually served, unless SITE_URL is set.
run dev: export SITE_URL ?= http://$(ADDRESS)
# The demo is served as users see it. Plain HTTP on a laptop: no HTTPS redirect, no secure-only cookies, no HSTS;
# the secret key is a fixed local one unless SECRET_KEY is set (never use `make run` as a production server).
run: export DEBUG = false
run: export SECRET_KEY ?= local-demo-only-not-a-secret
run: export SECURE_SSL_REDIRECT = false
run: export SESSION_COOKIE_SECURE = false
run: export CSRF_COOKIE_SECURE = false
run: export SECURE_HSTS_SECONDS = 0
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py runserver $(ADDRESS)

dev: export DEBUG = true
dev: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(ADDRESS)

# The suite runs on every core (pytest-xdist), each test file on one worker so its fixtures are built once.
test: install
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(PYTHON_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(PYTHON_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Without REDIS_URL tasks run inside the web process, and a worker would wait on a broker nobody sends to.
require-redis:
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run a worker or beat."; exit 1; }

worker: install require-redis
	$(PY) -m celery -A bpo_portal worker --loglevel=INFO

# The schedule's state file lives in the virtualenv, which git already ignores.
beat: install require-redis
	$(PY) -m celery -A bpo_portal beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

.PHONY: require-redis
