# brainsim: `make run` serves the app, `make test` checks format and lint then runs every test,
# `make fuzz` runs thousands of generated bad inputs, `make bench` prints benchmarks. `make lint` fixes what ruff can.
# Each creates .venv on first use and install the exact pins; later calls reuse it.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
LINTED := brainsim tests benchmarks app.py

.PHONY: run test test-fast fuzz bench lint chromium clean

$(VENV)/.runtime-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements-cluster.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r requirements-cluster.txt
	touch $@

run: $(VENV)/.runtime-installed
	$(PY) -m streamlit run app.py --server.port $(PORT)

# The browser tests need a Chromium: Debian's package when we are root (Playwright cannot
# download its own browser here), Playwright's installer otherwise.
chromium: $(VENV)/.dev-installed
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
		echo "chromium: $$(command -v chromium || command -v chromium-browser)"; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		$(PY) -m playwright install chromium; \
	fi

test: $(VENV)/.dev-installed chromium
	$(PY) -m ruff format --check $(LINTED)
	$(PY) -m ruff check $(LINTED)
	$(PY) -m pytest -n 2 --dist loadgroup --timeout 600

# Everything except the real-browser tests, for a quick loop while editing.
test-fast: $(VENV)/.dev-installed
	$(PY) -m pytest -n 2 --dist loadgroup -m "not browser" --timeout 600

# The fuzz suite over thousands of generated cases (make test runs a fixed sample of 240 per channel);
# FUZZ_CASES sets how many per channel, FUZZ_SEED which ones.
FUZZ_CASES ?= 5000
FUZZ_SEED ?= 13
fuzz: $(VENV)/.dev-installed
	BRAINSIM_FUZZ_CASES=$(FUZZ_CASES) BRAINSIM_FUZZ_SEED=$(FUZZ_SEED) $(PY) -m pytest -q -n 2 tests/fuzz --timeout 3600

bench: $(VENV)/.dev-installed chromium
	$(PY) -m benchmarks

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix $(LINTED)
	$(PY) -m ruff format $(LINTED)

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache
