#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned packages.
# Rasa 3.6 supports Python 3.8-3.10 only. With pyenv, .python-version makes
# `python3.10` resolve here; elsewhere install Python 3.10 or set PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.10}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "error: $PYTHON not found. Rasa 3.6 needs Python 3.10 (3.8-3.10):" >&2
  echo "  install it (pyenv install 3.10, or your OS package) or run PYTHON=/path/to/python3.10 make ..." >&2
  exit 1
fi
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$version" in
  3.8|3.9|3.10) ;;
  *) echo "error: $PYTHON is Python $version; Rasa 3.6 needs 3.8-3.10 (3.10 preferred)" >&2; exit 1 ;;
esac

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with Python $version"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.2"
echo "== installing the $(grep -c '==' requirements.lock) pinned packages of requirements.lock into .venv" \
  "(about 2 minutes on a new machine; pip's progress follows)"
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar on -r requirements.lock 2>&1 \
  | grep -v -e "is ignored: it is neither a file nor a directory" -e "^Requirement already satisfied" || true
.venv/bin/python -c "import rasa, spacy; print('rasa', rasa.__version__, '/ spacy', spacy.__version__)" 2>/dev/null
touch .venv/.installed
