"""`make smoke`: the smoke checks (local_stack/smoke.py) against the deployment that
`make deploy-local` started (var/deploy-local/stack.json): a REST conversation across
two Rasa pods, socket.io through the balancer, and a Rasa pod killed mid-conversation
(replaced by a new pod afterwards)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from local_stack.kube_local import replace_pod
from local_stack.podman import podman
from local_stack.processes import url_answers
from local_stack.smoke import (
    STACK_FILE,
    SmokeFailure,
    Stack,
    pod_killed_mid_conversation,
    rest_across_pods,
    socketio_through_balancer,
)


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

    checks = [
        ("REST across two Rasa pods", lambda: rest_across_pods(stack)),
        ("socket.io through the balancer", lambda: socketio_through_balancer(stack)),
        ("a Rasa pod killed mid-conversation", lambda: pod_killed_mid_conversation(stack, kill)),
    ]
    failed = 0
    try:
        for name, check in checks:
            try:
                lines = check()
                print(f"ok    {name}\n" + "\n".join(f"        {line}" for line in lines), flush=True)
            except (SmokeFailure, OSError) as error:
                failed += 1
                print(f"FAIL  {name}: {error}", flush=True)
    finally:
        for pod in killed:
            _replace(stack, pod)
            print(f"      {pod} replaced by a new pod", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
