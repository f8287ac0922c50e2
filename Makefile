# Two commands for a class: `make lab` opens the series, `make test` runs every check.
# Both create .venv and install the pinned versions when needed; a second run skips that.
PYTHON ?= python3
# VENV may live outside the checkout (e.g. `make test VENV=~/series-venv` on a read-only copy).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?= notebooks/[0-9]*.ipynb
PIP := $(BIN)/python -m pip --disable-pip-version-check
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# torch: PyPI's Linux wheels are CUDA builds (with their nvidia-* packages, several GB), so on
# Linux TORCH=cpu (the default) takes the CPU build from PyTorch's companion index TORCH_INDEX,
# the one environment.yml names. It is skipped when pip already finds torch's CPU build without
# the network (a wheelhouse in pip's find-links, as on this project's CI machines), so that an
# unreachable index never costs its retries. TORCH=cuda (or TORCH=pypi) takes PyPI's own build.
# macOS and Windows wheels on PyPI are CPU builds already: no extra index there.
TORCH ?= cpu
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
UNAME_S ?= $(shell uname -s 2>/dev/null)
TORCH_PIN := $(shell grep -m1 '^torch==' requirements-lock.txt)
ifeq ($(TORCH)-$(UNAME_S),cpu-Linux)
# Expanded when the install runs (the venv exists by then): "+cpu" when pip finds the CPU build
# of the pinned torch offline (--no-index keeps find-links), else nothing.
TORCH_LOCAL_CPU = $(shell $(PIP) install --dry-run --quiet --no-deps --no-index --ignore-installed \
	--report - '$(TORCH_PIN)' 2>/dev/null | grep -o '"version": *"[^"]*+cpu"')
TORCH_FLAGS = $(if $(TORCH_LOCAL_CPU),,--extra-index-url $(TORCH_INDEX))
TORCH_SAYS = $(if $(TORCH_FLAGS),the CPU build from $(TORCH_INDEX) (TORCH=cuda for PyPI's CUDA \
	build),the CPU build pip finds on this machine)
else ifeq ($(UNAME_S),Linux)
TORCH_SAYS = PyPI's build (TORCH=$(TORCH): the CUDA build on Linux, several GB)
else
TORCH_SAYS = PyPI's build (a CPU build on $(UNAME_S))
endif

# Where `make test` keeps Hypothesis's example database: outside the checkout, which may be
# read-only. Python writes no bytecode into it either (PYTHONDONTWRITEBYTECODE).
TEST_CACHE := $${XDG_CACHE_HOME:-$${HOME:-/tmp}/.cache}/cnn-rnn-series
TEST_ENV := env PYTHONDONTWRITEBYTECODE=1 HYPOTHESIS_STORAGE_DIRECTORY=$(TEST_CACHE)/hypothesis

# make lab: PORT (default: the first free one from 8888) and LAB_ARGS (more options for
# JupyterLab, e.g. --no-browser).
PORT ?=
LAB_ARGS ?=
FREE_PORT := import socket; print(next((p for p in range(8888, 9000) \
	if socket.socket().connect_ex(("127.0.0.1", p))), ""))

# make test-pythons: each version in its own venv, .venv-3.X (git-ignored).
PYTHONS ?= 3.11 3.12 3.13
# Shell: py= an interpreter that really runs as Python $$v: python$$v on PATH, else one of
# pyenv's installed versions (pyenv's shim fails for a version that is not active), else empty.
FIND_PYTHON = py=; for c in $$(command -v python$$v) \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python$$v 2>/dev/null); do \
	[ "$$("$$c" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$$v" ] \
	&& py=$$c && break; done
# reveal.js and friends for offline slides, from npm once (pins: NPM_PACKAGES in tools/slides.py).
SLIDES_ASSETS := build/slides-assets/.installed
# JupyterHub's proxy (configurable-http-proxy) from npm once, for the class-server test and bench.
HUB_PROXY := build/hub-proxy/node_modules/configurable-http-proxy/package.json
# Debian's headless Chromium for tests/browser, installed once with apt where we are root.
BROWSER_STAMP := $(VENV)/.browser
BROWSERS := /usr/lib/chromium/chromium-headless-shell /usr/bin/chromium-headless-shell \
	/usr/lib/chromium/chromium /usr/bin/chromium
# Where root may make a network namespace, tests run in one with loopback only: nothing
# (kernels and Chromium included) can reach the internet, so the run proves nothing downloads.
CAN_UNSHARE := $(shell [ "$$(id -u)" = 0 ] && command -v unshare >/dev/null \
	&& command -v ip >/dev/null && unshare -n true 2>/dev/null && echo yes)
ifeq ($(CAN_UNSHARE),yes)
OFFLINE := unshare -n -- sh -c 'ip link set lo up && exec "$$@"' sh
endif
PYTEST := $(TEST_ENV) $(OFFLINE) $(BIN)/python -m pytest -n auto --dist loadscope

.PHONY: setup browser lab present test test-pythons pythons lint execute figures slides student bench clean

setup: $(STAMP)

$(BIN)/python:
	@echo "Creating the virtual environment $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# pip shows each package and a progress bar (the first time takes minutes: torch is ~200 MB);
# a second run finds the stamp and installs nothing. On a read-only checkout the helpers
# package is installed from a temporary copy (an editable install writes into the tree).
$(STAMP): requirements-lock.txt pyproject.toml | $(BIN)/python
	$(eval TORCH_FLAGS := $(TORCH_FLAGS))
	@echo "Installing the pinned packages of requirements-lock.txt into $(VENV); torch: $(TORCH_SAYS)"
	$(PIP) install $(strip $(TORCH_FLAGS) -r requirements-lock.txt)
	@if [ -w . ]; then echo "Installing the helpers package (editable)" && \
		$(PIP) install -q --no-deps -e .; \
	else echo "Read-only checkout: installing the helpers package from a temporary copy" && \
		tmp=$$(mktemp -d) && cp -R pyproject.toml README.md helpers "$$tmp" && \
		chmod -R u+w "$$tmp" && $(PIP) install -q --no-deps "$$tmp"; \
		status=$$?; rm -rf "$$tmp"; exit $$status; fi
	@touch $(STAMP)

browser: $(BROWSER_STAMP)

# No root or no apt-get: nothing to do here; the browser tests then skip and say why
# (under CI=true they fail instead). A failed install is retried at the next run.
$(BROWSER_STAMP):
	@for b in $(BROWSERS); do [ -x $$b ] && exit 0; done; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && \
		if apt-cache policy chromium-headless-shell | grep -q 'Candidate: [0-9]'; \
		then pkg=chromium-headless-shell; else pkg=chromium; fi && \
		echo "installing Debian's $$pkg for the browser tests" && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkg \
		>/dev/null || { echo "could not install $$pkg: the browser tests will skip"; exit 0; }; \
	else echo "no Chromium, and no root with apt-get to install it: the browser tests will skip"; \
	fi
	@mkdir -p $(VENV) && for b in $(BROWSERS); do [ -x $$b ] && touch $@ && break; done; true

# JupyterLab's user settings for `make lab` and `make present`: a folder of the project's
# environment (the person's own ~/.jupyter is left alone). Each start writes the settings the
# project ships (jupyter/lab-settings.json: no news pop-up, no update check, projector font
# sizes) into it, keeping any value changed in JupyterLab since, and turns the slide deck on
# (`make present`) or off (`make lab`), as jupyterlab-slideshow remembers it across reloads.
LAB_SETTINGS ?= $(abspath $(VENV))/share/jupyter/lab/user-settings
# make present: NB=02 (a number, a name or a path; notebook 00 when not given).
PRESENT_NB = $(if $(filter file default,$(origin NB)),00,$(NB))

# JupyterLab on 127.0.0.1 only, with a fresh random token, opening notebook $(1) (a path, or
# what tools.present accepts); $(2): --deck starts the live slides; $(3): more URL parameters.
# The token travels in the environment (JUPYTER_TOKEN), never on a command line, where `ps`
# shows it to every user of the machine. The one URL printed is the one to open (JupyterLab's
# own log hides the token).
define START_LAB
	@nb=$$($(BIN)/python -m tools.present notebook '$(1)') && \
	$(BIN)/python -m tools.present settings '$(LAB_SETTINGS)' $(2) && \
	token=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(24))') && \
	port=$(PORT) && { [ -n "$$port" ] || port=$$($(BIN)/python -c '$(FREE_PORT)'); } && \
	{ [ -n "$$port" ] || { echo "no free port in 8888-8999: pass one, e.g. make $@ PORT=9123"; \
		exit 1; }; } && \
	echo "JupyterLab serves the series on this computer only. Open (Ctrl+C here stops it):" && \
	echo "    http://127.0.0.1:$$port/lab/tree/$$nb?token=$$token$(3)" && \
	export JUPYTER_TOKEN="$$token" JUPYTERLAB_SETTINGS_DIR='$(LAB_SETTINGS)' && \
	exec $(BIN)/jupyter lab "$$nb" --ServerApp.ip=127.0.0.1 \
		--ServerApp.port=$$port --ServerApp.port_retries=0 --ServerApp.root_dir=. \
		--ServerApp.log_level=WARN --LabApp.log_level=WARN $(ROOT_FLAG) $(LAB_ARGS)
endef

lab: $(STAMP)
	$(call START_LAB,notebooks/00_index.ipynb,,)

# Live slides (jupyterlab-slideshow) of one notebook, with working widgets: Space / Shift+Space
# step, arrows move between slides, Escape leaves the deck. `&reset` opens that notebook alone.
present: $(STAMP)
	$(call START_LAB,$(PRESENT_NB),--deck,&reset)

# Everything once (unit, browser, server and nbval tests), then every notebook a second time
# in a row under nbval: no state left behind, no nondeterminism.
test: $(STAMP) $(BROWSER_STAMP) $(SLIDES_ASSETS) $(HUB_PROXY)
	$(PYTEST)
	$(PYTEST) notebooks

# Which of PYTHONS this machine has (python3.X on PATH or under pyenv).
pythons:
	@for v in $(PYTHONS); do $(FIND_PYTHON); \
		if [ -n "$$py" ]; then echo "python$$v: $$py"; else echo "python$$v: not found"; fi; done

# `make test` under every Python of PYTHONS found here, each in .venv-3.X; then a summary.
test-pythons:
	@summary=; failed=; \
	for v in $(PYTHONS); do $(FIND_PYTHON); \
		if [ -z "$$py" ]; then echo "== python$$v: not found, skipped"; \
			summary="$$summary\n  python$$v: skipped (not found)"; continue; fi; \
		echo "== python$$v: $$py, in .venv-$$v"; \
		if $(MAKE) --no-print-directory test PYTHON="$$py" VENV=.venv-$$v; \
		then summary="$$summary\n  python$$v: passed ($$py)"; \
		else summary="$$summary\n  python$$v: FAILED ($$py; set-up or tests, see above)"; \
			failed="$$failed $$v"; fi; \
	done; \
	printf "make test-pythons:$$summary\n"; [ -z "$$failed" ]

lint: $(STAMP)
	$(BIN)/ruff check helpers tools tests bench notebooks
	$(BIN)/ruff format --check helpers tools tests bench notebooks
	$(BIN)/python -m tools.slides tag --check notebooks/*.ipynb

# Offline reveal.js decks in build/slides/ (open build/slides/index.html).
slides: $(STAMP) $(SLIDES_ASSETS)
	$(BIN)/python -m tools.slides build --out build/slides

# npm install once (stamp), outside the test's offline namespace; without npm the slides
# browser test skips (and fails under CI=true).
$(SLIDES_ASSETS): | $(STAMP)
	@if [ ! -w . ]; then echo "read-only checkout: no slide assets; the slides browser test will skip"; \
	elif command -v npm >/dev/null; then \
		$(BIN)/python -m tools.slides assets --prefix build/slides-assets \
		|| echo "could not install slide assets: the slides browser test will skip"; \
	else echo "no npm (Node.js): make slides cannot run; the slides browser test will skip"; fi

# configurable-http-proxy once, outside the tests' offline namespace; without npm the JupyterHub
# test skips and says why (and fails under CI=true).
$(HUB_PROXY): | $(STAMP)
	@if [ ! -w . ]; then echo "read-only checkout: no configurable-http-proxy; the JupyterHub test will skip"; \
	elif command -v npm >/dev/null; then \
		$(BIN)/python -m tools.classroom proxy \
		|| echo "could not install configurable-http-proxy: the JupyterHub test will skip"; \
	else echo "no npm (Node.js): the JupyterHub test will skip"; fi

# The student edition: every notebook with its answer cells emptied and outputs cleared.
student: $(STAMP)
	$(BIN)/python -m tools.student --out build/student

# Re-execute notebooks in place from fresh kernels (NB=notebooks/01_why_cnn.ipynb for one).
# A cell's printed text is kept as one output: when the kernel flushes mid-cell it arrives in
# pieces, which would change the committed file from one run to the next.
execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 \
		--NotebookExporter.preprocessors=nbconvert.preprocessors.CoalesceStreamsPreprocessor \
		$(NB)

# figures/*.png for the README and the static slides, drawn from the lessons' figure functions.
figures: $(STAMP)
	$(BIN)/python -m tools.figures

bench: $(STAMP) $(HUB_PROXY)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .venv-3.* build .pytest_cache
