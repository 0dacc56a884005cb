# Two commands on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run test test-fast install install-dev migrate seed serve bench load clean vendor messages screenshots \
	backup restore system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the tests and the printed papers need, installed when missing (apt-get; as root, or through
# sudo without a password; otherwise the missing ones are named and the tests needing them are skipped, saying
# why): a real browser for the end-to-end tests (chromium and its driver, versions always match), and a
# spreadsheet application that prints the workbooks to PDF (LibreOffice Calc without its windows; Carlito has
# Calibri's metrics, the workbooks' font, so the pages break as in Excel) with poppler's pdfinfo, pdftotext and
# pdftoppm to read the PDF back (tests/reports/test_excel_print.py, docs/outputs.md#printing).
SYSTEM_PACKAGES := chromium chromium-driver libreoffice-calc-nogui fonts-crosextra-carlito poppler-utils
system-deps:
	@command -v dpkg-query >/dev/null 2>&1 || { echo "Không phải Debian: hãy tự cài $(SYSTEM_PACKAGES)."; exit 0; }; \
	missing=""; for package in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" || missing="$$missing $$package"; \
	done; \
	[ -n "$$missing" ] || exit 0; \
	if [ "$$(id -u)" = 0 ]; then as_root=""; \
	elif sudo -n true 2>/dev/null; then as_root="sudo -n"; \
	else echo "Thiếu gói Debian:$$missing (cài bằng: sudo apt-get install$$missing); các kiểm thử cần chúng sẽ bị bỏ qua."; exit 0; fi; \
	echo "== cài gói Debian:$$missing =="; \
	$$as_root apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$as_root apt-get install -y -qq$$missing >/dev/null

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py seed_demo

# The port of `make run` / `make serve`: `make run PORT=8001` when 8000 is taken (the message names the one used).
PORT ?= 8000
serve:
	@echo "Mở http://127.0.0.1:$(PORT)/ (dừng: Ctrl+C)"
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

run: seed serve

# A backup of the database into backups/ (PostgreSQL: pg_dump, custom format; SQLite: the online backup API), and
# its restore (asks before replacing everything): `make restore FILE=backups/....dump`. See docs/deployment.md#backup.
backup: install
	$(DEV_ENV) $(BIN)/python manage.py backup $(FILE)

restore: install
	@test -n "$(FILE)" || { echo "Hãy chỉ tệp sao lưu: make restore FILE=backups/<tệp>"; exit 2; }
	$(DEV_ENV) $(BIN)/python manage.py restore "$(FILE)"

# Layers first (import-linter: a backwards import between apps fails here), then lint, then the suite across
# PYTEST_WORKERS processes (pytest-xdist; each has its own test database). The tests sharing one Redis database
# are kept on one worker (xdist_group "redis", tests/conftest.py), hence --dist loadgroup.
PYTEST_WORKERS ?= 2
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadgroup

test: install-dev system-deps
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# The same less the tests marked slow (browser, races, migrations, schema fuzzing, Celery, the long ones):
# a few minutes, for the edit-test loop. `make test` (and CI) still run everything.
test-fast: install-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_XDIST) -m "not slow" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles test-output .pytest_cache

# Refresh the vendored front-end libraries from the npm registry (needs npm; `make run` does not).
vendor:
	npm ci --no-audit --no-fund
	mkdir -p static/vendor/chart.js
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
	   node_modules/chart.js/LICENSE.md static/vendor/chart.js/

# Benchmark on PostgreSQL against a synthetic province (see docs/benchmarks.md): in-process, and the reports
# through HTTP (a live gunicorn, less a small authenticated API answer). BENCH_ARGS="--households 20000" for a
# quick run, BENCH_ARGS="--only http" for the HTTP measurement alone, BENCH_ARGS="--province new" for the
# province after the 2025 reform (600,000 households, 100 communes under the province, its own database).
bench: install-dev
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# The load run (after `make bench` built the database): 50 clients for 60 s under gunicorn, an import committed
# halfway and the burst after it, report computations counted. Needs Redis; LOAD_ARGS="--celery" adds a worker.
load: install-dev
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

# Recompile the Vietnamese catalogue after editing locale/vi/LC_MESSAGES/django.po (needs gettext's msgfmt).
messages:
	msgfmt --check -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po

# Screenshots of the dashboard, worksheet, household page and import preview at 1366×900 and 390×844, taken by
# a browser test run into docs/screenshots, and the first page of each sheet of the annual package as LibreOffice
# prints it (print-*.png). Needs Debian's chromium, chromium-driver, LibreOffice and poppler (system-deps).
screenshots: install-dev system-deps
	SCREENSHOT_DIR=docs/screenshots REQUIRE_BROWSER=1 REQUIRE_LIBREOFFICE=1 $(BIN)/python -m pytest tests/e2e/test_screenshots.py
