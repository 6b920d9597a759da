# recsys-workbench: two commands on a fresh machine.
#   make run   -> creates .venv if needed, installs the locked dependencies, serves the notebooks
#   make test  -> creates .venv if needed, runs linters, unit tests, every marimo notebook and nbmake
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
PORT   ?= 2718
HOST   ?= 127.0.0.1
MARIMO_FLAGS ?=
JUPYTER_FLAGS ?=
PYTEST_FLAGS ?=
# Tests run on both cores (pytest-xdist); XDIST= runs them in one process.
XDIST ?= -n 2
NOTEBOOKS := $(wildcard notebooks/index.py notebooks/[0-9]*.py)
JUPYTER   := $(wildcard notebooks/jupyter/*.ipynb)

.PHONY: help env run jupyterlab test browser lint unit notebooks nbmake bench data jupyter lock clean quiz spark-env

help:
	@echo "make run    - open the notebook workbench (marimo); prints the URL to open"
	@echo "make jupyterlab - the same chapters in JupyterLab"
	@echo "make test   - linters, unit tests, every notebook (marimo scripts + nbmake)"
	@echo "make bench  - speed benchmarks, printed as tables"
	@echo "make data   - regenerate the bundled sample data from the simulator"
	@echo "make jupyter- regenerate notebooks/jupyter/*.ipynb from the marimo sources"
	@echo "make lock   - re-resolve requirements.in into requirements.lock"

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.lock
	$(PY) -m pip install --no-deps -e .
	touch $(STAMP)

# A fresh access token per run (none with MARIMO_FLAGS=--no-token); the printed URL carries it
# and opens the chapter index.
# PREFILL=0 skips playing chapter 07 into the run cache in the background: first the settings it opens
# on, then every stop of every control (python -m workbench.sim.cache; about 2.5 min of both cores, niced)
PREFILL ?= 1

run: $(STAMP)
	@token=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(16))'); \
	case " $(MARIMO_FLAGS) " in \
	  *" --no-token "*) auth=""; query="";; \
	  *) auth="--token-password=$$token"; query="&access_token=$$token";; \
	esac; \
	echo "Open http://$(HOST):$(PORT)/?file=index.py$$query  (Ctrl+C to stop)"; \
	if [ "$(PREFILL)" != "0" ]; then (nice -n 10 $(PY) -m workbench.sim.cache > /dev/null 2>&1 &); fi; \
	exec $(BIN)/marimo edit notebooks --headless --host $(HOST) --port $(PORT) $$auth $(MARIMO_FLAGS)

# The Jupyter copies in JupyterLab, opened on their index (JupyterLab prints its own URL with its token).
jupyterlab: $(STAMP)
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=$(HOST) --ServerApp.root_dir=notebooks/jupyter \
		--LabApp.default_url=/lab/tree/index.ipynb $(JUPYTER_FLAGS)

test: $(STAMP) browser spark-env lint unit notebooks nbmake

# Debian's chromium (and a Korean font for the glossary) for tests/test_browser.py; Playwright drives
# this system browser and never downloads one. Without root or apt-get it says how, and the test skips.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then echo "browser test: using $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "browser test: installing Debian's chromium (apt-get install -y chromium fonts-nanum)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y chromium fonts-nanum \
		|| { apt-get update && apt-get install -y chromium fonts-nanum; } \
		|| echo "browser test: could not install chromium; tests/test_browser.py will be skipped"; \
	else echo "browser test: $(CHROMIUM) is missing and cannot be installed here (needs root and apt-get);" \
		"install it with 'sudo apt-get install chromium', otherwise tests/test_browser.py is skipped"; fi

# A Java runtime for the Spark backend (tests/spark, workbench.spark): Debian's headless JRE 17 when no
# java is found. Without root or apt-get it says how; tests/spark then skips with the same reason.
JDK := openjdk-17-jre-headless
spark-env:
	@if [ -n "$$JAVA_HOME" ] && [ -x "$$JAVA_HOME/bin/java" ] || command -v java >/dev/null 2>&1; then \
		echo "spark tests: using $$(java -version 2>&1 | head -n 1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "spark tests: no Java found, installing Debian's $(JDK) (apt-get install -y $(JDK))"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends $(JDK) \
		|| { apt-get update && apt-get install -y --no-install-recommends $(JDK); } \
		|| echo "spark tests: could not install $(JDK); tests/spark will be SKIPPED"; \
	else echo "spark tests: no Java runtime and cannot install one here (needs root and apt-get);" \
		"install it with 'sudo apt-get install $(JDK)', otherwise tests/spark is SKIPPED"; fi

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks notebooks
	@if [ -n "$(NOTEBOOKS)" ]; then $(BIN)/marimo check $(NOTEBOOKS); else echo "no marimo notebooks yet"; fi

unit: $(STAMP)
	$(BIN)/pytest -m "not notebooks" $(XDIST) --dist loadfile $(PYTEST_FLAGS)

notebooks: $(STAMP)
	$(BIN)/pytest -m notebooks tests/test_notebooks.py $(XDIST) $(PYTEST_FLAGS)

# Executes every Jupyter copy once (nbclient, as nbmake does) and fails on errors and on output
# JupyterLab cannot show; `pytest --nbmake notebooks/jupyter/NN_x.ipynb` still runs a single copy.
nbmake: $(STAMP)
	$(BIN)/pytest -m notebooks tests/test_jupyter_outputs.py -p no:randomly $(XDIST) $(PYTEST_FLAGS)

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# EASE beside Cornac BiVAE and BPR on bench_quality's split: the peers live in their own .venv-peers
# (the project with its locked dependencies + benchmarks/requirements-peers.txt), never in .venv.
# Needs an extracted MovieLens folder: make bench-peers MOVIELENS=/path/to/ml-100k
.PHONY: bench-peers
PEERS_VENV := .venv-peers
MOVIELENS ?=
$(PEERS_VENV)/.installed: requirements.lock pyproject.toml benchmarks/requirements-peers.txt
	test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install -c requirements.lock -e . -r benchmarks/requirements-peers.txt
	touch $@
bench-peers: $(PEERS_VENV)/.installed
	@test -n "$(MOVIELENS)" || { echo "bench-peers: pass the folder of an extracted MovieLens archive:" \
		"make bench-peers MOVIELENS=/path/to/ml-100k (it holds u.data)"; exit 2; }
	nice $(PEERS_VENV)/bin/python benchmarks/bench_peers.py --movielens $(MOVIELENS) $(PEERS_FLAGS)

data: $(STAMP)
	$(PY) -m workbench.sim.bundle data

jupyter: $(STAMP)
	$(PY) -m workbench.notebook_export

quiz: $(STAMP)
	$(BIN)/workbench quiz

lock:
	rm -rf /tmp/wb-lock && $(PYTHON) -m venv /tmp/wb-lock
	/tmp/wb-lock/bin/pip install --upgrade pip && /tmp/wb-lock/bin/pip install -r requirements.in
	/tmp/wb-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
