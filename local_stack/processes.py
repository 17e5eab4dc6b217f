"""Starting, waiting for and stopping local processes, by process id.

Every process runs in its own session (so its process group is its own, and a
signal to the group reaches its children too) with its output in a log file,
on a port chosen free; waiting for it fails fast, with the log's tail, when it
exits before it is ready; stopping it is SIGTERM, then SIGKILL, each bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class ServiceError(RuntimeError):
    """A process that did not start, or did not become ready in time."""


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` different free loopback ports. All are held until every one is picked:
    one at a time, the kernel may hand out a port it has just handed back."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on `host`:`port` now.

    Binds as the servers do, with SO_REUSEADDR (Sanic, nginx, PostgreSQL, Redis
    and Python's http.server all set it), so a port whose last connection is
    still in TIME_WAIT (about a minute after a server on it stopped) counts as
    free, as it is for them; a port that a socket listens on does not. A plain
    bind would refuse both.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def rasa_env(**extra: str) -> dict[str, str]:
    """The environment of a Rasa command: this one's, no telemetry, quiet TensorFlow, and `extra`."""
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def log_tail(path: Path, n: int = 3000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else "(no log)"


def start_process(
    command: list[str],
    log: Path,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    append: bool = False,
    **popen: Any,
) -> subprocess.Popen:
    """`command` in a session of its own, its output (stdout and stderr) in `log`.

    `popen` goes to subprocess.Popen as it is (user=, group=, ... for PostgreSQL).
    """
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdout=log.open("a" if append else "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        **popen,
    )


# What one wait is for: the process, its log, and a check that is truthy once it is ready.
Watched = tuple[subprocess.Popen, Path, Callable[[], object]]


def wait_all(watched: Mapping[str, Watched], timeout: float, interval: float = 0.5) -> None:
    """Wait until every check answers; fail (ServiceError) as soon as a process exits first.

    A check that raises is not ready yet (refused, starting up, ...).
    """
    waiting = dict(watched)
    deadline = time.monotonic() + timeout
    while waiting:
        for name, (process, log, ready) in list(waiting.items()):
            if process.poll() is not None:
                raise ServiceError(f"{name} exited with {process.returncode}; log {log}:\n{log_tail(log)}")
            try:
                if ready():
                    del waiting[name]
            except Exception:  # not ready yet
                pass
        if not waiting:
            return
        if time.monotonic() >= deadline:
            name, (_, log, _) = next(iter(waiting.items()))
            raise ServiceError(
                f"not ready after {timeout:.0f} s: {', '.join(waiting)}; log {log}:\n{log_tail(log)}"
            )
        time.sleep(interval)


def wait_ready(
    what: str,
    ready: Callable[[], object],
    process: subprocess.Popen,
    log: Path,
    timeout: float,
    interval: float = 0.5,
) -> None:
    """Wait until `ready()` is truthy; fail as soon as `process` exits first."""
    wait_all({what: (process, log, ready)}, timeout, interval)


def url_answers(url: str, timeout: float = 2.0) -> Callable[[], bool]:
    """A check that `url` answers at all (an HTTP error status raises: not yet)."""

    def answers() -> bool:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
        return True

    return answers


def wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 180.0) -> None:
    """Wait until `url` answers (a health URL); fail as soon as `process` exits first."""
    wait_ready(url, url_answers(url), process, log, timeout)


def signal_group(process: subprocess.Popen | None, sig: int) -> None:
    """Send `sig` to the process's group (its session), if it still runs."""
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def stop_process(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop a process started in its own session, and its children, by process id."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def kill_process(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """A hard crash: SIGKILL to the group, no shutdown handlers run."""
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
