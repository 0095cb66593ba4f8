# firstcall: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
RASA_VENV := .venv-rasa
PY        := $(VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
export RASA_TELEMETRY_ENABLED := false
# make is for local runs: placeholder secrets are accepted only with an explicit development
# (or test) environment on loopback (api/config.py). A deployer sets FIRSTCALL_ENV themselves.
export FIRSTCALL_ENV ?= development
export TF_CPP_MIN_LOG_LEVEL := 2
BOT_ARGS  := --domain bot/domain.yml --data bot/data data/nlu --config bot/config.yml

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

# --- environments (idempotent: a stamp per environment, redone only when its inputs change)
$(VENV)/.installed: pyproject.toml
	@PY311=$$(command -v python3.11 || ls -d $$(pyenv root 2>/dev/null)/versions/3.11.*/bin/python3.11 2>/dev/null | tail -1); \
	if [ -z "$$PY311" ] || ! "$$PY311" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then \
	  echo "ERROR: the app needs Python 3.11 (python3.11 on PATH or pyenv install 3.11)"; exit 1; fi; \
	test -x $(PY) || "$$PY311" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel || { echo "ERROR: pip could not be upgraded in $(VENV): check network access to the package index"; exit 1; }
	$(PY) -m pip install -q -e '.[dev]' || { echo "ERROR: installing the app failed (see above). Fix it, then run make again."; exit 1; }
	@touch $@

$(RASA_VENV)/.installed: bot/requirements-rasa.txt
	@PY310=$$(scripts/find-python310.sh) || exit 1; \
	test -x $(RASA_VENV)/bin/python || "$$PY310" -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q --upgrade pip wheel
	$(RASA_VENV)/bin/python -m pip install -q -r bot/requirements-rasa.txt || { echo "ERROR: installing Rasa failed (see above). It needs ~3 GB of disk; fix it, then run make again."; exit 1; }
	@touch $@

install: $(VENV)/.installed $(RASA_VENV)/.installed ## Create both environments (.venv app, .venv-rasa engine)

# --- the product ----------------------------------------------------------------------------
train: install ## Train the Rasa model if bot/ or data/nlu/ changed
	$(VENV)/bin/firstcall train

run: install ## Start everything on SQLite with the SMS simulator and web chat
	$(VENV)/bin/firstcall run

# --- translations ---------------------------------------------------------------------------
translations: $(VENV)/.installed ## Extract -> update the catalogs (locales/)
	$(PY) -m api.i18n.workflow update

translations-check: $(VENV)/.installed ## Fail when catalogs are stale, untranslated or fuzzy
	$(PY) -m api.i18n.workflow check

# --- checks ---------------------------------------------------------------------------------
lint: $(VENV)/.installed ## ruff lint and format check
	$(VENV)/bin/ruff check api actions tests bench
	$(VENV)/bin/ruff format --check api actions tests bench

format: $(VENV)/.installed ## Apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix api actions tests bench
	$(VENV)/bin/ruff format api actions tests bench

typecheck: $(VENV)/.installed ## mypy
	$(VENV)/bin/mypy

validate: install ## rasa data validate
	$(RASA) data validate $(BOT_ARGS)

stories: train ## Rasa test stories (bot/tests), failing on any wrong prediction
	$(RASA) test core --stories bot/tests --fail-on-prediction-errors \
	  --model $$($(PY) -c 'from api.engine_model import model_path; print(model_path())') \
	  --out var/rasa-test-stories

nlu-eval: train ## NLU per language on the test set (data/nlu_eval; dev set data/nlu_test apart); fails below the floors
	$(PY) -m api.nlu_eval

prereqs: ## Check what make test needs from the machine; install chromium if root, else say how
	@scripts/prereqs.sh

# The machine is checked first, in the first second: then the suite (its own make, so that
# nothing of it starts before prereqs has passed, even with -j).
test: prereqs ## The whole suite (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)
	@$(MAKE) --no-print-directory test-suite

# SQLite, then PostgreSQL when TEST_DATABASE_URL is set (scripts/test-backends.sh;
# TEST_BACKENDS_PARALLEL=1 runs both at once).
test-suite: install lint typecheck translations-check validate train stories nlu-eval
	@PY=$(PY) scripts/test-backends.sh

bench: install train ## Run the benchmarks in bench/ and print their figures
	$(PY) -m bench

clean: ## Remove models and local data (keeps the environments)
	rm -rf models var .pytest_cache .mypy_cache .ruff_cache

.PHONY: help install train run translations translations-check lint format typecheck validate stories nlu-eval prereqs test test-suite bench clean
