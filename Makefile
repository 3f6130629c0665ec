# Two commands for a new machine:  make run   and   make test
# (see README.md). Everything else here is what they are made of.

PORT ?= 5000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app minsheng_site
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
PLAN := plans/2023/plan.yaml
SIMULATE ?= 1
# Two test processes (the CI machine has 2 cores); a module's tests stay in one process,
# so a module-scoped site (a simulated year) is built once.
PYTEST_FLAGS ?= -n 2 --dist loadscope
# What mypy checks ([tool.mypy] in pyproject.toml has the settings): the site's four
# packages (not tests/ yet), each as -p (mypy takes packages or paths, not both);
# minsheng_site is the folder site/, reached through the symlink tools/mypy/minsheng_site.
MYPY_TARGETS := -p domain -p application -p projections -p minsheng_site

.PHONY: run serve test setup setup-dev system-packages run-packages assets translations translations-update lint bench clean

## make run: install, load the 2023 plan, serve on http://127.0.0.1:$(PORT)
run: setup run-packages
	$(FLASK) plan load $(PLAN)
	@if [ "$(SIMULATE)" = "1" ]; then $(FLASK) simulation load; \
	else echo "SIMULATE=0: no simulated year"; fi
	$(MAKE) --no-print-directory serve

# Serve what is loaded: 3 gunicorn sync workers (the Procfile's default) that count rate
# limits and keep built pages in one throwaway redis-server on a unix socket under
# instance/ (tools/with-redis), so every documented limit holds for all of them together.
# Measured on 2 cores (bench/README.md): 3 sync workers served a cached page at 728 req/s,
# 2 sync 687, 2 x 4 threads 310 (Python's threads share one core's worth of the GIL).
# GUNICORN_FLAGS adds options (the tests add an access log).
serve:
	PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) PROJECTOR_THREAD=1 DEV_OUTBOX=1 \
		tools/with-redis $${INSTANCE_PATH:-instance}/limits.sock \
		$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 3 $(GUNICORN_FLAGS) \
		'minsheng_site:create_app()'

## make test: install what the tests need (system packages too) and run the whole suite
test: system-packages setup-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(MYPY_TARGETS)
	$(BIN)/pytest $(PYTEST_FLAGS)

setup: $(VENV)/.installed assets translations

setup-dev: $(VENV)/.installed-dev assets translations

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@ $(VENV)/.installed

# htmx (and axe-core for the accessibility tests) come from the npm registry.
assets: static/vendor/htmx.min.js

static/vendor/htmx.min.js: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations --statistics

# Chromium for browser tests, PostgreSQL for the second store, Redis for rate limits,
# CJK fonts for screenshots, wrk for bench/. Skipped when already present.
system-packages:
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| ! command -v redis-server >/dev/null \
		|| ! command -v wrk >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q \
			chromium postgresql redis-server wrk fonts-noto-cjk; \
	fi

# What make run needs from the system: redis-server (the workers' shared limit counts).
run-packages:
	@if ! command -v redis-server >/dev/null; then \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q \
			redis-server; \
	fi

## make lint: ruff, the import contracts and mypy (part of make test)
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(MYPY_TARGETS)

## make bench: page and projection benchmarks (figures go in bench/README.md)
bench: system-packages setup-dev
	$(BIN)/python -m bench.pages --scale 1,10
	$(BIN)/python -m bench.search --scale 1,10
	$(BIN)/python -m bench.notifier
	$(BIN)/python -m bench.notifier --postgres
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.cases
	$(BIN)/python -m bench.photos
	$(BIN)/python -m bench.ratings
	$(BIN)/python -m bench.feeds
	$(BIN)/python -m bench.rebuild --postgres
	$(BIN)/python -m bench.rebuild --mix --postgres
	$(BIN)/python -m bench.soak
	$(BIN)/python -m bench.hostile

## make translations-update: extract interface strings, refresh catalogs
translations-update: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --no-wrap .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(BIN)/python tools/fill_traditional.py translations/zh_Hant/LC_MESSAGES/messages.po
	@echo 'Now translate the empty msgstr entries of translations/en/LC_MESSAGES/messages.po'

clean:
	rm -rf $(VENV) node_modules static/vendor
