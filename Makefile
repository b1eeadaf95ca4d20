# Two commands on a fresh machine: `make run` and `make test` (see README.md).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export FLASK_APP := wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_MARKER := instance/.demo-loaded

.PHONY: run test install translations lint serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

translations: $(INSTALLED)
	$(BIN)/pybabel compile -d app/translations --statistics

run: install translations
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask taxonomy load
	@if [ ! -f $(DEMO_MARKER) ]; then $(BIN)/flask seed demo && touch $(DEMO_MARKER); fi
	@# Last before the server starts, after the demo's printed emails (console mail backend).
	@echo "Connexion de démonstration : claire.dubois@demo.catalyseurs.fr / catalyseur-demo"
	@echo "Plateforme : http://$(HOST):$(PORT)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The whole suite on SQLite; again on PostgreSQL (browser tests aside) when
# TEST_DATABASE_URL points at one.
test: install translations
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; \
		$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS); \
	fi

# The production server (docs/deploy.md): gunicorn, one worker per process, one process per
# port in PORTS (e.g. `make serve PORTS="5001 5002"`, behind nginx with ip_hash), reading the
# environment: FLASK_CONFIG (production unless set), SECRET_KEY, DATABASE_URL, REDIS_URL
# (required with several ports), SOCKETIO_ASYNC_MODE (gevent unless set; or threading).
PORTS ?= $(PORT)
serve: install translations
	@set -e; export FLASK_CONFIG="$${FLASK_CONFIG:-production}"; \
	set -- $(PORTS); \
	if [ $$# -gt 1 ] && [ -z "$$REDIS_URL" ]; then \
		echo "several ports share rooms through Redis: set REDIS_URL" >&2; exit 2; fi; \
	$(BIN)/flask db upgrade; \
	$(BIN)/flask taxonomy load; \
	pids=""; trap 'kill $$pids 2>/dev/null; wait' INT TERM EXIT; \
	for port in $(PORTS); do \
		PORT=$$port HOST=$(HOST) $(BIN)/gunicorn -c gunicorn.conf.py & pids="$$pids $$!"; \
	done; \
	wait

# Chat fan-out benchmark (docs/performance.md), e.g. `make bench BENCH_ARGS="--server gevent"`.
bench: install translations
	$(BIN)/python bench/chat_fanout.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
