# cx-digest: two commands on a fresh machine: `make html` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PELICAN := $(BIN)/pelican
INPUTDIR := content
OUTPUTDIR := output
CONFFILE := pelicanconf.py
PUBLISHCONF := publishconf.py
PORT ?= 8000
N ?= 2000
BENCH_ARGS ?=

.PHONY: help html test serve publish bench screenshots lint format clean venv

help:
	@echo "make html         build the sample site into $(OUTPUTDIR)/ (sets up $(VENV) first)"
	@echo "make test         run the whole test suite (unit, integration, browser)"
	@echo "make serve        preview the site at http://127.0.0.1:$(PORT)/"
	@echo "make publish      production build with $(PUBLISHCONF) (absolute URLs, strict)"
	@echo "make bench        benchmarks (N=$(N) stories; e.g. make bench N=10000)"
	@echo "make screenshots  full-page screenshots into tests/artifacts/"
	@echo "make lint         ruff check + ruff format --check"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

html: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) --delete-output-directory

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

serve: html
	$(PELICAN) --listen --bind 127.0.0.1 --port $(PORT) $(OUTPUTDIR) -s $(CONFFILE)

publish: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF) --delete-output-directory

bench: venv
	$(BIN)/python bench/run.py --stories $(N) $(BENCH_ARGS)

screenshots: venv html
	CX_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -k screenshot $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(OUTPUTDIR) cache __pycache__ .pytest_cache tests/artifacts
