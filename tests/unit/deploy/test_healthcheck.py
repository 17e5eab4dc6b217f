"""deploy/healthcheck.py: each container asks its own server only."""

from __future__ import annotations

from deploy.healthcheck import health_url, role_of


def test_the_role_is_serve_sh_s_argument_under_tini() -> None:
    for role in ("rasa", "actions", "web"):
        assert role_of(["/usr/bin/tini", "--", "/app/scripts/serve.sh", role]) == role


def test_the_role_comes_from_the_command_scripts_serve_sh_execs() -> None:
    python = "/app/.venv/bin/python"
    assert role_of([python, "-m", "rasa_patches.rasa_command", "run", "--model", "m.tar.gz"]) == "rasa"
    assert (
        role_of([python, "-m", "rasa_patches.rasa_command", "run", "actions", "--port", "5055"]) == "actions"
    )
    assert role_of([python, "-m", "http.server", "8080", "--directory", "web"]) == "web"


def test_each_role_is_asked_on_its_own_port() -> None:
    assert health_url("rasa", {}) == "http://127.0.0.1:5005/webhooks/rest/"
    assert health_url("actions", {"ACTION_PORT": "6055"}) == "http://127.0.0.1:6055/health"
    assert health_url("web", {"WEB_PORT": "6080"}) == "http://127.0.0.1:6080/index.html"
