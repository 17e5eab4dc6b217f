"""`make deploy-local`: deploy/kubernetes/ on this machine, with podman kube play.

PostgreSQL and Redis from Debian's packages, the action server, Rasa and web pods
from the image `make image` built, nginx in front with the Ingress's routing
(local_stack/kube_local.py says what is filled in for one machine). It writes
var/deploy-local/stack.json for `make smoke`, and Ctrl-C takes it all down.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from local_stack.kube_local import LocalDeployment, load_manifests, replicas
from local_stack.podman import IMAGE, missing
from local_stack.processes import ServiceError, port_is_free
from local_stack.services import INSTALL_HINT, missing_services
from local_stack.smoke import STACK_FILE, Stack


def fixed_ports(balancer: int) -> dict[str, list[int]]:
    """As `make cluster`: Rasa pods next to the balancer, actions from 5055, the page on 8080."""
    counts = replicas(load_manifests())
    return {
        "rasa": [balancer + 1 + i for i in range(counts["rasa"])],
        "actions": [5055 + i for i in range(counts["actions"])],
        "web": [8080 + i for i in range(counts["web"])],
    }


def stack_of(deployment: LocalDeployment, ready_seconds: float = 0.0) -> Stack:
    return Stack(
        balancer=deployment.balancer,
        web=deployment.web,
        rasa_pods={
            f"127.0.0.1:{port}": deployment.pod_name("rasa", index)
            for index, port in enumerate(deployment.ports["rasa"])
        },
        played=str(deployment.played),
        ready_seconds=ready_seconds,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make deploy-local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5005, help="the balancer's port (default 5005)")
    args = parser.parse_args(argv)

    problem = missing()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    if missing_services():
        print(f"error: {', '.join(missing_services())} missing: {INSTALL_HINT}", file=sys.stderr)
        return 1
    ports = fixed_ports(args.port)
    busy = [
        p for p in [args.port, *(p for ps in ports.values() for p in ps)] if not port_is_free(p, "0.0.0.0")
    ]
    if busy:
        print(f"error: port(s) {busy} in use (is `make run` or `make cluster` running?)", file=sys.stderr)
        return 1

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Ctrl-C, even where the shell started this with SIGINT ignored (in the background).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    deployment = LocalDeployment(balancer_port=args.port, ports=ports)
    try:
        print(f"Starting PostgreSQL, Redis and the pods of deploy/kubernetes/ from {IMAGE} ...", flush=True)
        started = time.monotonic()
        deployment.start()
        stack = stack_of(deployment, deployment.ready_seconds)
        stack.save()
        pods = "\n".join(f"  {name}" for name in sorted(deployment.pods()))
        print(
            f"""
Up in {time.monotonic() - started:.0f} s (the pods in {deployment.ready_seconds:.0f} s of it).
Balancer (the Ingress)  {deployment.balancer}  REST and Slack round robin, socket.io by client address
Web chat                {deployment.web}/?server={deployment.balancer}
Pods (podman pod ps):
{pods}
{STACK_FILE.relative_to(STACK_FILE.parents[2])} written: `make smoke` checks this deployment.
Ctrl-C takes it down.""",
            flush=True,
        )
        while True:
            time.sleep(1)
    except ServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        print("Taking it down ...", flush=True)
        STACK_FILE.unlink(missing_ok=True)
        deployment.stop()


if __name__ == "__main__":
    sys.exit(main())
