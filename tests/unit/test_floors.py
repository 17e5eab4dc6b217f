"""The floors of the quality tests (evaluation/floors.py) and `make evaluate`'s word on them."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from evaluation.floors import (
    CHALLENGE_CLASS,
    QUESTIONS,
    all_floors,
    floor_lines,
    measured_for_floors,
    messages,
)


def test_a_floor_is_the_recorded_figure_less_its_margin() -> None:
    floor = messages(17, 18, 1, "one message")
    assert floor.value == pytest.approx(16 / 18)
    assert 16 / 18 >= floor.value > 15 / 18  # holds exactly one message less, in floats too
    assert QUESTIONS.value == pytest.approx(146 / 148)


def test_the_verdict_says_when_a_floor_should_move() -> None:
    floor = messages(17, 18, 1, "one message")
    assert floor.verdict(17 / 18) is None and floor.verdict(16 / 18) is None
    assert "record 1.000" in (floor.verdict(1.0) or "")
    assert "below its floor" in (floor.verdict(15 / 18) or "")


def test_every_floor_states_its_margin_and_sits_below_its_record() -> None:
    for name, floor in all_floors().items():
        assert 0 < floor.margin < 0.2 and 0 < floor.value < floor.recorded <= 1, name
        assert "margin" in floor.why, name


def test_make_evaluate_names_the_floors_to_move(tmp_path: Path) -> None:
    (tmp_path / "e2e").mkdir()
    by_category = {n: {"right": round(f.recorded * 100), "total": 100} for n, f in CHALLENGE_CLASS.items()}
    by_category["self_description"] = {"right": 18, "total": 18}  # recorded 17/18: move
    by_category["compound"] = {"right": 16, "total": 18}  # floor 17/18: fails
    challenge = {
        "by_category": by_category,
        "by_length": {
            "single question": {"right": 293, "total": 296},
            "dialogue": {"right": 139, "total": 140},
        },
    }
    (tmp_path / "e2e" / "challenge.json").write_text(json.dumps(challenge), encoding="utf-8")
    (tmp_path / "e2e" / "questions.json").write_text(json.dumps({"rate": 1.0}), encoding="utf-8")
    score = SimpleNamespace(
        intent_accuracy=237 / 256,
        entity_f1=0.986,
        role_accuracy=127 / 128,
        intent_recall=lambda: {"ask_question": 154 / 161, "greet": 1.0},
    )
    lines = floor_lines(measured_for_floors(tmp_path, score))
    text = "\n".join(lines)
    assert "challenge: self_description: measured 1.000, recorded 0.944, above its floor" in text
    assert "challenge: compound: measured 0.889" in text and "below its floor" in text
    assert "held-out: recall greet: measured 1.000" in text
    assert "held-out: recall thank: not measured" in text
    assert not any(name in text for name in ("questions: all", "intent accuracy", "challenge: dialogues"))
