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
# The course on a JupyterHub: see the section at the end and hub/README.md.
IS_ROOT      := $(filter 0,$(shell id -u))
HUB_PREFIX   ?= /opt/optimization-setup
HUB_STATE    ?= /var/lib/optimization-setup/hub
HUB_EXCHANGE ?= /srv/nbgrader/exchange
HUB_ROSTER   ?= roster.csv
HUB_IP       ?= 127.0.0.1
HUB_PORT     ?= 8000
HUB_PYTHON   := /usr/bin/python3
HUB_VENV     := $(HUB_PREFIX)/venv
HUB_STAMP    := $(HUB_PREFIX)/.installed
HUB_LAB_OVERRIDES := $(HUB_VENV)/share/jupyter/lab/settings/overrides.d
export HUB_PREFIX
HUB_FILES    := $(shell find helpers grader hub -type f -not -path '*/__pycache__/*' -not -name '*.pyc' \
                  -not -name '*.md' -not -name '*.csv' -not -name 'package*.json' 2>/dev/null)


.PHONY: help venv system-packages release examples demo grade feedback bench test test-fast lab clean hub-env roster hub

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
	@echo "make hub-env  (root) the course's JupyterHub environment in HUB_PREFIX=$(HUB_PREFIX), once"
	@echo "make roster   (root) accounts, course folder, exchange and gradebook from HUB_ROSTER=$(HUB_ROSTER)"
	@echo "make hub      (root) JupyterHub for the course on HUB_IP:HUB_PORT (hub/README.md)"

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
# python3-venv gives Debian's /usr/bin/python3 its venv module, for the hub's environment (make hub-env).
SYSTEM_PACKAGES := bubblewrap chromium postgresql python3-venv

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

# As root, the hub's environment is built (or brought up to date) before pytest starts, so no two test workers
# ever build it; as another user the hub tests skip and say why.
test: $(STAMP) $(if $(IS_ROOT),$(HUB_STAMP))
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

clean:
	rm -rf autograded feedback submitted gradebook.db grades.csv grading-errors.csv reports test-artifacts .grading

# --- The course on a JupyterHub (hub/README.md) -----------------------------------------------------------------
# Everything the hub's users run lives in HUB_PREFIX and is readable by every user: a venv made with Debian's
# /usr/bin/python3 (the `python3` on PATH may be pyenv's under /root, mode 0700, which no other user can run),
# holding requirements.txt, hub/requirements.txt and this project installed as a package (not editable: every user
# imports helpers and grader from site-packages, never from this checkout); configurable-http-proxy from npm
# (hub/package-lock.json); the hub's configuration (hub/jupyterhub_config.py, hub/jupyter/), the course's
# nbgrader_config.py (every user's nbgrader loads it: hub/jupyter/common/nbgrader_config.py) and JupyterLab's
# settings for everyone (hub/lab-settings/: no news or update checks). Three stamps: the venv is rebuilt when a
# requirements file changes, the proxy when the npm files change, the project and configuration (seconds) when
# nbgrader_config.py or a file of helpers/, grader/ or hub/ changes.
HUB_NEED_ROOT = @[ "$$(id -u)" = 0 ] || { echo "make hub-env and make hub run as root (sudo make ...): they write \
	$(HUB_PREFIX), and the hub runs each user's server as that user" >&2; exit 1; }

$(HUB_PREFIX)/.venv-installed: requirements.txt hub/requirements.txt | system-packages
	$(HUB_NEED_ROOT)
	@umask 022; test -x $(HUB_VENV)/bin/python || $(HUB_PYTHON) -m venv $(HUB_VENV)
	umask 022; $(HUB_VENV)/bin/python -m pip install --quiet --upgrade pip
	umask 022; $(HUB_VENV)/bin/python -m pip install --quiet -r requirements.txt -r hub/requirements.txt
	@touch $@

# Node.js >= 20.19 with npm comes with the machine (Debian 12's own nodejs is 18, too old for the proxy's ES modules).
NODE_NEW_ENOUGH := const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a == 20 && b >= 19) ? 0 : 1)
$(HUB_PREFIX)/.proxy-installed: hub/package.json hub/package-lock.json
	$(HUB_NEED_ROOT)
	@command -v npm >/dev/null && node -e '$(NODE_NEW_ENOUGH)' || { echo "make hub-env: configurable-http-proxy \
	needs Node.js >= 20.19 and npm (found: $$(node --version 2>/dev/null || echo no node), \
	$$(npm --version 2>/dev/null || echo no npm)); install them from nodejs.org or NodeSource" >&2; exit 1; }
	@umask 022; mkdir -p $(HUB_PREFIX) && cp hub/package.json hub/package-lock.json $(HUB_PREFIX)/
	umask 022; cd $(HUB_PREFIX) && npm ci --omit=dev --no-audit --no-fund --loglevel=error
	@touch $@

# pip builds from a copy, so the checkout gets no build/ folder; chmod a+rX: readable whatever umask pip kept.
$(HUB_STAMP): $(HUB_PREFIX)/.venv-installed $(HUB_PREFIX)/.proxy-installed pyproject.toml nbgrader_config.py \
		$(HUB_FILES)
	$(HUB_NEED_ROOT)
	@set -e; umask 022; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp -r pyproject.toml helpers grader "$$tmp"/; \
	$(HUB_VENV)/bin/python -m pip install --quiet --no-deps --no-cache-dir --force-reinstall "$$tmp"
	@umask 022; rm -rf $(HUB_PREFIX)/etc && mkdir -p $(HUB_PREFIX)/etc/course $(HUB_LAB_OVERRIDES) && \
	cp -r hub/jupyterhub_config.py hub/jupyter $(HUB_PREFIX)/etc/ && \
	cp nbgrader_config.py $(HUB_PREFIX)/etc/course/ && \
	cp hub/lab-settings/overrides.json $(HUB_LAB_OVERRIDES)/optimization-setup.json && chmod -R a+rX $(HUB_PREFIX)
	@touch $@
	@echo "hub environment ready in $(HUB_PREFIX)"

hub-env: $(HUB_STAMP)

# The class's accounts, course folder, exchange and gradebook from the roster (course roster, from the hub's
# environment: no .venv needed). ROSTER_ARGS=--dry-run prints the plan only.
roster: hub-env
	$(HUB_NEED_ROOT)
	$(HUB_VENV)/bin/course roster $(HUB_ROSTER) --exchange $(HUB_EXCHANGE) --source . $(ROSTER_ARGS)

# The hub for the course (root: PAM and one process per user). The roster says who may log in and who is the
# instructor; `course roster` creates the accounts, the course folder and the exchange first.
hub: hub-env
	$(HUB_NEED_ROOT)
	@test -f "$(HUB_ROSTER)" || { echo "make hub: no roster at $(HUB_ROSTER) (see hub/roster.example.csv; \
	then sudo make roster HUB_ROSTER=$(HUB_ROSTER))" >&2; exit 1; }
	HUB_STATE=$(HUB_STATE) HUB_EXCHANGE=$(HUB_EXCHANGE) HUB_ROSTER=$(abspath $(HUB_ROSTER)) HUB_IP=$(HUB_IP) \
	HUB_PORT=$(HUB_PORT) $(HUB_VENV)/bin/jupyterhub -f $(HUB_PREFIX)/etc/jupyterhub_config.py
