# Course commands. Every target bootstraps .venv from requirements.txt first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
BENCH_STUDENTS ?= 40
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help venv release examples demo grade bench test test-fast lab clean

help:
	@echo "make demo     grade the bundled example submissions and print the score table"
	@echo "make grade    grade every submission under submitted/ on every core (GRADE_ARGS=--force ...)"
	@echo "make bench    sequential nbgrader against make grade on a synthetic class (BENCH_STUDENTS=40)"
	@echo "make test     run the whole test suite"
	@echo "make lab      JupyterLab on the course, with nbgrader's extensions"
	@echo "make release  regenerate release/ from source/ (then commit it)"
	@echo "make examples regenerate examples/submitted/ from examples/students.json"
	@echo "make clean    remove generated grading output (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@command -v bwrap >/dev/null || $(MAKE) --no-print-directory system-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	@touch $@

venv: $(STAMP)

# bubblewrap: the sandbox of the grading kernels (see README, "Grading safety").
system-packages:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq bubblewrap; }; \
	else \
		echo "Install bubblewrap (e.g. sudo apt-get install bubblewrap): grading refuses to run without its sandbox." >&2; \
	fi

release: $(STAMP)
	$(BIN)/python -c "from helpers.course import generate_release; print('generated', *generate_release())"

examples: release
	$(BIN)/python -m helpers.submissions

demo: release
	$(BIN)/python -m helpers.grading --demo

grade: $(STAMP)
	$(BIN)/python -m helpers.grading --jobs $(JOBS) $(GRADE_ARGS)

bench: $(STAMP)
	$(BIN)/python -m helpers.bench --students $(BENCH_STUDENTS) --jobs $(JOBS)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

clean:
	rm -rf autograded feedback submitted gradebook.db grades.csv reports test-artifacts .grading
