"""What the benchmark and the load test read of the servers they start, and the benchmark's bots.

The servers themselves are local_stack's (processes in sessions of their own,
on free loopback ports, stopped by process id); here: their memory and CPU
time, training a bot, and a bot's Rasa server(s), more than one of them behind
nginx as `make cluster` has them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from local_stack.http_client import REQUEST_TIMEOUT, request
from local_stack.processes import (
    ROOT,
    free_ports,
    log_tail,
    rasa_env,
    start_process,
    stop_process,
    wait_all,
)
from local_stack.servers import MODEL, RASA
from local_stack.services import Nginx

__all__ = ["MODEL", "RASA", "REQUEST_TIMEOUT", "ROOT", "Bot", "Setup", "train"]

START_TIMEOUT = 300.0
TRAIN_TIMEOUT = 900.0


# --------------------------------------------------------------------- readings


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return pids


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    """Resident memory (VmRSS, or VmHWM for the peak) of a process and its children, in MB."""
    total_kb = 0
    for p in tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and its descendants, with the children they have reaped, in seconds."""
    ticks = 0
    for p in tree_pids(pid):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces), from field 3 on:
        # utime, stime, cutime and cstime are fields 14 to 17.
        fields = stat.rsplit(")", 1)[1].split()
        ticks += sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_busy_seconds() -> float:
    """Busy CPU time of the whole machine since boot, all cores, in seconds."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU time of this process and the children it has reaped."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def train(name: str, command: list[str], cwd: Path, cache: Path, log: Path) -> float:
    """Run a training command with Rasa's cache disabled; its seconds."""
    print(f"[bench] training {name} ...", flush=True)
    env = rasa_env(RASA_MAX_CACHE_SIZE="0", RASA_CACHE_DIRECTORY=str(cache))
    start = time.perf_counter()
    with log.open("w") as out:
        result = subprocess.run(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=TRAIN_TIMEOUT
        )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"training {name} failed ({result.returncode}):\n{log_tail(log)}")
    print(f"[bench] trained {name} in {seconds:.0f} s", flush=True)
    return seconds


@dataclass
class Setup:
    """How one bot is served in one configuration: its files and environment."""

    credentials: Path
    endpoints: Path
    env: dict[str, str]
    servers: int = 1  # more than one: behind nginx, round robin
    balanced: bool | None = None  # behind nginx; None: when more than one server


class Bot:
    """A bot's Rasa server(s) on free loopback ports, the HTTP API behind a random token.

    With `servers` > 1 (or `balanced`), nginx balances them round robin
    (local_stack/services.py's, as `make cluster` does) and every request goes through it.
    """

    def __init__(self, name: str, model: Path, cwd: Path, workdir: Path, setup: Setup) -> None:
        self.name, self.model, self.cwd, self.workdir, self.setup = name, model, cwd, workdir, setup
        self.ports = free_ports(setup.servers)
        self.token = secrets.token_hex(24)  # hex: never starts with "-" (argparse)
        self.processes: list[subprocess.Popen] = []
        self.nginx: Nginx | None = None
        self.senders: set[str] = set()  # every conversation this bot has been sent

    @property
    def base(self) -> str:
        return self.nginx.base if self.nginx else f"http://127.0.0.1:{self.ports[0]}"

    def _log(self, port: int) -> Path:
        return self.workdir / f"rasa-{self.name}-{port}.log"

    def _ready(self, port: int) -> Callable[[], bool]:
        def ready() -> bool:
            status, body = request("GET", f"http://127.0.0.1:{port}/status?token={self.token}", timeout=2)
            return bool(status == 200 and body and body.get("model_id"))

        return ready

    def start(self, timeout: float = START_TIMEOUT) -> float:
        """Start every server at once; seconds until all answer /status with a loaded model."""
        start = time.perf_counter()
        for port in self.ports:
            command = [RASA, "run", "--model", str(self.model), "--port", str(port)]
            command += ["--interface", "127.0.0.1", "--credentials", str(self.setup.credentials)]
            command += ["--endpoints", str(self.setup.endpoints), "--enable-api", "--auth-token", self.token]
            self.processes.append(
                start_process(command, self._log(port), cwd=self.cwd, env=rasa_env(**self.setup.env))
            )
        wait_all(
            {
                f"{self.name}: rasa run on {port}": (process, self._log(port), self._ready(port))
                for port, process in zip(self.ports, self.processes, strict=True)
            },
            timeout,
            interval=0.05,
        )
        seconds = time.perf_counter() - start
        balanced = self.setup.balanced if self.setup.balanced is not None else len(self.ports) > 1
        if balanced:
            self.nginx = Nginx([f"127.0.0.1:{p}" for p in self.ports]).start()
        return seconds

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for process in self.processes:
            stop_process(process)

    def memory_mb(self, key: str) -> float:
        """Resident memory of a Rasa server (the mean over this bot's servers), in MB."""
        return statistics.fmean(rss_mb(p.pid, key) for p in self.processes)

    def send(self, sender: str, message: str, reply: bool = True) -> float:
        """Seconds to answer; `reply=False`: a turn the bot may end without a message."""
        self.senders.add(sender)
        start = time.perf_counter()
        status, body = request(
            "POST", f"{self.base}/webhooks/rest/webhook", {"sender": sender, "message": message}
        )
        seconds = time.perf_counter() - start
        if status != 200 or not isinstance(body, list) or (reply and not body):
            raise RuntimeError(f"{self.name}: no reply to {message!r} (HTTP {status})")
        return seconds

    def parse(self, text: str) -> float:
        start = time.perf_counter()
        status, body = request("POST", f"{self.base}/model/parse?token={self.token}", {"text": text})
        seconds = time.perf_counter() - start
        if status != 200 or not body or "intent" not in body:
            raise RuntimeError(f"{self.name}: /model/parse failed for {text!r} (HTTP {status})")
        return seconds
