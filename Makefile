# Two commands do all set-up on a fresh machine with Python 3.11 and make:
#   make deck   creates .venv, installs the builder, builds every deck into dist/
#   make test   installs the test extras and runs ruff, mypy --strict and pytest

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOURCE ?= source_notes
MEDIA ?= media
OUT ?= dist
# Deck for files that name none (text, JSON and HTML dumps have no frontmatter).
DECK ?= AWS ML Specialty

.PHONY: deck check preview test lint typecheck pytest chromium fuzz golden bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

deck: $(VENV)/.installed
	$(BIN)/python -m builder build --source $(SOURCE) --media $(MEDIA) --out $(OUT) --deck "$(DECK)"

# Everything but writing packages (what the pre-commit hook runs).
check: $(VENV)/.installed
	$(BIN)/python -m builder check --source $(SOURCE) --media $(MEDIA) --out $(OUT) --deck "$(DECK)" --strict

# A static page of every card, front and back: dist/preview/index.html.
preview: $(VENV)/.installed
	$(BIN)/python -m builder preview --source $(SOURCE) --media $(MEDIA) --out $(OUT) --deck "$(DECK)"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check builder tests
	$(BIN)/ruff format --check builder tests

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy --strict

# The preview's browser test drives a headless Chromium (Debian's, or the Chrome a hosted CI
# runner has); it fails without one under CI.
chromium:
	@if { command -v chromium || command -v google-chrome || command -v google-chrome-stable \
		|| command -v chromium-browser; } >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the preview's browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	elif sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "no Chromium found and this is not root: run 'sudo apt-get install chromium'" \
			"or the preview's browser test is skipped (and fails under CI=true)"; \
	fi

pytest: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest

test: lint typecheck pytest

# The property and fuzz tests with many random examples instead of `make test`'s few fixed ones
# (FUZZ_FACTOR times as many; failures are remembered under $TMPDIR and replayed first).
# --runxfail: tests marked xfail for a known bug report what they find, known or new.
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz --runxfail $(PYTEST_ARGS)

# Rewrite the reader fixtures' expected output; review the diff before committing it.
golden: $(VENV)/.installed-test
	$(BIN)/python -m tests.golden

# Time full, no-op and one-file builds of synthetic 1k/10k/100k-card trees (never in `make test`).
bench: $(VENV)/.installed-test
	$(BIN)/python -m tests.bench $(SIZES)

clean:
	rm -rf $(VENV) $(OUT)/*.apkg $(OUT)/*.changelog.md $(OUT)/build-report.json $(OUT)/.cache
