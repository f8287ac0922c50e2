# Two commands for a class: `make lab` opens the series, `make test` runs every check.
# Both create .venv and install the pinned versions when needed; a second run skips that.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?= notebooks/[0-9]*.ipynb
PIP := $(BIN)/python -m pip --disable-pip-version-check
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# reveal.js and friends for offline slides, from npm once (pins: NPM_PACKAGES in tools/slides.py).
SLIDES_ASSETS := build/slides-assets/.installed
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
PYTEST := $(OFFLINE) $(BIN)/python -m pytest -n auto --dist loadscope

.PHONY: setup browser lab test lint execute figures slides student bench clean

setup: $(STAMP)

$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements-lock.txt
	$(PIP) install -q --no-deps -e .
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

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_index.ipynb --ServerApp.ip=127.0.0.1 \
		--ServerApp.root_dir=. \
		--IdentityProvider.token=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(24))') \
		$(ROOT_FLAG)

# Everything once (unit, browser, server and nbval tests), then every notebook a second time
# in a row under nbval: no state left behind, no nondeterminism.
test: $(STAMP) $(BROWSER_STAMP) $(SLIDES_ASSETS)
	$(PYTEST)
	$(PYTEST) notebooks

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
	@if command -v npm >/dev/null; then \
		$(BIN)/python -m tools.slides assets --prefix build/slides-assets \
		|| echo "could not install slide assets: the slides browser test will skip"; \
	else echo "no npm (Node.js): make slides cannot run; the slides browser test will skip"; fi

# The student edition: every notebook with its answer cells emptied and outputs cleared.
student: $(STAMP)
	$(BIN)/python -m tools.student --out build/student

# Re-execute notebooks in place from fresh kernels (NB=notebooks/01_why_cnn.ipynb for one).
execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $(NB)

# figures/*.png for the README and the static slides, drawn from the lessons' figure functions.
figures: $(STAMP)
	$(BIN)/python -m tools.figures

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build .pytest_cache
