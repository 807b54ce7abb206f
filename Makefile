# Route Arbeid: `make run` starts the demo, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install assets run test rules-doc lint typecheck migrations-check openapi test-sqlite test-postgres messages bench clean

help:
	@echo "make run    install, migrate, load the demo region, start web server and task worker"
	@echo "make test   install and run the whole suite (lint, types, migrations, tests)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	@touch $@

src/routearbeid/core/static/vendor/.built: node_modules/.installed scripts/build-assets.mjs
	node scripts/build-assets.mjs
	@touch $@

assets: src/routearbeid/core/static/vendor/.built

install: .venv/.synced assets

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.tools >/dev/null

run: install messages
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_region --if-empty
	$(PY) manage.py schedule_daily_tasks
	@echo ""
	@echo "Route Arbeid runs at http://127.0.0.1:$(PORT)/ (stop with Ctrl+C)"
	@echo "Demo logins (password: demo): coordinator-a, mentor-a, coordinator-b, klantmanager, rmc, leerplicht, swv, routecoordinator, beheerder, fg"
	@echo "Youth report page: http://127.0.0.1:$(PORT)/melden/demo-jongere/  (two-step login: REQUIRE_2FA=true make run)"
	@echo ""
	@trap 'kill 0' EXIT; \
	$(PY) manage.py db_worker & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

rules-doc: install
	$(PY) scripts/rules_doc.py

lint: install
	.venv/bin/ruff check src manage.py
	.venv/bin/ruff format --check src manage.py

typecheck: install
	.venv/bin/mypy src

migrations-check: install
	DJANGO_SETTINGS_MODULE=routearbeid.config.settings.test $(PY) manage.py makemigrations --check --dry-run

# The OpenAPI document as /api/v1/openapi.yaml serves it: valid OpenAPI 3 (drf-spectacular's
# validator, warnings are errors) and 0 findings of the ADR ruleset (Spectral, .spectral.yaml).
openapi: install
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=routearbeid.config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml
	node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity=warn var/openapi.yaml

# The suite runs on every core (pytest-xdist; each worker has its own test database).
# TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install messages lint typecheck migrations-check openapi
	.venv/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Load benchmark (docs/performance.md): throwaway PostgreSQL on loopback, generated data,
# gunicorn + two task workers, locust headless; prints the table. Under 15 minutes at 100,000.
BENCH_CASES ?= 100000
BENCH_USERS ?= 16
bench: install messages
	BENCH_CASES=$(BENCH_CASES) BENCH_USERS=$(BENCH_USERS) bench/run.sh

clean:
	rm -rf .venv $(TOOLS) var node_modules src/routearbeid/core/static/vendor .pytest_cache .mypy_cache .ruff_cache .hypothesis
