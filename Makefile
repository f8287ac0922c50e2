# Two commands for a class: `make lab` opens the series, `make test` runs every check.
# Both create .venv and install the pinned versions when needed; a second run skips that.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?= notebooks/[0-9]*.ipynb
PIP := $(BIN)/python -m pip --disable-pip-version-check
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: setup lab test lint execute figures bench clean

setup: $(STAMP)

$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements-lock.txt
	$(PIP) install -q --no-deps -e .
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_index.ipynb --ServerApp.ip=127.0.0.1 \
		--ServerApp.root_dir=. \
		--IdentityProvider.token=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(24))') \
		$(ROOT_FLAG)

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadscope

lint: $(STAMP)
	$(BIN)/ruff check helpers tests bench
	$(BIN)/ruff format --check helpers tests bench

# Re-execute notebooks in place from fresh kernels (NB=notebooks/01_why_cnn.ipynb for one).
execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $(NB)

figures: $(STAMP)
	$(BIN)/python -m helpers.figures

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build .pytest_cache
