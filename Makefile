# Two commands: `make run` and `make test`. Each sets up .venv from pyproject.toml when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-deps lint demo bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/mentorbot demo --if-empty --history
	$(BIN)/mentorbot serve

test: test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -q

# Everything `make test` installs, without running it (CI installs before faking the clock).
test-deps: $(TEST_STAMP) browser

# The admin page's browser test drives Debian's Chromium through Playwright (never a downloaded
# browser). Installed when we may (root with apt); otherwise that one test says it is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		>/dev/null 2>&1; } || echo "Chromium not installed: the admin page's browser test will be skipped."

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
