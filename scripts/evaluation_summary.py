"""The summary of `make evaluate` (scripts/evaluate.sh), from the reports in results/.

Usage:
  python -m scripts.evaluation_summary --results results [--folds 5] [--no-docs]
      prints the summary table, writes results/summary.md, and puts the table
      and the confusion matrices into docs/evaluation.md and docs/images/
  python -m scripts.evaluation_summary --no-fallback-config config.yml OUT.yml
      writes config.yml without its FallbackClassifier, for cross-validation
  python -m scripts.evaluation_summary --brief results/nlu
      one line: accuracy, macro F1 and role F1 of a `rasa test nlu` output folder

After the summary it compares what was measured with the floors `make test`
holds (evaluation/floors.py: recorded figure less a noise margin) and prints a line
for every figure above its floor by more than the margin (record it, and the
floor moves up) or below its floor (a test fails); results/floors.md keeps them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from scripts.doc_block import markers, replace_block

ROOT = Path(__file__).resolve().parent.parent

DOC = ROOT / "docs" / "evaluation.md"
IMAGES = ROOT / "docs" / "images"
BEGIN, END = markers("evaluate")
E2E_SETS = (
    ("questions", "the project's question set (`tests/e2e/questions.yml`)"),
    ("challenge", "the challenge set (`tests/e2e/challenge.yml`, written apart from `data/`)"),
    ("blind", "the blind set (`tests/e2e/blind.yml`, written apart from `data/` and this code)"),
    ("final", "the third blind set (`tests/e2e/final.yml`)"),
    ("final2", "the fourth blind set (`tests/e2e/final2.yml`)"),
)


def write_no_fallback_config(source: Path, target: Path) -> None:
    config = yaml.safe_load(source.read_text(encoding="utf-8"))
    pipeline = [c for c in config.get("pipeline") or [] if c.get("name") != "FallbackClassifier"]
    if len(pipeline) == len(config.get("pipeline") or []):
        print(f"note: {source} has no FallbackClassifier", file=sys.stderr)
    config["pipeline"] = pipeline
    target.write_text(
        f"# Generated from {source.name} without FallbackClassifier, for cross-validation.\n"
        + yaml.safe_dump(config, sort_keys=False),
        encoding="utf-8",
    )


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _confusions(folder: Path) -> Counter[tuple[str, str]]:
    """(expected, predicted) intent pairs of every error in a `rasa test nlu` output folder."""
    pairs: Counter[tuple[str, str]] = Counter()
    errors = _load(folder / "intent_errors.json")
    if isinstance(errors, list):
        for error in errors:
            pairs[(str(error.get("intent")), str((error.get("intent_prediction") or {}).get("name")))] += 1
        return pairs
    for intent, row in (_load(folder / "intent_report.json") or {}).items():
        if isinstance(row, dict):
            for other, count in (row.get("confused_with") or {}).items():
                pairs[(intent, other)] += int(count)
    return pairs


def _nlu(folder: Path) -> dict[str, Any]:
    report = _load(folder / "intent_report.json") or {}
    # The report of whichever extractor config.yml uses (CRFEntityExtractor, DIETClassifier, ...).
    entities: dict[str, Any] = {}
    for path in sorted(folder.glob("*_report.json")):
        if path.name not in {"intent_report.json", "response_selection_report.json"}:
            entities = _load(path) or {}
            if isinstance(entities, dict) and "role" in entities:
                break
    support = (report.get("macro avg") or {}).get("support", 0)
    return {
        "examples": int(support or 0),
        "accuracy": report.get("accuracy"),
        "macro_f1": (report.get("macro avg") or {}).get("f1-score"),
        "weighted_f1": (report.get("weighted avg") or {}).get("f1-score"),
        "role_f1": (entities.get("role") or {}).get("f1-score"),
        "confusions": _confusions(folder),
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def summary(results: Path, folds: int, seconds: int | None) -> tuple[str, dict[str, Any]]:
    from evaluation.floors import floor_report
    from evaluation.holdout import score_model
    from local_stack.servers import MODEL

    held, cv = _nlu(results / "nlu"), _nlu(results / "nlu_cv")
    score = score_model(MODEL)
    story = _load(results / "dialogue" / "story_report.json") or {}
    conversations = story.get("conversation_accuracy") or {}
    failed = results / "dialogue" / "failed_test_stories.yml"
    failed_count = failed.read_text(encoding="utf-8").count("- story:") if failed.exists() else 0
    e2e: dict[str, Any] = _load(results / "e2e" / "questions.json") or {}
    wrong_figures = [
        f
        for name, _ in E2E_SETS
        for f in (_load(results / "e2e" / f"{name}.json") or {}).get("failures", [])
        if any(p.startswith("has forbidden '$") for p in f.get("problems", []))
    ]

    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d} with `models/assistant.tar.gz`"
        + (f"; `make evaluate` took {seconds // 60} min {seconds % 60} s." if seconds else "."),
        "",
        "**NLU**",
        "",
        f"| measure | held-out (`tests/nlu_holdout.yml`, {held['examples']}) "
        f"| {folds}-fold cross-validation (`data/`, {cv['examples']}) |",
        "| --- | ---: | ---: |",
        f"| intent accuracy | {_f(held['accuracy'])} | {_f(cv['accuracy'])} |",
        f"| intent macro F1 | {_f(held['macro_f1'])} | {_f(cv['macro_f1'])} |",
        f"| intent weighted F1 | {_f(held['weighted_f1'])} | {_f(cv['weighted_f1'])} |",
        f"| `role` entity F1 | {_f(held['role_f1'])} | {_f(cv['role_f1'])} |",
        "",
        "Most confused intent pairs (expected → predicted: count):",
        "",
        "| held-out | cross-validation |",
        "| --- | --- |",
    ]
    top_held = held["confusions"].most_common(5)
    top_cv = cv["confusions"].most_common(5)
    for i in range(max(len(top_held), len(top_cv), 1)):
        cells = []
        for top in (top_held, top_cv):
            cells.append(f"{top[i][0][0]} → {top[i][0][1]}: {top[i][1]}" if i < len(top) else "")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Product/production role confusions: "
        f"{len(score.role_mixups)} of {score.role_total} held-out examples that name a role "
        f"(role resolved right: {_pct(score.role_accuracy)}); "
        f"{len(wrong_figures)} end-to-end answers that gave the other role's (or another career's) figure.",
    ]
    lines += [f"- `{text}`: expected {want}, got {got}" for text, want, got in score.role_mixups]
    lines += [
        "",
        "**Dialogue** (`rasa test core`, `tests/test_stories.yml`)",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| stories right | {conversations.get('correct', 'n/a')} of {conversations.get('total', 'n/a')} |",
        f"| action accuracy | {_f(story.get('accuracy'))} |",
        f"| action macro F1 | {_f((story.get('macro avg') or {}).get('f1-score'))} |",
        f"| failed stories | {failed_count} (`results/dialogue/failed_test_stories.yml`) |",
        "",
        "**End to end** (through `POST /webhooks/rest/webhook`, each item a fresh conversation)",
    ]
    rates: dict[str, Any] = {}
    for name, title in E2E_SETS:
        found = _load(results / "e2e" / f"{name}.json")
        if not found:
            continue
        rates[name] = found.get("rate")
        heading = "class" if found.get("grouping") == "class" else "category"
        lines += ["", f"{title}:", "", f"| {heading} | right | of | % |", "| --- | ---: | ---: | ---: |"]
        for category, counts in (found.get("by_category") or {}).items():
            right, total = counts["right"], counts["total"]
            lines.append(f"| {category} | {right} | {total} | {100 * right / max(1, total):.0f}% |")
        for length, counts in (found.get("by_length") or {}).items():
            right, total = counts["right"], counts["total"]
            lines.append(f"| *{length}s* | {right} | {total} | {100 * right / max(1, total):.0f}% |")
        right, total = found.get("right", "n/a"), found.get("total", "n/a")
        lines.append(f"| **all** | {right} | {total} | {_pct(found.get('rate'))} |")
    data = {
        "floors": floor_report(results, score),  # evaluation/floors.py
        "holdout": {k: v for k, v in held.items() if k != "confusions"},
        "cv": {k: v for k, v in cv.items() if k != "confusions"},
        "role_mixups": len(score.role_mixups),
        "e2e_rate": e2e.get("rate"),
        "e2e_rates": rates,
    }
    return "\n".join(lines), data


def write_doc(table: str, results: Path) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for source, name in (
        (results / "nlu" / "intent_confusion_matrix.png", "intent_confusion_matrix_holdout.png"),
        (results / "nlu_cv" / "intent_confusion_matrix.png", "intent_confusion_matrix_cv.png"),
    ):
        if source.exists():
            shutil.copyfile(source, IMAGES / name)
    replace_block(DOC, "evaluate", table, "Evaluation")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", default=str(ROOT / "results"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--no-docs", action="store_true", help="leave docs/ alone")
    parser.add_argument("--no-fallback-config", nargs=2, metavar=("CONFIG", "OUT"))
    parser.add_argument("--brief", metavar="FOLDER", help="one line about a `rasa test nlu` output folder")
    args = parser.parse_args(argv)
    if args.brief:
        nlu = _nlu(Path(args.brief))
        print(
            f"{nlu['examples']} examples: intent accuracy {_f(nlu['accuracy'])}, "
            f"macro F1 {_f(nlu['macro_f1'])}, role entity F1 {_f(nlu['role_f1'])}; reports in {args.brief}/"
        )
        return 0
    if args.no_fallback_config:
        write_no_fallback_config(Path(args.no_fallback_config[0]), Path(args.no_fallback_config[1]))
        return 0
    results = Path(args.results)
    table, data = summary(results, args.folds, args.seconds)
    print(table)
    moves = data["floors"] or ["- every floor is within its margin of what was measured"]
    floors_text = "Floors of `make test` (evaluation/floors.py) against this run:\n" + "\n".join(moves)
    print("\n" + floors_text)
    (results / "floors.md").write_text(floors_text + "\n", encoding="utf-8")
    (results / "summary.md").write_text(table + "\n", encoding="utf-8")
    (results / "summary.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if not args.no_docs:
        write_doc(table, results)
        print(f"\nwrote {results / 'summary.md'}, docs/evaluation.md and docs/images/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
