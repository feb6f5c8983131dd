# Course commands. Every target bootstraps .venv from requirements.txt first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
BENCH_STUDENTS ?= 40
SCHEDULER ?=
COURSE := $(BIN)/course
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help venv system-packages release examples demo grade feedback bench test test-fast lab clean

help:
	@echo "make demo     grade the bundled example submissions and print the score table"
	@echo "make grade    grade every new submission under submitted/ on every core (GRADE_ARGS=--force ...),"
	@echo "              or on a Dask cluster: make grade SCHEDULER=tcp://host:8786"
	@echo "make feedback write every graded submission's feedback again (after grading by hand)"
	@echo "make bench    sequential nbgrader against make grade on a synthetic class (BENCH_STUDENTS=40)"
	@echo "make test     run the whole test suite"
	@echo "make lab      JupyterLab on the course, with nbgrader's extensions"
	@echo "make release  regenerate release/ from source/ (then commit it)"
	@echo "make examples regenerate examples/submitted/ from examples/students.json"
	@echo "make clean    remove generated grading output (keeps .venv)"
	@echo "make system-packages  install the Debian packages the course needs (as root; every target checks them)"

# system-packages is order-only: checked (in a few milliseconds) before every target that needs the set-up,
# without making the venv stale.
$(STAMP): requirements.txt pyproject.toml | system-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	@touch $@

venv: $(STAMP)

# Debian packages the course needs, in one list (add more here): bubblewrap is the sandbox of the grading kernels
# (README, "Grading safety"), chromium the browser of the browser tests (tests/browser/conftest.py finds it, never
# installs it), postgresql the database server the PostgreSQL tests start on a private folder and port (the course
# itself needs only the client library, psycopg). The set-up installs the missing ones once, before anything
# runs: as root with apt-get (non-interactive; `apt-get update` only if the install fails), otherwise it says what
# to install and goes on.
SYSTEM_PACKAGES := bubblewrap chromium postgresql

system-packages:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
		if command -v dpkg-query >/dev/null; then \
			dpkg-query -W -f='$${db:Status-Abbrev}' "$$pkg" 2>/dev/null | grep -q '^ii' || missing="$$missing $$pkg"; \
		else \
			case "$$pkg" in bubblewrap) cmd=bwrap;; postgresql) cmd=pg_ctl;; *) cmd="$$pkg";; esac; \
			command -v "$$cmd" >/dev/null || missing="$$missing $$pkg"; \
		fi; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q --no-install-recommends $$missing || \
		{ apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; } || \
		{ echo "apt-get could not install:$$missing" >&2; exit 1; }; \
	else \
		echo "Missing system packages:$$missing. Install them once, then run make again:" >&2; \
		echo "    sudo apt-get install --no-install-recommends$$missing   (Debian, Ubuntu; elsewhere: the same)" >&2; \
		echo "  bubblewrap: grading refuses to run without its sandbox; chromium: the browser tests fail without it;" >&2; \
		echo "  postgresql: the PostgreSQL tests skip without it" >&2; \
		echo "  (or point CHROMIUM=/path/to/chrome at another Chromium or Chrome)." >&2; \
	fi

release: $(STAMP)
	$(COURSE) release

examples: release
	$(COURSE) examples

demo: release
	$(COURSE) demo

grade: $(STAMP)
	$(COURSE) grade $(if $(SCHEDULER),--scheduler $(SCHEDULER),--jobs $(JOBS)) $(GRADE_ARGS)

feedback: $(STAMP)
	$(COURSE) feedback $(if $(SCHEDULER),--scheduler $(SCHEDULER),--jobs $(JOBS))

bench: $(STAMP)
	$(COURSE) bench --students $(BENCH_STUDENTS) --jobs $(JOBS)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

clean:
	rm -rf autograded feedback submitted gradebook.db grades.csv grading-errors.csv reports test-artifacts .grading
