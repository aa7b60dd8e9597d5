# Two commands do all the set-up on a fresh machine:
#   make demo   JupyterLab on the quickstart notebook, backed by the local simulator
#   make test   the whole test suite (ruff, import contracts, types, the docs' strict build,
#               pytest: unit, contract, widget, browser, notebooks)
# Both create and reuse a virtualenv in .venv. While working, `make test-fast` runs the tests
# that need no browser, LiteLLM proxy, notebook kernel or soak, spread over the cores.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# LiteLLM's proxy, a real peer of the tests, lives in a virtualenv of its own: its pins must
# not decide the package's own dependencies.
LITELLM_VENV ?= .venv-litellm

.PHONY: demo test test-fast lint docs bench simulator clean

$(BIN)/.installed: pyproject.toml package.json package-lock.json $(wildcard js/*.js js/*.json js/*.css)
	npm ci --no-audit --no-fund --loglevel=error
	npm run build
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(LITELLM_VENV)/.installed: tests/requirements-litellm.txt
	$(PYTHON) -m venv $(LITELLM_VENV)
	$(LITELLM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LITELLM_VENV)/bin/python -m pip install --quiet -r tests/requirements-litellm.txt
	touch $@

# JupyterLab on loopback; the simulator is forced even when OPENAI_API_KEY is set.
demo: $(BIN)/.installed
	SORA_WIDGET_BACKEND=simulator $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 \
		$(if $(filter 0,$(shell id -u)),--allow-root) notebooks/01_quickstart.ipynb

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	npm run lint
	$(BIN)/mypy

# Everything but the browser tests on every core (pytest-xdist); the browser tests after, in one
# process as before: each worker would start its own JupyterLab and Chromium.
test: lint docs $(LITELLM_VENV)/.installed
	npm test
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not browser"
	$(BIN)/python -m pytest -m browser

# `--dist loadfile` keeps each file's tests in one worker, in order: module fixtures are
# shared, and nbval runs a notebook's cells one after the other in one kernel.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest tests --ignore=tests/browser -n auto --dist loadfile \
		-m "not browser and not litellm and not notebook and not soak"

# The documentation site (mkdocs.yml) into site/, built strictly so a broken link or docstring
# reference fails; `$(BIN)/mkdocs serve` shows the pages while writing them.
docs: $(BIN)/.installed
	$(BIN)/mkdocs build --strict --quiet --site-dir site

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_render.py
	$(BIN)/python benchmarks/bench_stitch.py
	$(BIN)/python benchmarks/bench_engine.py --load
	$(BIN)/python benchmarks/bench_state.py
	$(BIN)/python benchmarks/bench_widget.py
	$(BIN)/python benchmarks/bench_compare.py
	$(BIN)/python benchmarks/bench_class.py

simulator: $(BIN)/.installed
	$(BIN)/sora-widget simulator

clean:
	rm -rf $(VENV) $(LITELLM_VENV) .pytest_cache .ruff_cache site
