"""review/to_label.py: Rasa's reader loads the file, under the predicted intents, without known examples."""

from __future__ import annotations

from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data

from review import findings, store, to_label
from review.conversations import conversations
from tests.unit.review.conftest import Talk, save

ROOT = Path(__file__).resolve().parents[3]
RANKING = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_question", "confidence": 0.33}]


def candidates(database: Path, talk: Talk, known: set[str]) -> list[to_label.Candidate]:
    save(database, [talk])
    read = conversations(store.read_events(f"sqlite:///{database}"))
    return to_label.candidates(findings.findings(read, threshold=0.4), known)


def test_loads_with_rasas_reader_under_the_predicted_intent(tmp_path: Path, now: float) -> None:
    talk = (
        Talk("a", now)
        .user("prodution mgr pay pls", "nlu_fallback", 0.4, RANKING)
        .bot("Sorry?", "fallback")
        .user("Prodution mgr pay, pls!", "nlu_fallback", 0.4, RANKING)
        .bot("Sorry?", "fallback")
        .user("hmm # what: [x](role) {y}", "greet", 0.2)
        .bot("Hi!", "small_talk")
        .user("/feedback_negative", "feedback_negative", 1.0)
        .feedback("negative")
    )
    found = candidates(tmp_path / "c.db", talk, set())
    path = tmp_path / "to_label.yml"
    to_label.write(path, found)
    text = path.read_text(encoding="utf-8")
    assert (
        "# confidence 0.33 (below the confidence threshold, fallback (nothing recognised), 2 messages)"
        in text
    )
    assert "# confidence 0.20 (below the confidence threshold, negative feedback)\n" in text
    loaded = load_data(str(path))
    examples = {(m.get("text"), m.get("intent")) for m in loaded.intent_examples}
    assert ("prodution mgr pay pls", "ask_question") in examples
    # Brackets as typed, not an entity annotation.
    assert ("hmm # what: [x] (role) {y}", "greet") in examples
    assert all(not m.get("entities") for m in loaded.intent_examples)
    # The button payload is never a training example.
    assert not any(text.startswith("/") for text, _ in examples)
    assert len(loaded.intent_examples) == 2


def test_leaves_out_the_training_data(tmp_path: Path, now: float) -> None:
    known = to_label.training_texts(ROOT / "data")
    training = load_data(str(ROOT / "data" / "nlu.yml")).intent_examples[0].get("text")
    talk = Talk("a", now).user(training.upper() + "!", "greet", 0.1).user("zzz new words", "greet", 0.1)
    found = candidates(tmp_path / "c.db", talk, known)
    assert [c.text for c in found] == ["zzz new words"]


def test_nothing_to_label_is_still_a_file_rasa_loads(tmp_path: Path) -> None:
    path = tmp_path / "to_label.yml"
    to_label.write(path, [])
    assert load_data(str(path)).intent_examples == []
