# The front door. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

VENV := .venv
RASA := $(VENV)/bin/rasa
MODEL := models/assistant.tar.gz
SPACY_MODEL := .spacy/en_vectors/meta.json
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml) $(wildcard nlu_components/*.py)

.PHONY: help setup web train run shell cluster test lint types unit validate evaluate bench load clean

help:
	@echo "make run       set up, train if needed, start the action server, Rasa (:5005) and the web chat (:8080)"
	@echo "make shell     set up, train if needed, chat in the terminal"
	@echo "make cluster   two Rasa servers on PostgreSQL + Redis behind nginx (:5005), see docs/deploy.md"
	@echo "make test      lint, types, unit tests, data validation, NLU/dialogue/end-to-end tests"
	@echo "make train     train the model if config, domain or data changed"
	@echo "make evaluate  NLU and dialogue evaluation reports into results/"
	@echo "make bench     benchmark (SQLite, cluster, in-memory; growth) into docs/benchmarks.md"
	@echo "make load      load test: 1,000 conversations x 5 turns, 16 at once; checks the tracker store"
	@echo "               LOAD_ARGS=\"--cluster [--servers N]\": against make cluster's stack (PostgreSQL, Redis, nginx)"

setup: $(VENV)/.installed $(SPACY_MODEL)

$(VENV)/.installed: requirements.lock scripts/setup_venv.sh
	scripts/setup_venv.sh

$(SPACY_MODEL): scripts/spacy-model.txt scripts/prepare_spacy.py scripts/prepare_spacy.sh $(VENV)/.installed
	scripts/prepare_spacy.sh

# The web chat widget (rasa-webchat), exactly as web/package-lock.json pins it.
# --ignore-scripts: only its prebuilt bundle is used, nothing needs building.
WEBCHAT := web/node_modules/.package-lock.json
web: $(WEBCHAT)

$(WEBCHAT): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

train: $(MODEL)

# Retrain only when the model is missing or older than what it is trained from.
# Reinstalling packages does not by itself retrain (order-only prerequisites).
$(MODEL): $(TRAINING_INPUTS) | $(VENV)/.installed $(SPACY_MODEL)
	scripts/train.sh

run: setup web $(MODEL)
	scripts/run.sh

shell: setup $(MODEL)
	scripts/shell.sh

cluster: setup $(MODEL)
	scripts/cluster

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check actions benchmarks connectors deploy nlu_components tests scripts
	$(VENV)/bin/ruff format --check actions benchmarks connectors deploy nlu_components tests scripts

types: $(VENV)/.installed
	$(VENV)/bin/mypy actions benchmarks connectors deploy nlu_components tests scripts

unit: $(VENV)/.installed
	$(VENV)/bin/pytest -q tests/unit

validate: setup
	$(RASA) data validate --fail-on-warnings

test: setup web $(MODEL)
	scripts/test.sh

evaluate: setup $(MODEL)
	scripts/evaluate.sh

bench: setup $(MODEL)
	scripts/bench.sh

# A bounded load test against its own local stack (docs/robustness.md); LOAD_ARGS
# changes the size, e.g. make load LOAD_ARGS="--conversations 200 --concurrency 8",
# or the stack: LOAD_ARGS="--cluster --servers 2" is make cluster's (docs/deploy.md).
load: setup $(MODEL)
	$(VENV)/bin/python scripts/load_test.py $(LOAD_ARGS)

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
