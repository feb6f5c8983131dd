# Course commands: every target sets up .venv from requirements.txt first, after the Debian packages the course
# needs (scripts/system-packages.sh, once). The course's JupyterHub is deployed by hub/deploy.mk (hub/README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
BENCH_STUDENTS ?= 40
SCHEDULER ?=
COURSE := $(BIN)/course
IS_ROOT := $(filter 0,$(shell id -u))
HUB    := $(MAKE) --no-print-directory -f hub/deploy.mk
export PATH := $(abspath $(BIN)):$(PATH)

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
	@echo "make hub-env  (root) the course's JupyterHub environment in HUB_PREFIX=/opt/optimization-setup, once"
	@echo "make roster   (root) accounts, course folder, exchange and gradebook from HUB_ROSTER=roster.csv"
	@echo "make hub      (root) JupyterHub for the course on HUB_IP:HUB_PORT (hub/README.md)"

# system-packages is order-only: checked (in a few milliseconds) before the set-up, without making the venv stale.
$(STAMP): requirements.txt pyproject.toml | system-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	@touch $@

venv: $(STAMP)

system-packages:
	@scripts/system-packages.sh

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
test: $(STAMP)
	$(if $(IS_ROOT),@$(HUB) hub-env)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup --durations=25

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

clean:
	rm -rf autograded feedback submitted gradebook.db grades.csv grading-errors.csv reports test-artifacts .grading

hub-env roster hub:
	@$(HUB) $@
