#!/usr/bin/env bash
# Installs Debian's Chromium, which the web chat tests drive through Playwright
# (Playwright never downloads a browser here). Does nothing when `chromium` is
# there, so scripts/test.sh calls it on every `make test`.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: the web chat tests need Chromium: run 'sudo $0' (or apt-get install chromium)" >&2
  exit 1
fi
echo "Installing chromium (Debian's package, for the web chat tests)"
export DEBIAN_FRONTEND=noninteractive
# Another apt run on the same machine holds the lock for a while; wait rather than fail.
apt_options=(-qq -o DPkg::Lock::Timeout=300)
apt-get "${apt_options[@]}" update >/dev/null
apt-get "${apt_options[@]}" install -y chromium >/dev/null
