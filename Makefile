# Set up and run Lookalike. `make run` for the site with the demo gallery, `make test` for the tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install run worker beat stack test lint format clean

$(BIN)/.installed: requirements.txt requirements-dev.txt requirements-face.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip "setuptools<81" wheel
	$(BIN)/pip install --quiet -r requirements-dev.txt
	# face_recognition asks for the `dlib` source package; dlib-bin (installed above) provides it.
	$(BIN)/pip install --quiet --no-deps -r requirements-face.txt
	touch $@

install: $(BIN)/.installed

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py sync_roles
	DJANGO_DEBUG=1 $(BIN)/python manage.py import_gallery demo/gallery
	DJANGO_DEBUG=1 $(BIN)/python manage.py build_index
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

worker: install
	$(BIN)/celery -A lookalike_site worker --loglevel INFO

beat: install
	mkdir -p var
	$(BIN)/celery -A lookalike_site beat --loglevel INFO --schedule var/celerybeat-schedule

# The production processes of the Procfile (gunicorn, a Celery worker, Celery beat) run by
# honcho, with production settings on loopback, against the local PostgreSQL and Redis unless
# DATABASE_URL, CELERY_BROKER_URL and REDIS_URL say otherwise. Plain HTTP: loopback only.
stack: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lookalike
stack: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0
stack: export REDIS_URL ?= redis://127.0.0.1:6379/1
stack: export DJANGO_ALLOWED_HOSTS ?= 127.0.0.1,localhost
stack: export DJANGO_HTTPS = 0
stack: export DJANGO_DEBUG =
stack: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')
stack: export LOOKALIKE_BIND ?= $(HOST)
stack: install
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py sync_roles
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py import_gallery demo/gallery
	$(BIN)/python manage.py build_index
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	DJANGO_SECRET_KEY=makemigrations-check $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var
