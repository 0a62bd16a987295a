# Set-up and everyday commands. Everything installs into .venv from PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PORT ?= 8000

.PHONY: install demo test bench bench-test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo and the benchmarks run locally on the repository's public development keys.
demo: export HUB_INSECURE_DEV_KEYS = true
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --port $(DEMO_PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: export HUB_INSECURE_DEV_KEYS = true
bench: $(STAMP)
	$(BIN)/python manage.py bench

# The benchmark groups at small sizes with their goals (left out of `make test`: slow).
bench-test: $(STAMP)
	$(BIN)/python -m pytest -m bench

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
