# Two commands set up a fresh machine: `make run` and `make test` (see README.md).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The whole dependency tree, every package at an exact version (README, "Versions"); `make lock` writes it.
LOCK   := requirements.lock
UV_VERSION := 0.13.8
# Debian packages: Voikko (Finnish dictionary) for word checks; Chromium for the review page's
# browser test (driven by Playwright, which downloads no browser of its own here); poppler-utils for the
# memory benchmark's 450-page PDF (pdfunite).
APT_PACKAGES := libvoikko1 voikko-fi chromium poppler-utils

.PHONY: run test setup lock system-deps lint schema docs bench eval-real clean

run: setup
	$(VENV)/bin/agreements ingest --sources sources/sources.toml --output output/
	$(VENV)/bin/agreements export --format all --output output/

test: setup
	$(VENV)/bin/pytest

setup: system-deps $(STAMP)

# Installs with the lock as constraints, and again whenever pyproject.toml or the lock changes.
$(STAMP): pyproject.toml $(LOCK)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

# Resolves pyproject.toml's pins (with the dev and tools extras) into the lock for this venv's Python 3.11 and
# platform. Versions already locked are kept unless a pin asks otherwise; `make lock UV_FLAGS=--upgrade` takes
# the newest that the pins allow. Then `make setup` installs it.
lock:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra tools --python $(PY) \
	  --custom-compile-command "make lock" --quiet $(UV_FLAGS) -o $(LOCK)

# Installs the Debian packages when they are missing and we may (root + apt-get); otherwise says
# what is missing and goes on: the pipeline runs without Voikko and says so in its warnings.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: missing Debian packages:$$missing (Voikko: Finnish word checks; chromium: the browser test)"; fi; \
	fi

lint: setup
	$(VENV)/bin/ruff check pipeline schemas tests benchmarks

schema: setup
	$(VENV)/bin/agreements schema

# docs/commands.md: every command's --help (a test fails when it is stale).
docs: setup
	$(PY) tests/tools/synopsis.py

# Real third-party text (agency sections of the budget proposals) with hand-checked gold, read from
# ../shared/real when present (REAL=DIR to point elsewhere); never copied into the repository.
REAL ?= ../shared/real
eval-real: setup
	$(PY) tests/tools/eval_real.py --real $(REAL)

bench: setup
	$(PY) benchmarks/bench_extract.py
	$(PY) benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) .pytest_cache
	find output -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
