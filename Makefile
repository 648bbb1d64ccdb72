# callsift: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_CASE ?= demo-case

.PHONY: install demo test lint typecheck chromium bench soak clean messages screenshots

$(STAMP): pyproject.toml
	@# Debian splits venv out of python3; install it only when it is missing.
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { \
		echo "python3-venv is missing: installing it with apt-get"; \
		apt-get update -qq && apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_CASE)
	$(BIN)/callsift ingest demo/calls --case $(DEMO_CASE)
	$(BIN)/callsift process --case $(DEMO_CASE) --workers 2
	$(BIN)/callsift check --case $(DEMO_CASE)
	$(BIN)/callsift voices --case $(DEMO_CASE)
	$(BIN)/callsift status --case $(DEMO_CASE)
	@echo
	@echo '$$ callsift search "Буч*" --case $(DEMO_CASE)'
	@$(BIN)/callsift search "Буч*" --case $(DEMO_CASE) --limit 5
	@echo
	@echo 'To review the case in a browser:'
	@echo '  $(BIN)/callsift users add YOU --role admin --case $(DEMO_CASE)'
	@echo '  $(BIN)/callsift serve --case $(DEMO_CASE)    # then open http://127.0.0.1:8000/'

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks demo scripts
	$(BIN)/ruff check src tests benchmarks demo scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium (Playwright never downloads one).
# apt-get needs root, as CI has; elsewhere those tests are skipped without it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "chromium is missing: installing Debian's package with apt-get"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "could not install chromium: the browser tests will be skipped"; }

test: lint typecheck chromium
	$(BIN)/pytest

# After changing the web app's text: new messages into each language's catalogue.
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

# The README's screenshots, from the pages the browser tests visited (run make test first).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

bench: $(STAMP)
	$(BIN)/callsift bench demo/calls --workers 1 --workers 2

# Malformed media, kill -9, tampering, hostile archives and sheets, then a hostile
# load on a real server: the README's Reliability table (about 20 minutes on two cores).
soak: $(STAMP)
	$(BIN)/python benchmarks/reliability.py
	$(BIN)/python benchmarks/server_soak.py

clean:
	rm -rf $(VENV) $(DEMO_CASE) .pytest_cache .mypy_cache .ruff_cache
