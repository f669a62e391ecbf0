# Two commands for a fresh clone:  make run  (install + train if needed + start everything)
#                                  make test (install + train if needed + the whole test suite)
SHELL := /bin/bash
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

# First-run progress: each long step prints a banner with what is still to come after it.
GOAL := $(or $(firstword $(MAKECMDGOALS)),run)
LEFT_run := then the chat widget bundle (npm), model training if needed (about a minute), starting the services
LEFT_test := then the chat widget bundle (npm), system packages, lint, model training if needed, the test suite (about 15 minutes)
LEFT = $(or $(LEFT_$(GOAL)),then $(GOAL))
PACKAGES := $(shell grep -c '==' constraints.txt)

.PHONY: run shell setup web-deps lint-deps system-packages train test test-quick lint format validate nlu-eval benchmarks scaled-up scaled-down scaled-backup scaled-restore clean

## run: install everything, train when needed, start account sandbox + actions + Rasa + web page
run: setup web-deps
	$(PY) -m devstack run

## shell: chat in the terminal (uses the running stack, or starts one)
shell: setup
	$(PY) -m devstack shell

setup: .venv/.installed

.venv/.installed: requirements.txt requirements-dev.txt constraints.txt
	@command -v python3.10 >/dev/null || { echo "Python 3.10 is required (pyenv: see .python-version)"; exit 1; }
	@echo "==> Installing $(PACKAGES) pinned Python packages into .venv (first run: a few minutes; $(LEFT))"
	@test -x $(PY) || python3.10 -m venv .venv
	@set -o pipefail; $(PY) -m pip install --disable-pip-version-check --progress-bar off \
		-r requirements-dev.txt -c constraints.txt 2>&1 | $(PY) devstack/progress.py pip $(PACKAGES)
	@$(PY) -m pip check >/dev/null || $(PY) -m pip check
	@touch $@

web-deps:
	@if [ -f web/package.json ]; then $(MAKE) -s -C web deps; fi


train: setup
	$(PY) -m devstack train

## test: the whole suite (validation, unit, NLU accuracy, conversations, running stack, channels,
##       browser, scaled mode). Installs the system packages it needs (root + apt) or stops with the
##       command to run; any skipped test fails the run.
test: setup web-deps system-packages lint train
	@echo "==> Running the whole test suite (about 15 minutes: it starts real servers, a browser and the scaled mode)"
	$(PY) -m pytest -q

## test-quick: everything except the browser and scaled-mode tests (deselected, so said in the summary)
test-quick: setup web-deps lint train
	$(PY) -m pytest -q -m "not browser and not scaled"

## system-packages: Chromium + driver + fonts, Redis, nginx, PostgreSQL (devstack/system_packages.py)
system-packages: setup
	$(PY) -m devstack.system_packages

## lint: one style for the whole tree (ruff format + ruff check; settings in pyproject.toml), and
##       textlint over every text the bot or the web page shows (lint/, docs/style.md), and the alert
##       rules (promtool from Debian's prometheus package: installed as root, else the command)
lint: setup lint-deps
	@echo "==> Checking the style (ruff)"
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
	@echo "==> Checking the Japanese texts (textlint: domain.yml, help sections, actions, SMS texts, channels, web page)"
	$(PY) -m lint
	@$(PY) -m devstack.system_packages prometheus
	promtool check rules deploy/monitoring/rules.yml

## lint-deps: textlint and its rules, pinned in lint/package-lock.json (node_modules is git-ignored)
lint-deps: lint/node_modules/.package-lock.json

lint/node_modules/.package-lock.json: lint/package.json lint/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 18 or newer) is required for textlint"; exit 1; }
	@echo "==> Installing textlint and its rules (pinned in lint/package-lock.json; seconds)"
	cd lint && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

## format: apply that style
format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

validate: setup
	$(PY) -m bot_server data validate

## nlu-eval: Rasa's reports and confusion matrices for both held-out sets, in results/nlu and results/nlu-blind
nlu-eval: train
	$(PY) -m bot_server test nlu --nlu tests/nlu/test_nlu.yml --model models/ocn-bot.tar.gz --out results/nlu
	$(PY) -m bot_server test nlu --nlu tests/nlu/blind --model models/ocn-bot.tar.gz --out results/nlu-blind
	@$(PY) benchmarks/nlu_eval_report.py results/nlu results/nlu-blind

## scaled-up / scaled-down: N Rasa servers + M action servers behind nginx, PostgreSQL + Redis
scaled-up: setup system-packages train
	$(PY) -m deploy.scaled up --rasa $(or $(N),2) --actions $(or $(M),1)

scaled-down:
	$(PY) -m deploy.scaled down

## scaled-backup / scaled-restore FILE=...: pg_dump / pg_restore of the tracker and console stores (deploy/README.md)
scaled-backup:
	$(PY) -m deploy.backup backup

scaled-restore:
	@test -n "$(FILE)" || { echo "usage: make scaled-restore FILE=var/scaled/backups/<UTC time>"; exit 2; }
	$(PY) -m deploy.backup restore "$(FILE)"

benchmarks: train
	$(PY) benchmarks/rest_latency.py

clean:
	rm -rf results var/logs
