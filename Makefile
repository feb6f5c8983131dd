# Course commands. Every target bootstraps .venv from requirements.txt first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help venv release examples demo test test-fast lab clean

help:
	@echo "make demo     grade the bundled example submissions and print the score table"
	@echo "make test     run the whole test suite"
	@echo "make lab      JupyterLab on the course, with nbgrader's extensions"
	@echo "make release  regenerate release/ from source/ (then commit it)"
	@echo "make examples regenerate examples/submitted/ from examples/students.json"
	@echo "make clean    remove generated grading output (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	@touch $@

venv: $(STAMP)

release: $(STAMP)
	$(BIN)/python -c "from helpers.course import generate_release; print('generated', *generate_release())"

examples: release
	$(BIN)/python -m helpers.submissions

demo: release
	$(BIN)/python -m helpers.grading --demo

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

clean:
	rm -rf autograded feedback submitted gradebook.db grades.csv reports test-artifacts
