"""deploy/kubernetes/: valid against Kubernetes' API schemas, and saying what the
deployment needs (probes, resources, a non-root user, updates that keep a pod up,
socket.io's affinity), so that `kubectl apply` gets what docs/deploy.md describes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from local_stack.kube_local import MANIFESTS, deployments, load_manifests

# The schemas kubernetes-validate 1.28.0 carries (the newest that takes Rasa 3.6's jsonschema).
KUBERNETES_VERSION = "1.28.0"
FILES = sorted(path.name for path in MANIFESTS.glob("*.yaml"))


def documents_of(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((MANIFESTS / name).read_text()) if d]


def everything() -> list[dict[str, Any]]:
    return load_manifests(FILES)


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in everything() if d["kind"] == kind}


@pytest.mark.parametrize("name", FILES)
def test_every_manifest_is_valid_against_the_api_schemas(name: str) -> None:
    for document in documents_of(name):
        # strict: a misspelt or misplaced field is an error, not ignored.
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_validator_rejects_what_kubernetes_would() -> None:
    deployment = documents_of("rasa.yaml")[0]
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    misplaced = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misplaced, KUBERNETES_VERSION, strict=True)


def test_the_files_are_the_ones_docs_deploy_md_names() -> None:
    assert FILES == [
        "actions.yaml",
        "datastores.yaml",
        "ingress.yaml",
        "rasa.yaml",
        "secret.example.yaml",
        "web.yaml",
    ]
    text = (MANIFESTS.parents[1] / "docs" / "deploy.md").read_text()
    for name in FILES:
        assert f"deploy/kubernetes/{name}" in text, name


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    return list(deployment["spec"]["template"]["spec"]["containers"])


def test_every_deployment_probes_limits_and_runs_as_the_image_user() -> None:
    found = deployments(load_manifests())
    assert sorted(found) == ["actions", "rasa", "web"]
    for component, deployment in found.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001}
        for container in containers(deployment):
            assert container["args"] == [component], "the role scripts/serve.sh starts"
            assert container["image"].startswith("localhost/career-advisor:")
            assert {"readinessProbe", "livenessProbe"} <= set(container), component
            assert container["resources"]["requests"]["memory"] and container["resources"]["limits"]["memory"]
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            ports = {p["containerPort"] for p in container["ports"]}
            probed = {container[p]["httpGet"]["port"] for p in ("readinessProbe", "livenessProbe")}
            assert probed == ports, component


def mebibytes(quantity: str) -> float:
    units = {"Mi": 1, "Gi": 1024}
    return float(quantity[:-2]) * units[quantity[-2:]]


def test_rasa_asks_for_the_memory_make_bench_measured() -> None:
    rasa = containers(deployments(load_manifests())["rasa"])[0]
    # make bench's rows (docs/benchmarks.md): about 1.3 GB resident, 1.5 GB at its peak.
    assert mebibytes(rasa["resources"]["requests"]["memory"]) * 1.048576 >= 1500
    assert mebibytes(rasa["resources"]["limits"]["memory"]) > mebibytes(
        rasa["resources"]["requests"]["memory"]
    )


def test_rolling_updates_keep_every_pod_until_its_replacement_is_ready() -> None:
    for component in ("rasa", "actions"):
        deployment = deployments(load_manifests())[component]
        assert deployment["spec"]["replicas"] >= 2, component
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, component
    rasa = deployments(load_manifests())["rasa"]
    assert "startupProbe" in containers(rasa)[0], "the model loads before the pod counts as started"
    budget = by_kind("PodDisruptionBudget")["career-advisor-rasa"]
    assert budget["spec"]["minAvailable"] == 1


def test_every_service_selects_the_pods_of_a_deployment() -> None:
    labels = [d["spec"]["template"]["metadata"]["labels"] for d in deployments(everything()).values()]
    labels += [d["spec"]["template"]["metadata"]["labels"] for d in by_kind("StatefulSet").values()]
    for name, service in by_kind("Service").items():
        selector = service["spec"]["selector"]
        assert any(selector.items() <= pod.items() for pod in labels), name


def test_rasa_finds_the_action_server_by_its_service_and_the_secret_by_its_name() -> None:
    rasa = containers(deployments(load_manifests())["rasa"])[0]
    env = {e["name"]: e.get("value") for e in rasa["env"]}
    services = by_kind("Service")
    host, port = env["ACTION_SERVER_URL"].removeprefix("http://").split("/")[0].split(":")
    assert host in services and int(port) == services[host]["spec"]["ports"][0]["port"]
    secret = by_kind("Secret")["career-advisor"]
    assert rasa["envFrom"] == [{"secretRef": {"name": secret["metadata"]["name"]}}]
    assert {"TRACKER_STORE_URL", "REDIS_URL"} <= set(secret["stringData"])


def test_socketio_has_a_backend_of_its_own_with_client_affinity() -> None:
    ingresses = by_kind("Ingress")
    socketio = ingresses["career-advisor-socketio"]
    assert (
        socketio["metadata"]["annotations"]["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$remote_addr"
    )
    (path,) = socketio["spec"]["rules"][0]["http"]["paths"]
    assert path["path"] == "/socket.io/"
    assert path["backend"]["service"]["name"] == "career-advisor-rasa-socketio"
    main = ingresses["career-advisor"]
    routed = {p["path"]: p["backend"]["service"]["name"] for p in main["spec"]["rules"][0]["http"]["paths"]}
    assert routed == {"/webhooks/": "career-advisor-rasa", "/": "career-advisor-web"}
    assert "upstream-hash-by" not in str(main["metadata"].get("annotations")), "REST and Slack: round robin"


def test_no_manifest_holds_a_secret_value() -> None:
    for name in FILES:
        text = (MANIFESTS / name).read_text()
        assert "xoxb-" not in text.replace('"xoxb-..."', ""), name
    secret = by_kind("Secret")["career-advisor"]
    for value in secret["stringData"].values():
        # The placeholder the repo's secret scan allows (tests/hardening/test_security.py).
        assert ":secret@" in value


def test_the_example_secret_is_named_as_an_example() -> None:
    assert Path(MANIFESTS / "secret.example.yaml").exists()
    assert not (MANIFESTS / "secret.yaml").exists()
