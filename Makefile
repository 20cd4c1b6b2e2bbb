# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-local
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test migrate worker beat lint format schema bench clean

$(STAMP): requirements/base.txt requirements/local.txt requirements/production.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/local.txt
	@touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Threads, not processes: a task mostly waits on Africa's Talking, SMTP or PostgreSQL (README, Workers).
# On PostgreSQL the local settings pool connections: one per thread.
CELERY_CONCURRENCY ?= 16
worker: venv
	DB_POOL_MAX_SIZE=$${DB_POOL_MAX_SIZE:-$(CELERY_CONCURRENCY)} $(BIN)/celery -A config worker -Q celery,sms,email --pool threads --concurrency $(CELERY_CONCURRENCY) -l INFO

beat: venv
	$(BIN)/celery -A config beat -l INFO

lint: venv
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: venv
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
