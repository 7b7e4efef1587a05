# The two commands of the README's quick start are `make run` and `make test`.
# Everything else here is what they need, installed from the project's own files.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Two test processes: the suite is mostly waiting on PostgreSQL, and this machine has two cores.
PYTEST_ARGS ?= -n 2

.PHONY: run test install messages browser lint fmt check-services clean lock

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installed with the lock file as constraints: the versions tested and audited (requirements.lock).
$(VENV)/.installed: pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

# Pin the newest versions pyproject.toml's ranges allow: a fresh environment, installed, frozen.
lock:
	rm -rf var/lock-env
	$(PYTHON) -m venv var/lock-env
	var/lock-env/bin/python -m pip install --quiet --upgrade pip
	var/lock-env/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' requirements.lock; var/lock-env/bin/python -m pip freeze --exclude-editable | grep -v '^#'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf var/lock-env
	@echo "requirements.lock updated; run make install and the tests before committing it."

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Translations are compiled from the committed .po files on every install; .mo files are not committed.
messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

install: $(VENV)/.installed node_modules/.installed messages

# Web, worker and scheduler on the embedded default (SQLite and a file-system broker in var/), with demo data.
run: install
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Herning kører på http://127.0.0.1:$(PORT)/  (stop med Ctrl+C)"
	@echo ""
	HERNING_PORT=$(PORT) $(VENV)/bin/honcho --procfile Procfile.dev start

# The browser tests (tests/e2e) drive Debian's Chromium, never a downloaded browser: install the
# package when it is missing (as root, or through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends chromium \
	  || { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends chromium; }; }

# The whole test suite, against PostgreSQL and Redis on 127.0.0.1 as in production.
test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The checks CI runs before the tests: the linter, the formatter (checking only) and the apps'
# import directions (docs/architecture.md). `make fmt` fixes what the first two can.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

fmt: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf var/ .pytest_cache
