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
# The Nu Html Checker (the W3C's validator) for the HTML validity tests:
# npm's vnu-jar, pinned; it runs on Java.
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu-$(VNU_VERSION)/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: help html test test-slow test-pelican serve devserver publish upload upload-check bench screenshots lint format clean venv vnu

help:
	@echo "make html         build the sample site into $(OUTPUTDIR)/ (sets up $(VENV) first)"
	@echo "make test         run the test suite (unit, integration, browser)"
	@echo "make test-slow    the long tests too: wheel in a fresh venv, other themes"
	@echo "make test-pelican Pelican's own test suite, as shipped and through the engine"
	@echo "make serve        preview the site at http://127.0.0.1:$(PORT)/"
	@echo "make devserver    build, serve on 127.0.0.1:$(PORT), rebuild what changed on every save"
	@echo "make publish      production build with $(PUBLISHCONF) (absolute URLs, strict), .gz/.br twins"
	@echo "make upload       publish, then sync $(OUTPUTDIR)/ to TARGET=user@host:/path or S3_BUCKET=s3://bucket"
	@echo "make bench        benchmarks (N=$(N) stories; e.g. make bench N=10000)"
	@echo "make screenshots  full-page screenshots and a print PDF into tests/artifacts/"
	@echo "make lint         ruff check + ruff format --check"

# Pelican's version (requirements.txt pins it): its sdist holds its test suite.
PELICAN_VERSION := $(shell sed -n 's/^pelican==//p' requirements.txt)
PELICAN_SDIST := $(VENV)/pelican-sdist/pelican-$(PELICAN_VERSION).tar.gz
SUITE_VENV := $(VENV)/pelican-suite
ENGINE := plugins/fastbuild

$(BIN)/.installed: requirements.txt requirements-dev.txt $(ENGINE)/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	# The build engine the digest enables, pelican-fastbuild, from this
	# checkout: editable, a .pth file pointing at $(ENGINE)/src.
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps \
	  --no-build-isolation --editable $(ENGINE)
	# Wheels of the pinned runtime dependencies, for the tests that install
	# the plugin's wheel into a fresh venv without network access.
	$(BIN)/python -m pip wheel --disable-pip-version-check -q -w $(VENV)/wheelhouse \
	  -r requirements.txt setuptools==80.9.0
	# Pelican's sdist, for its own test suite (make test-pelican), pinned.
	$(BIN)/python -m pip download --disable-pip-version-check -q --no-binary :all: \
	  --no-deps -d $(VENV)/pelican-sdist pelican==$(PELICAN_VERSION)
	touch $@

# A venv for Pelican's own test suite: Pelican and its test dependencies
# only, so that no installed plugin (the engine, pelican-sitemap) is found
# by Pelican's plugin discovery in the run "as shipped".
$(SUITE_VENV)/bin/.installed: $(BIN)/.installed $(ENGINE)/tests/pelican_suite/requirements.txt
	$(PYTHON) -m venv $(SUITE_VENV)
	$(SUITE_VENV)/bin/python -m pip install --disable-pip-version-check -q \
	  -r $(ENGINE)/tests/pelican_suite/requirements.txt
	touch $@

venv: $(BIN)/.installed

# Without npm the validity tests skip locally (CI installs npm and Java).
$(VNU_JAR):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix $(VENV)/vnu-$(VNU_VERSION) --no-save --no-audit --no-fund --loglevel=error \
	    vnu-jar@$(VNU_VERSION); \
	else echo "make: no npm here: the HTML validity tests will skip (CI installs npm)"; fi

vnu: venv $(VNU_JAR)

html: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) --delete-output-directory

# The suite runs in TEST_WORKERS processes (pytest-xdist); 1 runs it in one.
TEST_WORKERS ?= 2
test: venv vnu
	CX_VNU_JAR=$(abspath $(VNU_JAR)) $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The long tests (fresh venvs from the wheel, large builds); CI runs them too.
test-slow: venv vnu
	CX_VNU_JAR=$(abspath $(VNU_JAR)) $(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

# Pelican's own test suite from its sdist, twice: as shipped, then with every
# build going through pelican-fastbuild at 2 workers. Fails if the engine
# adds a failure (see plugins/fastbuild/README.md, "Tested with").
test-pelican: $(SUITE_VENV)/bin/.installed
	$(BIN)/python $(ENGINE)/tests/pelican_suite/run.py --python $(SUITE_VENV)/bin/python \
	  --sdist $(PELICAN_SDIST) --engine $(ENGINE)/src --workers 2

serve: html
	$(PELICAN) --listen --bind 127.0.0.1 --port $(PORT) $(OUTPUTDIR) -s $(CONFFILE)

# Build, serve on 127.0.0.1:$(PORT) and rebuild on every saved change
# (incremental: only what changed is rendered and written).
devserver: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) --autoreload --listen --bind 127.0.0.1 --port $(PORT)

publish: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF) --delete-output-directory
	$(BIN)/python tools/compress.py $(OUTPUTDIR)

# make upload TARGET=user@host:/var/www/cx   (rsync over SSH)
# make upload S3_BUCKET=s3://bucket [S3_ENDPOINT=https://...]   (AWS CLI)
TARGET ?=
S3_BUCKET ?=
S3_ENDPOINT ?=
SSH_PORT ?= 22
RSYNC_FLAGS ?= -rlptz --checksum --delete --human-readable --itemize-changes
AWS ?= aws

upload-check:
	@if [ -z "$(TARGET)" ] && [ -z "$(S3_BUCKET)" ]; then \
	  echo "make upload: say where to: TARGET=user@host:/var/www/cx (rsync over SSH)" >&2; \
	  echo "             or S3_BUCKET=s3://bucket (aws s3 sync; S3_ENDPOINT for other S3 hosts)" >&2; \
	  exit 2; \
	fi
	@if [ -n "$(TARGET)" ] && [ -n "$(S3_BUCKET)" ]; then \
	  echo "make upload: give TARGET or S3_BUCKET, not both" >&2; exit 2; \
	fi

upload: upload-check publish
ifneq ($(TARGET),)
	rsync $(RSYNC_FLAGS) -e "ssh -p $(SSH_PORT)" $(OUTPUTDIR)/ $(TARGET)/
else
	$(AWS) s3 sync $(OUTPUTDIR)/ $(S3_BUCKET) --delete --exclude "*.gz" --exclude "*.br" \
	  $(if $(S3_ENDPOINT),--endpoint-url $(S3_ENDPOINT))
	$(AWS) s3 cp $(OUTPUTDIR)/ $(S3_BUCKET) --recursive --exclude "*" \
	  --include "*.atom.xml" --content-type "application/atom+xml; charset=utf-8" \
	  $(if $(S3_ENDPOINT),--endpoint-url $(S3_ENDPOINT))
	$(AWS) s3 cp $(OUTPUTDIR)/ $(S3_BUCKET) --recursive --exclude "*" \
	  --include "*.rss.xml" --content-type "application/rss+xml; charset=utf-8" \
	  $(if $(S3_ENDPOINT),--endpoint-url $(S3_ENDPOINT))
	$(AWS) s3 cp $(OUTPUTDIR)/ $(S3_BUCKET) --recursive --exclude "*" \
	  --include "feeds/*.json" --content-type "application/feed+json; charset=utf-8" \
	  $(if $(S3_ENDPOINT),--endpoint-url $(S3_ENDPOINT))
endif

bench: venv
	$(BIN)/python bench/run.py --stories $(N) $(BENCH_ARGS)

# The tests build the sample site themselves; pictures land in tests/artifacts/.
screenshots: venv
	CX_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -k "screenshot or print" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(OUTPUTDIR) cache __pycache__ .pytest_cache tests/artifacts
