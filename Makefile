# Two commands: `make run` and `make test`. Each sets up .venv from pyproject.toml when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-deps lint demo bench clean browser playground playground-deps

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

# One worker per core: many tests wait on servers and sockets, so two cores run it in half.
test: test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n auto

# Everything `make test` installs, without running it (CI installs before faking the clock).
test-deps: $(TEST_STAMP) browser playground-deps

# The admin page's browser test drives Debian's Chromium through Playwright (never a downloaded
# browser). Installed when we may (root with apt); otherwise that one test says it is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		>/dev/null 2>&1; } || echo "Chromium not installed: the admin page's browser test will be skipped."

# Microsoft's offline Teams simulator (npm), for `make playground` and its end-to-end test.
# Installed into .e2e-cache/ when npm is here; otherwise that test says it is skipped.
PLAYGROUND_PKG := @microsoft/m365agentsplayground@0.2.28
PLAYGROUND_BIN := .e2e-cache/node_modules/.bin/agentsplayground
playground-deps:
	@[ -x $(PLAYGROUND_BIN) ] || { command -v npm >/dev/null 2>&1 \
		&& npm install --silent --no-audit --no-fund --prefix .e2e-cache $(PLAYGROUND_PKG) \
		>/dev/null 2>&1; } || echo "npm not available: the Teams playground test will be skipped."

# Try Teams locally: demo data in the playground's tenant (its users are employees, Alex Wilber
# an admin), the bot on :3978 and the playground on http://localhost:56150/.
playground: $(STAMP) playground-deps
	$(BIN)/mentorbot teams-playground
	TEAMS_ENABLED=true WEBCHAT_ENABLED=false ADMIN_EMAILS=alexw@example.com \
		$(BIN)/mentorbot serve --port 3978 & bot=$$!; trap "kill $$bot" EXIT INT TERM; \
		TEAMSAPPTESTER_BROWSER=none $(PLAYGROUND_BIN) -e http://127.0.0.1:3978/api/messages \
		-c msteams -p 56150 --disable-telemetry

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .e2e-cache
