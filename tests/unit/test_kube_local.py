"""local_stack/kube_local.py: what `make deploy-local` changes in deploy/kubernetes/ to
play it on one machine, and nothing more."""

from __future__ import annotations

import base64
import json
from typing import Any

from local_stack.kube_local import deployments, load_manifests, local_manifests, podman_secret, replicas

PORTS = {"rasa": [6006, 6007], "actions": [6055, 6056], "web": [6080]}


def played() -> list[dict[str, Any]]:
    return local_manifests(
        load_manifests(), PORTS, image="localhost/career-advisor:test", cors_origins="http://x"
    )


def env(document: dict[str, Any]) -> dict[str, str | None]:
    container = document["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value") for e in container["env"]}


def test_each_replica_becomes_a_deployment_of_one_on_the_host_network() -> None:
    counts = replicas(load_manifests())
    assert counts == {"actions": 2, "rasa": 2, "web": 1}
    names = [d["metadata"]["name"] for d in played()]
    assert sorted(names) == [
        "career-advisor-actions-0",
        "career-advisor-actions-1",
        "career-advisor-rasa-0",
        "career-advisor-rasa-1",
        "career-advisor-web-0",
    ]
    for document in played():
        assert document["spec"]["replicas"] == 1
        pod = document["spec"]["template"]["spec"]
        assert pod["hostNetwork"] is True
        container = pod["containers"][0]
        assert container["image"] == "localhost/career-advisor:test"
        assert container["imagePullPolicy"] == "Never"
        assert "ports" not in container, "podman maps no port on the host network"


def test_replica_i_listens_and_is_probed_on_its_own_port() -> None:
    by_name = {d["metadata"]["name"]: d for d in played()}
    for component, variable in (("rasa", "RASA_PORT"), ("actions", "ACTION_PORT"), ("web", "WEB_PORT")):
        for index, port in enumerate(PORTS[component]):
            document = by_name[f"career-advisor-{component}-{index}"]
            assert env(document)[variable] == str(port)
            container = document["spec"]["template"]["spec"]["containers"][0]
            probes = [
                container[p] for p in ("startupProbe", "readinessProbe", "livenessProbe") if p in container
            ]
            assert probes and all(p["httpGet"]["port"] == port for p in probes)


def test_a_rasa_pod_calls_the_action_server_of_its_own_index_and_allows_the_local_page() -> None:
    by_name = {d["metadata"]["name"]: d for d in played()}
    for index, action_port in enumerate(PORTS["actions"]):
        rasa = env(by_name[f"career-advisor-rasa-{index}"])
        assert rasa["ACTION_SERVER_URL"] == f"http://127.0.0.1:{action_port}/webhook"
        assert rasa["CORS_ORIGINS"] == "http://x"


def test_everything_else_is_the_manifests_own() -> None:
    original = deployments(load_manifests())["rasa"]
    local = next(d for d in played() if d["metadata"]["name"] == "career-advisor-rasa-0")
    for key in ("securityContext", "terminationGracePeriodSeconds"):
        assert local["spec"]["template"]["spec"][key] == original["spec"]["template"]["spec"][key]
    theirs, ours = (
        original["spec"]["template"]["spec"]["containers"][0],
        local["spec"]["template"]["spec"]["containers"][0],
    )
    for key in ("args", "envFrom", "resources", "lifecycle", "securityContext"):
        assert ours[key] == theirs[key], key
    assert ours["readinessProbe"]["httpGet"]["path"] == theirs["readinessProbe"]["httpGet"]["path"]
    assert original["spec"]["replicas"] == 2, "the manifests themselves are not changed"


def test_the_podman_secret_is_a_json_object_of_base64_values() -> None:
    data = json.loads(podman_secret({"REDIS_URL": "redis://:p@h:1/0"}))
    assert base64.b64decode(data["REDIS_URL"]).decode() == "redis://:p@h:1/0"
