"""podman, as `make image`, `make deploy-local` and the container tests run it.

Every call reads the project's containers.conf (deploy/podman/containers.conf:
the runc runtime, no rlimits raised, cgroups without systemd) instead of the
machine's, so it behaves the same on any machine scripts/install_podman.sh set up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

from local_stack.processes import ROOT, ServiceError

IMAGE = "localhost/career-advisor:latest"
CONTAINERS_CONF = ROOT / "deploy" / "podman" / "containers.conf"
INSTALL_HINT = "run `make image` (as root it installs podman and builds the image)"


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def missing() -> str | None:
    """Why podman or the image cannot be used here, or None."""
    if shutil.which("podman") is None:
        return f"podman is not installed: {INSTALL_HINT}"
    if podman("image", "exists", IMAGE, check=False).returncode != 0:
        return f"the image {IMAGE} is not built: {INSTALL_HINT}"
    return None


def podman(
    *args: str, check: bool = True, input: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["podman", *args],
        env=podman_env(),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise ServiceError(f"podman {' '.join(args[:2])} failed: {result.stderr.strip()[-2000:]}")
    return result


def podman_json(*args: str) -> Any:
    return json.loads(podman(*args).stdout or "null")
