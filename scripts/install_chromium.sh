#!/usr/bin/env bash
# Installs Debian's Chromium, which the web chat tests drive through Playwright
# (Playwright never downloads a browser here). Does nothing when `chromium` is
# there, so scripts/test.sh calls it on every `make test`.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
source "$(dirname "$0")/lib/apt.sh"
APT_INSTALL_FLAGS=()  # with its recommended packages (fonts), as the web chat tests ran with
install_debian_packages "the web chat tests (Playwright drives it)" chromium
