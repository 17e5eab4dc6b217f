"""`make smoke`: the smoke checks (local_stack/smoke.py) against the deployment that
`make deploy-local` started (var/deploy-local/stack.json): a REST conversation across
two Rasa pods, socket.io through the balancer, and a Rasa pod killed mid-conversation
(replaced by a new pod afterwards). When every check passes it writes what it measured
(start time, memory per pod, the turn after the kill, the replacement's start) into
docs/deploy.md, between its smoke markers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from local_stack.kube_local import replace_pod
from local_stack.podman import podman
from local_stack.processes import ROOT, url_answers
from local_stack.smoke import (
    STACK_FILE,
    SmokeFailure,
    Stack,
    pod_killed_mid_conversation,
    rest_across_pods,
    socketio_through_balancer,
)
from scripts.doc_block import replace_block

DOC = ROOT / "docs" / "deploy.md"


def _kill(pod: str) -> None:
    podman("pod", "kill", "--signal", "KILL", pod)


def _replace(stack: Stack, pod: str) -> None:
    replace_pod(Path(stack.played), pod.removesuffix("-pod-0"))
    address = next(a for a, name in stack.rasa_pods.items() if name == pod)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            url_answers(f"http://{address}/")()
            return
        except OSError:
            time.sleep(0.5)
    raise SmokeFailure(f"{pod} did not answer again within 120 s")


def memory_by_container() -> dict[str, int]:
    """Each container's memory use now, in bytes (its cgroup's, as `podman stats` reads it)."""
    listed = podman("stats", "--no-stream", "--format", "json").stdout
    return {
        row["name"]: int(row["mem_usage_bytes"]) if "mem_usage_bytes" in row else _bytes(row["mem_usage"])
        for row in json.loads(listed or "[]")
        if not row["name"].endswith("-infra")
    }


def _bytes(usage: str) -> int:
    """'877.6MB / 2.147GB' -> 877600000."""
    amount = usage.split("/")[0].strip()
    units = {"kB": 10**3, "MB": 10**6, "GB": 10**9, "B": 1}
    for unit, factor in units.items():
        if amount.endswith(unit):
            return int(float(amount[: -len(unit)]) * factor)
    return int(float(amount))


def measured_block(stack: Stack, memory: dict[str, int], kill_lines: list[str], replaced_in: float) -> str:
    ours = sorted((name, used) for name, used in memory.items() if "career-advisor" in name)
    rows = "\n".join(f"| `{name}` | {used / 2**20:,.0f} MiB |" for name, used in ours)
    git = ["git", "rev-parse", "--short", "HEAD"]
    revision = subprocess.run(git, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    day = time.strftime("%Y-%m-%d")
    return f"""Written by `make smoke` against `make deploy-local`, {day}, commit {revision}:

- Deployment up (podman kube play to every pod answering, nginx in front): {stack.ready_seconds:.0f} s.
- A Rasa pod killed (SIGKILL to its containers) mid-conversation; the next turns, through the balancer:
{chr(10).join(f"  - {line}" for line in kill_lines)}
- Its replacement pod answering: {replaced_in:.0f} s after it was played.
- Memory per container after the REST and socket.io checks (`podman stats`: the container's cgroup):

| container | memory |
| --- | ---: |
{rows}"""


def main() -> int:
    if not STACK_FILE.exists():
        print(
            "error: no deployment to check: start `make deploy-local` first (in another terminal)",
            file=sys.stderr,
        )
        return 1
    stack = Stack.load()
    killed: list[str] = []

    def kill(pod: str) -> None:
        killed.append(pod)
        _kill(pod)

    memory: dict[str, int] = {}

    def measure_then_kill() -> list[str]:
        # Every pod has served the checks before; none is killed yet.
        memory.update(memory_by_container())
        return pod_killed_mid_conversation(stack, kill)

    checks = [
        ("REST across two Rasa pods", lambda: rest_across_pods(stack)),
        ("socket.io through the balancer", lambda: socketio_through_balancer(stack)),
        ("a Rasa pod killed mid-conversation", measure_then_kill),
    ]
    failed, results, replaced_in = 0, {}, 0.0
    try:
        for name, check in checks:
            try:
                results[name] = check()
                print(f"ok    {name}\n" + "\n".join(f"        {line}" for line in results[name]), flush=True)
            except (SmokeFailure, OSError) as error:
                failed += 1
                print(f"FAIL  {name}: {error}", flush=True)
    finally:
        for pod in killed:
            started = time.monotonic()
            _replace(stack, pod)
            replaced_in = time.monotonic() - started
            print(f"      {pod} replaced by a new pod, answering in {replaced_in:.0f} s", flush=True)
    if failed:
        return 1
    kill_lines = results["a Rasa pod killed mid-conversation"]
    replace_block(DOC, "smoke", measured_block(stack, memory, kill_lines, replaced_in), "Deploying")
    print(f"Written into {DOC.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
