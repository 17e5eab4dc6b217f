#!/usr/bin/env bash
# Installs the Debian packages that the scaled-out tests and scripts/cluster run
# as plain local processes: PostgreSQL (tracker store), Redis (lock store) and
# nginx (load balancer). Does nothing when they are already there, so scripts/test.sh
# (`make test`) and scripts/cluster call it every time.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
source "$(dirname "$0")/lib/apt.sh"
APT_INSTALL_FLAGS=(--no-install-recommends)
install_debian_packages "the scaled-out tests and scripts/cluster" "${missing[@]}"
