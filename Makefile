# govanalytics — two commands on a fresh machine with Python 3.11+ and pip:
#   make report   set up .venv, generate the sample city if missing, render the weekly report
#   make test     set up .venv and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := data/sample
SIZE   ?= default
PYTEST_ARGS ?=

.PHONY: setup system-deps sample report test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,db]'
	$(BIN)/python -m ipykernel install --sys-prefix --name govanalytics --display-name "govanalytics (Python)" >/dev/null
	touch $(STAMP)

# Debian packages (CJK fonts for charts and the memo, Chromium for the offline-page test).
# Best effort: without root or apt the work degrades with a warning instead of failing.
system-deps:
	@sh scripts/system-deps.sh

$(SAMPLE)/truth.json: | $(STAMP)
	$(BIN)/govanalytics synth --size $(SIZE) --seed 1 --out $(SAMPLE)

sample: $(SAMPLE)/truth.json

report: setup system-deps sample
	$(BIN)/govanalytics report weekly --data $(SAMPLE)

lint: setup
	$(BIN)/ruff check govanalytics tests bench
	$(BIN)/ruff format --check govanalytics tests bench

test: setup system-deps
	$(BIN)/ruff check govanalytics tests bench
	$(BIN)/mypy govanalytics
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Benchmarks, run by hand (minutes each; figures are ratios against a baseline in the same run).
BENCHES := data_scan health hotwords mobility services db
bench: setup
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) reports/20* .pytest_cache

# Offline bundle for a machine with no internet (government intranet): build it on a connected
# machine of the same Debian release and Python; offline-check installs it with the network cut.
.PHONY: bundle offline-check
bundle: setup
	$(BIN)/python scripts/bundle.py

offline-check: bundle
	sh scripts/offline-check.sh
