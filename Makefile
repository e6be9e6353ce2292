# Comptoir — the commands a newcomer needs. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format bench bench-peer install install-dev clean lock messages examples

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(VENV)/.installed $@

# Front-end packages (htmx) from the npm registry, served locally by WhiteNoise.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed node_modules/.package-lock.json
install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

## run: install, migrate the SQLite database, load demo data when it is new, serve on :8000
## (another port: make run PORT=8080) with the approved-platform simulator on :8765
PORT ?= 8000
run: install
	$(BIN)/comptoir migrate --no-input -v 0
	$(BIN)/comptoir demo --if-empty --simulator
	$(BIN)/comptoir serve 127.0.0.1:$(PORT) --simulator

## test: install the dev dependencies and run the whole suite
test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

## examples: one Factur-X PDF and one UBL XML per case of the e-invoicing matrix, in examples/out/
examples: install-dev
	$(BIN)/python -m examples.facturx
	$(BIN)/python -m examples.cdar
	$(BIN)/python -m examples.ereporting

## bench-peer: the peer ERP alone (Tryton, SQLite); `make bench BENCH_ARGS=--peer` runs both
bench-peer:
	N_ORDERS=$${N_ORDERS:-200} ../shared/bench/peers/tryton/run

lock:
	uv pip compile pyproject.toml -o requirements.lock --python-version 3.11 -q
	uv pip compile pyproject.toml --extra dev -o requirements-dev.lock --python-version 3.11 -q

clean:
	rm -rf $(VENV) node_modules var/comptoir.sqlite3*

## messages: refresh the French catalogue from the code, then compile it (needs gettext)
messages: install-dev
	cd comptoir && ../$(BIN)/comptoir makemessages -l fr --no-obsolete --no-location -i "*/migrations/*"
	cd comptoir && ../$(BIN)/comptoir compilemessages -l fr
