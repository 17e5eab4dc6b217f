"""deploy/kubernetes/ played on this machine with `podman kube play` (`make deploy-local`).

The manifests are the ones a cluster gets; what a single machine without a
cluster lacks is filled in here, and only that (`local_manifests`):

- Pod networking and Services: podman's bridge does not work on every machine,
  so every pod runs on the host network, each replica of a Deployment on a port
  of its own (a Deployment of N replicas becomes N Deployments of one), and a
  Rasa pod calls the action server replica of its own index instead of the
  actions Service.
- The image is the one `make image` built (never pulled), and the page's origin
  is the local web pod's.
- The Ingress: nginx from Debian, with the Ingress's routing (local_stack.services
  Nginx: REST and Slack round robin, socket.io by client address, WebSocket upgrade).
- The Secret and datastores.yaml: PostgreSQL and Redis run from Debian's packages as
  external services (no registry to pull images from), and their URLs go into the
  podman secret that the Rasa pods' `envFrom` names, in the form podman 4.3 reads
  (a JSON object of base64 values; its own Secret kind it cannot read back).
"""

from __future__ import annotations

import base64
import copy
import json
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from local_stack.podman import IMAGE, podman, podman_json
from local_stack.processes import ROOT, ServiceError, free_port, free_ports, url_answers
from local_stack.services import Nginx, Postgres, Redis

MANIFESTS = ROOT / "deploy" / "kubernetes"
# What podman plays; the rest is filled in as the module docstring says.
PLAYED = ("actions.yaml", "rasa.yaml", "web.yaml")
SECRET = "career-advisor"
# The environment variable that holds each component's port (scripts/serve.sh).
PORT_ENV = {"rasa": "RASA_PORT", "actions": "ACTION_PORT", "web": "WEB_PORT"}
COMPONENT_LABEL = "app.kubernetes.io/component"
START_TIMEOUT = 300.0


def load_manifests(names: Iterable[str] = PLAYED, folder: Path = MANIFESTS) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for name in names:
        documents += [d for d in yaml.safe_load_all((folder / name).read_text()) if d]
    return documents


def deployments(documents: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The Deployments by component (rasa, actions, web)."""
    return {
        d["spec"]["template"]["metadata"]["labels"][COMPONENT_LABEL]: d
        for d in documents
        if d.get("kind") == "Deployment"
    }


def replicas(documents: Iterable[dict[str, Any]]) -> dict[str, int]:
    return {component: int(d["spec"].get("replicas", 1)) for component, d in deployments(documents).items()}


def _set_env(container: dict[str, Any], name: str, value: str) -> None:
    env = [e for e in container.get("env", []) if e["name"] != name]
    container["env"] = [*env, {"name": name, "value": value}]


def _move_port(container: dict[str, Any], port: int) -> None:
    # On the host network a container listens on the host's ports: nothing to map
    # (podman refuses port mappings there).
    container.pop("ports", None)
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        if "httpGet" in container.get(probe, {}):
            container[probe]["httpGet"]["port"] = port


def local_manifests(
    documents: list[dict[str, Any]],
    ports: dict[str, list[int]],
    *,
    image: str = IMAGE,
    cors_origins: str,
) -> list[dict[str, Any]]:
    """The Deployments of `documents` as podman plays them here: one Deployment per
    replica, on the host network, replica i of a component on ports[component][i]."""
    played: list[dict[str, Any]] = []
    action_ports = ports["actions"]
    for component, deployment in deployments(documents).items():
        for index, port in enumerate(ports[component]):
            one = copy.deepcopy(deployment)
            one["metadata"]["name"] = f"{deployment['metadata']['name']}-{index}"
            one["spec"]["replicas"] = 1
            pod = one["spec"]["template"]["spec"]
            pod["hostNetwork"] = True
            for container in pod["containers"]:
                container["image"] = image
                container["imagePullPolicy"] = "Never"
                _set_env(container, PORT_ENV[component], str(port))
                _move_port(container, port)
                if component == "rasa":
                    action_port = action_ports[index % len(action_ports)]
                    _set_env(container, "ACTION_SERVER_URL", f"http://127.0.0.1:{action_port}/webhook")
                    _set_env(container, "CORS_ORIGINS", cors_origins)
            played.append(one)
    return played


def podman_secret(values: dict[str, str]) -> str:
    """A Kubernetes Secret's data as podman 4.3's secretKeyRef and envFrom read it."""
    return json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in values.items()})


def replace_pod(played: Path, deployment: str) -> None:
    """A new pod for the Deployment of one `deployment` of the `played` file, as Kubernetes
    replaces a pod that died: the old pod removed, its Deployment played again.
    (Restarting a killed pod instead races podman's own clean-up of it, which then
    stops the pod it has just started.)"""
    documents = [d for d in yaml.safe_load_all(played.read_text()) if d]
    (document,) = [d for d in documents if d["metadata"]["name"] == deployment]
    replica = played.with_name(f"{deployment}.yaml")
    replica.write_text(yaml.safe_dump(document, sort_keys=False))
    podman("pod", "rm", "--force", f"{deployment}-pod-0")
    podman("kube", "play", str(replica))


@dataclass
class LocalDeployment:
    """deploy/kubernetes/ on this machine: PostgreSQL and Redis, the pods, nginx in front.

    `ports` default to free ones; `make deploy-local` passes fixed ones.
    """

    balancer_port: int = field(default_factory=free_port)
    ports: dict[str, list[int]] = field(default_factory=dict)
    image: str = IMAGE
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="career-advisor-kube-")))
    postgres: Postgres = field(default_factory=Postgres)
    redis: Redis = field(default_factory=Redis)
    nginx: Nginx | None = None
    played: Path | None = None
    ready_seconds: float = 0.0  # from `podman kube play` to every pod answering

    def __post_init__(self) -> None:
        counts = replicas(load_manifests())
        for component, count in counts.items():
            self.ports.setdefault(component, free_ports(count))

    @property
    def balancer(self) -> str:
        return f"http://127.0.0.1:{self.balancer_port}"

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.ports['web'][0]}"

    def start(self) -> LocalDeployment:
        self.postgres.start()
        self.redis.start()
        podman("secret", "rm", SECRET, check=False)
        secret = podman_secret({"TRACKER_STORE_URL": self.postgres.url, "REDIS_URL": self.redis.url})
        podman("secret", "create", SECRET, "-", input=secret)
        web_port = self.ports["web"][0]
        manifests = local_manifests(
            load_manifests(),
            self.ports,
            image=self.image,
            cors_origins=f"http://localhost:{web_port} http://127.0.0.1:{web_port}",
        )
        self.played = self.workdir / "played.yaml"
        self.played.write_text(yaml.safe_dump_all(manifests, sort_keys=False))
        played_at = time.monotonic()
        podman("kube", "play", str(self.played))
        self.wait_ready()
        self.ready_seconds = time.monotonic() - played_at
        upstreams = [f"127.0.0.1:{port}" for port in self.ports["rasa"]]
        self.nginx = Nginx(upstreams, port=self.balancer_port).start()
        return self

    def health_urls(self) -> dict[str, str]:
        paths = {"rasa": "/", "actions": "/health", "web": "/index.html"}
        return {
            f"{component}-{index}": f"http://127.0.0.1:{port}{paths[component]}"
            for component, ports in self.ports.items()
            for index, port in enumerate(ports)
        }

    def wait_ready(self, timeout: float = START_TIMEOUT, only: Iterable[str] | None = None) -> None:
        waiting = {k: v for k, v in self.health_urls().items() if only is None or k in only}
        deadline = time.monotonic() + timeout
        while waiting:
            for name, url in list(waiting.items()):
                try:
                    url_answers(url)()
                    del waiting[name]
                except OSError:
                    pass
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise ServiceError(f"not answering after {timeout:.0f} s: {sorted(waiting)}\n{self.logs()}")
            time.sleep(0.5)

    def pods(self) -> dict[str, dict[str, Any]]:
        """This deployment's pods by name ("career-advisor-rasa-0-pod-0": podman's record)."""
        names = {f"{d['metadata']['name']}-pod-0" for d in self._played_documents()}
        return {
            p["Name"]: p for p in podman_json("pod", "ps", "--format", "json") or [] if p["Name"] in names
        }

    def pod_name(self, component: str, index: int) -> str:
        return f"career-advisor-{component}-{index}-pod-0"

    def kill_pod(self, component: str, index: int) -> None:
        """SIGKILL to every container of the pod, as a node that dies."""
        podman("pod", "kill", "--signal", "KILL", self.pod_name(component, index))

    def replace_pod(self, component: str, index: int) -> None:
        assert self.played is not None, "start() first"
        replace_pod(self.played, f"career-advisor-{component}-{index}")
        self.wait_ready(only=[f"{component}-{index}"])

    def roll_pod(self, component: str, index: int) -> None:
        """One step of a rolling update: the pod out of the balancing, replaced, back in once
        it answers, as a Deployment with maxUnavailable 0 and its Service's endpoints do."""
        assert self.nginx is not None, "start() first"
        upstream = f"127.0.0.1:{self.ports[component][index]}"
        if component == "rasa":
            self.nginx.drain(upstream)
        self.replace_pod(component, index)
        if component == "rasa":
            self.nginx.drain(upstream, drained=False)

    def logs(self, tail: int = 30) -> str:
        out = []
        for document in self._played_documents():
            container = document["spec"]["template"]["spec"]["containers"][0]["name"]
            name = f"{document['metadata']['name']}-pod-0-{container}"
            result = podman("logs", "--tail", str(tail), name, check=False)
            out.append(f"--- {name}\n{result.stdout}{result.stderr}")
        return "\n".join(out)

    def _played_documents(self) -> list[dict[str, Any]]:
        if self.played is None or not self.played.exists():
            return []
        return [d for d in yaml.safe_load_all(self.played.read_text()) if d]

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        if self.played is not None and self.played.exists():
            podman("kube", "down", str(self.played), check=False, timeout=120)
        podman("secret", "rm", SECRET, check=False)
        self.redis.stop()
        self.postgres.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
