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

# The Python code that lint and types check (scripts/test.sh runs `make check`).
PY_PATHS := actions benchmarks connectors deploy evaluation local_stack nlu_components rasa_patches review tests scripts
# The test tiers (pytest markers set in tests/conftest.py): `make check` runs the
# tests with none of them, scripts/test.sh the rest after it.
FAST_TIER := not servers and not browser and not services and not containers

.PHONY: help setup web train run shell cluster image deploy-local smoke check lint types facts validate fast unit test evaluate bench load review clean

# Every target says what it does after `## ` on its own line; `make help` prints those.
help: ## this list
	@echo "Targets (a fresh clone needs nothing else: each sets up what it uses):"
	@grep -hE '^[a-zA-Z_-]+:([^=]|$$).*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

setup: $(VENV)/.installed $(SPACY_MODEL) ## install the Python packages (.venv) and the spaCy vectors

$(VENV)/.installed: requirements.lock scripts/setup_venv.sh
	scripts/setup_venv.sh

$(SPACY_MODEL): scripts/spacy-model.txt scripts/prepare_spacy.py scripts/prepare_spacy.sh $(VENV)/.installed
	scripts/prepare_spacy.sh

# The web chat widget (rasa-webchat), exactly as web/package-lock.json pins it.
# --ignore-scripts: only its prebuilt bundle is used, nothing needs building.
WEBCHAT := web/node_modules/.package-lock.json
web: $(WEBCHAT) ## install the web chat widget (npm ci in web/)

$(WEBCHAT): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

train: $(MODEL) ## train the model if config, domain or data changed

# Retrain only when the model is missing or older than what it is trained from.
# Reinstalling packages does not by itself retrain (order-only prerequisites).
$(MODEL): $(TRAINING_INPUTS) | $(VENV)/.installed $(SPACY_MODEL)
	scripts/train.sh

run: setup web $(MODEL) ## set up, train if needed, start Rasa (:5005, the actions in it) and the web chat (:8080)
	scripts/run.sh

shell: setup $(MODEL) ## set up, train if needed, chat in the terminal
	scripts/shell.sh

cluster: setup $(MODEL) ## two Rasa servers on PostgreSQL + Redis behind nginx (:5005), docs/deploy.md
	scripts/cluster

image: setup web $(MODEL) ## build the container image localhost/career-advisor with podman (deploy/Containerfile)
	scripts/image.sh

deploy-local: image ## deploy/kubernetes/ on this machine with podman kube play, nginx in front (:5005)
	scripts/install_services.sh
	$(VENV)/bin/python -m scripts.deploy_local $(DEPLOY_ARGS)

smoke: $(VENV)/.installed ## check the running make deploy-local: REST over two pods, socket.io, a pod killed
	$(VENV)/bin/python -m scripts.smoke

lint: $(VENV)/.installed ## ruff check and ruff format --check
	$(VENV)/bin/ruff check $(PY_PATHS)
	$(VENV)/bin/ruff format --check $(PY_PATHS)

types: $(VENV)/.installed ## mypy
	$(VENV)/bin/mypy $(PY_PATHS)

unit: $(VENV)/.installed ## the unit tests alone (tests/unit, no server)
	$(VENV)/bin/pytest -q tests/unit

validate: setup ## rasa data validate --fail-on-warnings
	$(RASA) data validate --fail-on-warnings --config config.yml --domain domain.yml --data data

facts: $(VENV)/.installed ## check the fact store (facts/facts.yml)
	$(VENV)/bin/python -m actions.fact_store

fast: setup $(MODEL) ## the fast tests: every one marked neither servers, browser nor services
	$(VENV)/bin/pytest -q -m "$(FAST_TIER)" tests

# Everything that needs no server, cheapest first: under 3 minutes, the first step of `make test`.
check: lint types facts validate fast ## lint, types, fact store, data validation, the fast tests (no server)

test: setup web $(MODEL) ## make check, then conversation tests and the tests that start servers
	scripts/test.sh

evaluate: setup $(MODEL) ## NLU and dialogue evaluation reports into results/
	scripts/evaluate.sh

bench: setup $(MODEL) ## benchmark (SQLite, cluster, in-memory; growth) into docs/benchmarks.md
	scripts/bench.sh

# A bounded load test against its own local stack (docs/robustness.md); LOAD_ARGS
# changes the size, e.g. make load LOAD_ARGS="--conversations 200 --concurrency 8",
# or the stack: LOAD_ARGS="--cluster --servers 2" is make cluster's (docs/deploy.md).
load: setup $(MODEL) ## load test, 1,000 conversations x 5 turns; LOAD_ARGS="--cluster" on make cluster's stack
	$(VENV)/bin/python -m scripts.load_test $(LOAD_ARGS)

# What the assistant misunderstood in the tracker store the server uses (TRACKER_STORE_URL,
# else var/conversations.db), read-only: docs/review.md. REVIEW_ARGS, e.g. "--since 24h"
# or "--store postgresql://...".
review: $(VENV)/.installed ## report of misunderstood messages into results/review/ (+ to_label.yml); REVIEW_ARGS="--since 7d"
	source scripts/lib/quiet_warnings.sh && $(VENV)/bin/python -m scripts.review $(REVIEW_ARGS)

clean: ## remove models, results and the tools' caches
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
