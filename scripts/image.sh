#!/usr/bin/env bash
# `make image`: the container image localhost/career-advisor (deploy/Containerfile)
# with podman, tagged :latest and with the commit it was built from. The model,
# spaCy vectors and web widget come from the working tree (the Makefile builds
# them first); Python packages from PyPI, by requirements.lock. About 3 minutes
# the first time, seconds when only code or the model changed.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/career-advisor}

scripts/install_podman.sh
export CONTAINERS_CONF=$PWD/deploy/podman/containers.conf
source scripts/lib/base_image.sh
base=$(base_image_name)
build_base_image "$base"

revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
tags=(-t "$IMAGE:latest" -t "$IMAGE:$revision")
echo "== building $IMAGE:latest ($revision) from $base"
# --format docker: OCI images carry no HEALTHCHECK. --network host: podman's bridge
# does not work on every machine, and the build only fetches packages. The host's CA
# bundle is lent to the build's RUN steps (a proxy's CA may be in it), never copied in.
podman build --quiet --format docker --network host \
  --volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
  --build-arg "BASE=$base" --label "org.opencontainers.image.revision=$revision" \
  -f deploy/Containerfile "${tags[@]}" . >/dev/null
podman image ls "$IMAGE:latest" --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'
