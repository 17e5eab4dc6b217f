#!/usr/bin/env bash
# Installs the Debian packages that `make image`, `make deploy-local` and the
# container tests use: podman with the runc runtime (crun refuses this machine's
# cgroups), catatonit (the pods' pause process) and debootstrap (the base image,
# scripts/lib/base_image.sh). Does nothing when they are there, so scripts/test.sh
# and scripts/image.sh call it every time.
set -euo pipefail

missing=()
for tool in podman:podman runc:runc catatonit:catatonit debootstrap:debootstrap; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
source "$(dirname "$0")/lib/apt.sh"
APT_INSTALL_FLAGS=(--no-install-recommends)
install_debian_packages "the container image and its tests" "${missing[@]}"
