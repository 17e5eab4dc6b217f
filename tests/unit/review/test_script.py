"""scripts/review.py as `make review` runs it: the files, the summary, the exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import review
from tests.unit.review.conftest import HOUR, Talk, save


def test_writes_both_files_and_prints_the_counts(
    tmp_path: Path, now: float, capsys: pytest.CaptureFixture[str]
) -> None:
    talk = (
        Talk("a", now - HOUR)
        .user("asdfgh", "nlu_fallback", 0.4)
        .bot("Sorry, I didn't catch that.", "fallback")
        .user("what is the job outlook?")
        .bot("The article doesn't say anything about job outlook.", "uncovered", uncovered="job_outlook")
    )
    database = save(tmp_path / "c.db", [talk, Talk("old", now - 9 * 24 * HOUR).user("hi", "greet")])
    out = tmp_path / "review"
    assert review.main(["--store", f"sqlite:///{database}", "--out", str(out), "--page-size", "3"]) == 0
    printed = capsys.readouterr().out
    assert "(7d)" in printed
    assert "1 conversations, 2 messages, 1 fallbacks, 0 negative feedback" in printed
    assert "below the confidence threshold 1, fallback (nothing recognised) 1" in printed
    assert "not in the article: job outlook and demand 1" in printed
    assert (out / "index.html").is_file() and (out / "to_label.yml").is_file()


def test_a_store_that_cannot_be_read_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert review.main(["--store", f"sqlite:///{tmp_path / 'none.db'}", "--out", str(tmp_path)]) == 2
    assert "cannot read the tracker store" in capsys.readouterr().err


def test_since_must_have_a_unit(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        review.main(["--since", "7", "--out", str(tmp_path)])
