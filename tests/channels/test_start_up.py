"""Start-up output of the start scripts' servers: our log lines, not the pinned
packages' DeprecationWarnings (scripts/lib/quiet_warnings.sh, rasa_patches/rasa_command.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from local_stack.processes import ROOT, free_port, rasa_env


def _action_server_start_up(command: str) -> str:
    """What the action server prints until it is up (or 120 s pass), then it is stopped."""
    port = free_port()
    process = subprocess.Popen(
        ["bash", "-c", f"{command} run actions --port {port} --actions actions"],
        cwd=ROOT,
        env=rasa_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 120
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Action endpoint is up and running" in line or time.monotonic() > deadline:
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return "".join(lines)


def test_the_start_scripts_show_our_log_lines_not_third_party_deprecations() -> None:
    quiet = _action_server_start_up(
        f"source scripts/lib/quiet_warnings.sh && {sys.executable} -m rasa_patches.rasa_command"
    )
    assert "Action endpoint is up and running" in quiet
    assert "DeprecationWarning" not in quiet, quiet
    loud = _action_server_start_up(f"{sys.executable} -m rasa")
    assert "Action endpoint is up and running" in loud
    assert "DeprecationWarning" in loud  # the warnings exist; the filters are what hide them
