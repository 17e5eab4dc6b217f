"""deploy/kubernetes/ played with podman (`make deploy-local`), checked by `make smoke`'s
own checks, and what the pods run with: the manifests' user, limits and secret."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from local_stack.kube_local import LocalDeployment
from local_stack.podman import podman_json
from local_stack.smoke import (
    CONVERSATION,
    Stack,
    pod_killed_mid_conversation,
    rest_across_pods,
    rolling_update,
    say,
    socketio_through_balancer,
)
from local_stack.tracker_db import stored_events
from scripts.deploy_local import stack_of


@pytest.fixture(scope="module")
def deployment(image: str) -> Iterator[LocalDeployment]:
    played = LocalDeployment(image=image)
    try:
        yield played.start()
    finally:
        played.stop()


@pytest.fixture(scope="module")
def stack(deployment: LocalDeployment) -> Stack:
    return stack_of(deployment)


def test_every_pod_of_the_manifests_runs(deployment: LocalDeployment) -> None:
    assert sorted(deployment.pods()) == [
        "career-advisor-actions-0-pod-0",
        "career-advisor-actions-1-pod-0",
        "career-advisor-rasa-0-pod-0",
        "career-advisor-rasa-1-pod-0",
        "career-advisor-web-0-pod-0",
    ]


def test_a_rest_conversation_across_two_rasa_pods(stack: Stack) -> None:
    lines = rest_across_pods(stack)
    assert len(lines) == len(CONVERSATION)


def test_socketio_through_the_balancer(stack: Stack) -> None:
    lines = socketio_through_balancer(stack)
    assert "upgraded to websocket" in lines[-1]


def test_a_pod_killed_mid_conversation_and_the_other_carries_it_on(
    deployment: LocalDeployment, stack: Stack
) -> None:
    killed: list[str] = []

    def kill(pod: str) -> None:
        killed.append(pod)
        index = int(pod.split("-")[-3])
        deployment.kill_pod("rasa", index)

    try:
        pod_killed_mid_conversation(stack, kill)
    finally:
        for pod in killed:
            deployment.replace_pod("rasa", int(pod.split("-")[-3]))
    assert len(killed) == 1
    # Replaced, the pod takes its share of messages again once nginx tries it
    # (it leaves a server that refused a connection out for fail_timeout, 10 s).
    sender, answered_by = f"after-{uuid.uuid4().hex[:8]}", set[str]()
    deadline = time.monotonic() + 30
    while answered_by != set(stack.rasa_pods) and time.monotonic() < deadline:
        answered_by.add(say(stack.balancer, sender, CONVERSATION[0][0])[0])
        time.sleep(0.5)
    assert deployment.nginx is not None
    nginx_log = (deployment.nginx.dir / "error.log").read_text() if deployment.nginx.dir else ""
    assert answered_by == set(stack.rasa_pods), nginx_log[-1500:]


def test_the_conversation_is_in_the_shared_postgresql(deployment: LocalDeployment, stack: Stack) -> None:
    sender = f"stored-{uuid.uuid4().hex[:8]}"
    for message, _ in CONVERSATION[:2]:
        say(stack.balancer, sender, message)
    events = stored_events(deployment.postgres.url, [sender])[sender]
    texts = [e.get("text") for e in events if e.get("event") == "user"]
    assert texts == [message for message, _ in CONVERSATION[:2]]


def test_the_pods_run_as_the_manifests_user_with_their_memory_limits(deployment: LocalDeployment) -> None:
    container = podman_json("inspect", "career-advisor-rasa-0-pod-0-rasa")[0]
    assert container["Config"]["User"] == "10001:10001" or container["Config"]["User"] == "10001"
    limit = container["HostConfig"]["Memory"]
    assert limit == 2 * 1024**3, "rasa.yaml's limit"
    env = dict(pair.split("=", 1) for pair in container["Config"]["Env"])
    assert env["TRACKER_STORE_URL"] == deployment.postgres.url, "from the secret, by envFrom"


def test_a_rolling_update_drops_no_conversation(deployment: LocalDeployment, stack: Stack) -> None:
    def roll(pod: str) -> None:
        deployment.roll_pod("rasa", int(pod.split("-")[-3]))

    lines = rolling_update(stack, roll)
    assert "none failed" in lines[-1]
    print("\n".join(lines))
