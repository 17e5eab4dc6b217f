"""Failing parts: the action server down or hung, a bad fact file, a missing or broken model.

The action server tests stop or pause the stack's real action server: the user
gets a short apology within the action timeout instead of silence, the message
is kept, and once the action server is back the conversation carries on from
where it was. The start-up tests run the real start-up commands and check that
they stop with a message that says what to do.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.guard import STORE_APOLOGY
from local_stack.processes import ROOT, free_port, rasa_env
from local_stack.servers import CREDENTIALS, ENDPOINTS, MODEL, VENV_BIN, RasaServer
from local_stack.socketio_client import SocketIOClient
from rasa_patches.action_endpoint import ACTION_APOLOGY
from tests.hardening.conftest import ACTION_TIMEOUT, Stack, new_sender, post, say, texts

SALARY_PRODUCTION = "How much does a production manager earn?"


def test_action_server_down_gets_an_apology_then_the_conversation_carries_on(stack: Stack) -> None:
    sender = new_sender("down")
    assert "$73,786" in texts(say(stack, sender, SALARY_PRODUCTION)[1])
    stack.action_server.stop()
    try:
        started = time.monotonic()
        status, replies = say(stack, sender, "and product managers?")
        elapsed = time.monotonic() - started
        assert status == 200
        assert texts(replies) == ACTION_APOLOGY
        # Not hung: bounded generously (a loaded machine may add seconds), the log says why.
        assert elapsed < ACTION_TIMEOUT + 30
    finally:
        stack.restart_actions()
    # The failed turn changed no slot: the role and topic of the last answer still hold.
    status, replies = say(stack, sender, "and product managers?")
    assert status == 200 and "$98,439" in texts(replies)
    assert stack.user_texts(sender) == [SALARY_PRODUCTION, "and product managers?", "and product managers?"]
    assert "could not be reached" in stack.rasa.log.read_text()


def test_action_server_hung_gets_an_apology_within_the_timeout(stack: Stack) -> None:
    sender = new_sender("slow")
    assert "$73,786" in texts(say(stack, sender, SALARY_PRODUCTION)[1])
    stack.pause_actions()
    try:
        started = time.monotonic()
        status, replies = say(stack, sender, "what about their education?")
        elapsed = time.monotonic() - started
    finally:
        stack.resume_actions()
    assert status == 200
    assert texts(replies) == ACTION_APOLOGY
    # It waited for the timeout (the lower bound), and was not hung (a generous upper one:
    # a loaded machine may add seconds); the log line below names the timeout.
    assert ACTION_TIMEOUT - 0.5 <= elapsed < ACTION_TIMEOUT + 30
    status, replies = say(stack, sender, "what about their education?")
    assert status == 200 and "engineering" in texts(replies)
    assert stack.user_texts(sender)[-2:] == ["what about their education?"] * 2
    assert f"did not answer within {ACTION_TIMEOUT:g} s" in stack.rasa.log.read_text()


def http_status(url: str) -> tuple[int, Any]:
    """GET `url`: the status and the JSON body, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _broken_facts(tmp_path: Path) -> Path:
    facts = yaml.safe_load((ROOT / "facts" / "facts.yml").read_text(encoding="utf-8"))
    del facts["facts"]["product_manager"]["skills"]
    path = tmp_path / "broken-facts.yml"
    path.write_text(yaml.safe_dump(facts), encoding="utf-8")
    return path


def _run(command: list[str], env: dict[str, str], cwd: Path = ROOT, timeout: float = 240) -> tuple[int, str]:
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"{command[0]} did not stop within {timeout:.0f} s:\n{output[-2000:]}")
    return process.returncode, output


def test_bad_fact_file_stops_the_check_with_file_and_key(tmp_path: Path) -> None:
    broken = _broken_facts(tmp_path)
    code, output = _run([str(VENV_BIN / "python"), "-m", "actions.fact_store", str(broken)], rasa_env())
    assert code != 0
    assert str(broken) in output and "facts.product_manager.skills" in output


def test_bad_fact_file_stops_the_action_server_with_file_and_key(tmp_path: Path) -> None:
    broken = _broken_facts(tmp_path)
    command = [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(free_port()), "--actions", "actions"]
    code, output = _run(command, rasa_env(FACTS_PATH=str(broken)))
    assert code == 1
    assert str(broken) in output and "facts.product_manager.skills" in output
    assert "Fix it and restart" in output


def test_bad_fact_file_stops_a_rasa_server_that_runs_the_actions_itself(tmp_path: Path) -> None:
    # endpoints.yml's actions_module: the Rasa server imports the actions, and so the fact store.
    broken = _broken_facts(tmp_path)
    command = [str(VENV_BIN / "rasa"), "run", "--model", str(MODEL), "--port", str(free_port())]
    command += ["--credentials", str(CREDENTIALS), "--endpoints", str(ENDPOINTS)]
    env = rasa_env(
        FACTS_PATH=str(broken),
        ACTION_SERVER_URL="",
        TRACKER_STORE_URL=f"sqlite:///{tmp_path / 'conversations.db'}",
        REDIS_URL="",
    )
    code, output = _run(command, env, timeout=120)
    assert code == 1
    assert str(broken) in output and "facts.product_manager.skills" in output
    assert "Fix it and restart" in output


def test_bad_fact_file_stops_make_run_before_anything_starts(tmp_path: Path) -> None:
    broken = _broken_facts(tmp_path)
    env = rasa_env(FACTS_PATH=str(broken), RASA_PORT=str(free_port()), WEB_PORT=str(free_port()))
    # Bounded by _run's timeout (120 s); that nothing started is in the output.
    code, output = _run(["bash", str(ROOT / "scripts" / "run.sh")], env, timeout=120)
    assert code != 0
    assert str(broken) in output and "facts.product_manager.skills" in output
    assert "Web chat on" not in output and "Rasa server on" not in output


def test_missing_model_stops_make_run_with_what_to_do(tmp_path: Path) -> None:
    # run.sh works from the folder above its own: a copy without models/ is a checkout without a model.
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "run.sh", tmp_path / "scripts" / "run.sh")
    shutil.copytree(ROOT / "scripts" / "lib", tmp_path / "scripts" / "lib")  # what run.sh sources
    code, output = _run(["bash", str(tmp_path / "scripts" / "run.sh")], rasa_env(), cwd=tmp_path, timeout=30)
    assert code == 1
    assert "models/assistant.tar.gz is missing" in output and "make train" in output


def test_a_model_that_cannot_load_gets_503_and_an_apology_not_silence(tmp_path: Path, stack: Stack) -> None:
    # A model file that is not an archive: Rasa logs the error, starts anyway, and
    # (unguarded) drops every message with an INFO line: REST got [] and socket.io nothing.
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model archive")
    origin = stack.web.base
    rasa = RasaServer(tmp_path, extra_args=["--model", str(broken), "--cors", origin])
    rasa.start()
    try:
        # The health route the image's check and the Kubernetes probes ask says so.
        assert http_status(f"{stack.rasa.base}/webhooks/rest/") == (200, {"status": "ok"})
        status, body = http_status(f"{rasa.base}/webhooks/rest/")
        assert status == 503 and body["error"] == "no_model"
        status, replies = post(
            f"{rasa.base}/webhooks/rest/webhook",
            json.dumps({"sender": new_sender("nomodel"), "message": SALARY_PRODUCTION}).encode(),
        )
        assert status == 503
        assert texts(replies) == STORE_APOLOGY
        client = SocketIOClient(rasa.base, origin).connect()
        try:
            # The marker message after it gets the apology too.
            assert client.ask(SALARY_PRODUCTION, marker_answer=STORE_APOLOGY) == [STORE_APOLOGY]
        finally:
            client.close()
        log = rasa.log.read_text()
        assert f"No valid model found at {broken}" in log  # Rasa's own start-up line
        assert "ModelNotLoaded: no model is loaded (the start-up log says why)" in log
        assert "Ignoring message as there is no agent" not in log
    finally:
        rasa.stop()
