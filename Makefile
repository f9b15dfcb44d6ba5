# behaviortypes — the two commands: `make demo` and `make test`.
# Each creates .venv and installs the project into it when it is missing or pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: all install demo test test-fast lab notebooks bench clean help

help:
	@echo "make demo       set up, generate the demo study and run the whole pipeline (report PDF included)"
	@echo "make test       set up and run the test suite (slow statistical checks included)"
	@echo "make test-fast  the suite without tests marked slow"
	@echo "make lab        start JupyterLab on notebooks/"
	@echo "make bench      print speed and memory figures (bench/)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/behaviortypes demo

notebooks: $(STAMP)
	@for f in notebooks/[0-9]*.py; do if [ -e "$$f" ]; then $(BIN)/jupytext --quiet --sync "$$f" >/dev/null || exit 1; fi; done

test: $(STAMP) notebooks
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -p no:cacheprovider -p no:nbmake $(PYTEST_ARGS)

test-fast: $(STAMP) notebooks
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -p no:nbmake -m "not slow" $(PYTEST_ARGS)

lab: $(STAMP) notebooks
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python bench/discover.py
	$(BIN)/python bench/score.py
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/report_render.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
