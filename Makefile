# Set up and run Lookalike. `make run` for the site with the demo gallery, `make test` for the tests.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install run worker beat test lint format clean

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
