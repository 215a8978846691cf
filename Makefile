# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install dev translations i18n migrate demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

translations: install
	$(BIN)/pybabel compile --use-fuzzy --statistics -d translations

# extract the strings, merge them into both catalogs, and copy msgids into the English one
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o translations/messages.pot calendar_app
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(FLASK) translate fill-english

migrate: install
	$(FLASK) db upgrade

# loads the demo province once per database (the marker lives next to the SQLite file)
demo: migrate
	@if [ ! -f instance/.demo-loaded ] || [ -n "$$DATABASE_URL" ]; then \
		$(FLASK) demo && mkdir -p instance && touch instance/.demo-loaded; fi

run: translations demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: dev translations
	$(BIN)/python -m pytest -q

# the rules and the checked modules are stated in pyproject.toml
lint: dev
	$(BIN)/ruff check calendar_app tests bench
	$(BIN)/mypy

bench: dev translations
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/indicators.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
