# The front door. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

VENV := .venv
RASA := $(VENV)/bin/rasa
MODEL := models/assistant.tar.gz
SPACY_MODEL := .spacy/en_vectors/meta.json
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml)

.PHONY: help setup train run shell test lint types unit validate evaluate bench clean

help:
	@echo "make run       set up, train if needed, start the action server and Rasa (REST on :5005)"
	@echo "make shell     set up, train if needed, chat in the terminal"
	@echo "make test      lint, types, unit tests, data validation, NLU/dialogue/end-to-end tests"
	@echo "make train     train the model if config, domain or data changed"
	@echo "make evaluate  NLU and dialogue evaluation reports into results/"
	@echo "make bench     latency/throughput benchmark into docs/benchmarks.md"

setup: $(VENV)/.installed $(SPACY_MODEL)

$(VENV)/.installed: requirements.lock scripts/setup_venv.sh
	scripts/setup_venv.sh

$(SPACY_MODEL): scripts/spacy-model.txt scripts/prepare_spacy.py scripts/prepare_spacy.sh $(VENV)/.installed
	scripts/prepare_spacy.sh

train: $(MODEL)

# Retrain only when the model is missing or older than what it is trained from.
$(MODEL): $(TRAINING_INPUTS) $(VENV)/.installed $(SPACY_MODEL)
	scripts/train.sh

run: setup $(MODEL)
	scripts/run.sh

shell: setup $(MODEL)
	scripts/shell.sh

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check actions tests scripts
	$(VENV)/bin/ruff format --check actions tests scripts

types: $(VENV)/.installed
	$(VENV)/bin/mypy actions tests scripts

unit: $(VENV)/.installed
	$(VENV)/bin/pytest -q tests/unit

validate: setup
	$(RASA) data validate --fail-on-warnings

test: setup $(MODEL)
	scripts/test.sh

evaluate: setup $(MODEL)
	scripts/evaluate.sh

bench: setup $(MODEL)
	scripts/bench.sh

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
