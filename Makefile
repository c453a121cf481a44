# The two commands that matter: `make run` (the shop with demo data) and `make test`.
PYTHON_VERSION := $(shell cat .python-version)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint format worker bench bench-checkout lighthouse e2e-deps clean

$(VENV)/.installed: requirements.txt
	@PYBIN=$$(command -v python$(PYTHON_VERSION) || pyenv prefix $(PYTHON_VERSION) 2>/dev/null | sed 's|$$|/bin/python|' || true); \
	if [ -z "$$PYBIN" ] || [ ! -x "$$PYBIN" ]; then PYBIN=$$(ls -d $$HOME/.pyenv/versions/$(PYTHON_VERSION)*/bin/python 2>/dev/null | tail -1); fi; \
	if [ -z "$$PYBIN" ]; then echo "Python $(PYTHON_VERSION) not found: install it (e.g. pyenv install $(PYTHON_VERSION))"; exit 1; fi; \
	test -x $(PY) || $$PYBIN -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# Local-only convenience: debug on and a generated secret key, written once.
.env:
	@printf 'DJANGO_DEBUG=true\nDJANGO_SECRET_KEY=%s\n' "$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env for local development (debug on, generated secret key)."

run: $(VENV)/.installed .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_promotions
	$(PY) manage.py seed_demo_orders
	$(PY) manage.py ensure_demo_admin
	@if [ -n "$$REDIS_URL$$CELERY_BROKER_URL" ]; then \
		echo "Starting a Celery worker and beat (REDIS_URL is set)"; \
		$(VENV)/bin/celery -A config worker --beat --loglevel INFO --concurrency 2 --schedule /tmp/shop-celerybeat & \
		trap 'kill %1 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:8000; \
	else \
		$(PY) manage.py runserver 127.0.0.1:8000; \
	fi

test: $(VENV)/.installed
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.installed .env
	$(VENV)/bin/celery -A config worker --beat --loglevel INFO --concurrency 2 --schedule /tmp/shop-celerybeat

# Load tests on loopback against PostgreSQL (BENCH_DATABASE_URL, default database shop_bench);
# not part of `make test`. BENCH_ARGS passes options, e.g. BENCH_ARGS="--reseed".
bench: $(VENV)/.installed
	$(PY) -m tests.perf.bench $(BENCH_ARGS)

bench-checkout: $(VENV)/.installed
	$(PY) -m tests.perf.checkout_load $(BENCH_ARGS)

# Lighthouse (npm, pinned) on home, a listing, a product and the checkout, mobile preset, against
# the shop served as in production; fails below 95 in any category. Not part of `make test`.
lighthouse: $(VENV)/.installed
	$(PY) -m tests.perf.lighthouse $(LIGHTHOUSE_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
