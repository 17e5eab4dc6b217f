"""The container image's health check: is this container's server answering?

One image runs three roles (scripts/serve.sh rasa|actions|web), and a container
on the host network shares localhost with the others, so the check asks the
server of its own role only: the role is read from process 1's command line
(tini -- /app/scripts/serve.sh <role>). Exit 0 when it answers 200, else 1.
Kubernetes does not use it (the manifests have their own probes); podman and
Docker do (`podman healthcheck run`).
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path


def role_of(command_line: list[str]) -> str:
    """The role scripts/serve.sh started: its argument, or (a server it exec'd) the server's."""
    for position, argument in enumerate(command_line[:-1]):
        if argument.endswith("scripts/serve.sh"):
            return command_line[position + 1]
    if "http.server" in command_line:
        return "web"
    if "actions" in command_line and "run" in command_line:
        return "actions"
    return "rasa"


def health_url(role: str, environ: dict[str, str]) -> str:
    """Where the server of `role` answers when it is up (the ports scripts/serve.sh uses)."""
    if role == "actions":
        return f"http://127.0.0.1:{environ.get('ACTION_PORT', '5055')}/health"
    if role == "web":
        return f"http://127.0.0.1:{environ.get('WEB_PORT', '8080')}/index.html"
    # The REST channel's health route: 200 only with a model loaded (connectors/rest.py).
    return f"http://127.0.0.1:{environ.get('RASA_PORT', '5005')}/webhooks/rest/"


def main() -> int:
    command_line = Path("/proc/1/cmdline").read_bytes().decode(errors="replace").split("\0")
    url = health_url(role_of(command_line), dict(os.environ))
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
