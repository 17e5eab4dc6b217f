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
if [ "$(id -u)" -ne 0 ]; then
  echo "error: the scaled-out tests need ${missing[*]}: run 'sudo $0' (or install them with apt-get)" >&2
  exit 1
fi
echo "Installing ${missing[*]} (Debian packages; started only by the tests and scripts/cluster)"
export DEBIAN_FRONTEND=noninteractive
# Another apt run on the same machine holds the lock for a while; wait rather than fail.
apt_options=(-qq -o DPkg::Lock::Timeout=300)
apt-get "${apt_options[@]}" update >/dev/null
apt-get "${apt_options[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
