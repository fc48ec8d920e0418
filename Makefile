# nianbao: two commands (`make demo`, `make test`), then the pipeline verbs of the archive contract.
# Every target installs what it needs first; nothing here holds logic beyond calling the modules.

PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
DATA        ?= data
SOURCES     ?= sources.csv
PORT        ?= 8001
HOST        ?= 127.0.0.1
WORKERS     ?= 2
PUBLIC      ?=
NODES       ?= http://127.0.0.1:6800
SCHEDULER   ?= tcp://127.0.0.1:8786
MERGED      ?= $(DATA)/merged
BAG         ?= $(lastword $(sort $(wildcard $(DATA)/bundle/nianbao-raw-*)))
CRAWL_OPTS  ?=
SAMPLE_DIR  ?= build/sampleweb
SAMPLE_PORT ?= 8180
# full: the three template counties plus a gkmlpt county, a slow one, a blocked one, every
# document format and the crawl hazards; basic: the three counties only.
SAMPLE_PROFILE ?= full
DEMO_DATA   ?= build/demo-data
# The demo crawls loopback only, so a short delay keeps it polite to nobody but ourselves.
DEMO_CRAWL_OPTS ?= -s DOWNLOAD_DELAY=0.2
APT_PACKAGES := fonts-wqy-zenhei chromium libreoffice-writer-nogui
APT_STAMP   := $(VENV)/.apt-installed
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test lint format crawl extract serve check bundle verify-bundle rebuild cluster-crawl merge cluster-extract reliability bench bench-full clean

install: $(VENV)/.installed $(APT_STAMP)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

# Debian packages: a CJK font to embed in the sample PDFs, Chromium for the browser tests,
# LibreOffice to turn DOC/WPS reports into DOCX.
$(APT_STAMP): Makefile
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	mkdir -p $(VENV) && touch $@

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install lint
	$(VENV)/bin/pytest

crawl: install
	$(PY) -m crawler --sources $(SOURCES) --data $(DATA) $(CRAWL_OPTS)

extract: install
	$(PY) -m extract.batch --data $(DATA) --workers $(WORKERS)

serve: install
	$(PY) -m archive serve --data $(DATA) --host $(HOST) --port $(PORT) $(if $(PUBLIC),--public)

check: install
	$(PY) -m archive check --data $(DATA)

bundle: install
	$(PY) -m archive bundle --data $(DATA)

verify-bundle: install
	$(PY) -m archive verify-bundle $(BAG)

rebuild: install
	$(PY) -m archive rebuild --data $(DATA)

# Several machines: one crawl shard per Scrapyd node, merge the shards, extract on a Dask cluster.
cluster-crawl: install
	$(PY) -m crawler.scrapyd crawl --sources $(SOURCES) --data $(DATA) --nodes $(NODES) $(CRAWL_OPTS)

merge: install
	$(PY) -m archive.merge --out $(MERGED) $(wildcard $(DATA)/shards/[0-9]*)

cluster-extract: install
	$(PY) -m extract.cluster --data $(MERGED) --scheduler $(SCHEDULER)

# Crashes, hostile input and the public instance, with the table that proves nothing was lost.
reliability: install
	$(PY) -m reliability

# Start the bundled sample county sites, crawl them, extract, stop them, then serve the archive.
demo: install
	@set -e; \
	rm -f $(SAMPLE_DIR)/sources.csv; \
	$(PY) -m sampleweb serve --root $(SAMPLE_DIR) --port $(SAMPLE_PORT) --profile $(SAMPLE_PROFILE) \
	    --sources-out $(SAMPLE_DIR)/sources.csv --log $(SAMPLE_DIR)/requests.jsonl & web=$$!; \
	trap 'kill $$web 2>/dev/null || true' EXIT INT TERM; \
	for i in $$(seq 1 120); do [ -s $(SAMPLE_DIR)/sources.csv ] && break; sleep 0.5; done; \
	[ -s $(SAMPLE_DIR)/sources.csv ] || { echo "demo: the sample web did not start"; exit 1; }; \
	$(MAKE) --no-print-directory crawl SOURCES=$(SAMPLE_DIR)/sources.csv DATA=$(DEMO_DATA) \
	    CRAWL_OPTS="$(DEMO_CRAWL_OPTS)"; \
	kill $$web 2>/dev/null || true; \
	$(MAKE) --no-print-directory extract DATA=$(DEMO_DATA); \
	echo "demo: serving the archive at http://$(HOST):$(PORT)/ (Ctrl-C stops)"; \
	$(MAKE) --no-print-directory serve DATA=$(DEMO_DATA)

# Benchmarks print ratios against baselines measured in the same run (bench/README.md).
bench: install
	$(PY) -m bench all

bench-full: install
	$(PY) -m bench serve --full

clean:
	rm -rf build .pytest_cache .ruff_cache
