"""Trains each NLU pipeline variant and scores it on the held-out file.

Usage: python -m scripts.compare_pipelines CONFIG [CONFIG ...]
Prints a Markdown table: held-out intent accuracy, role entity F1, resolved
role accuracy, product/production mix-ups, training time and parse latency.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluation.holdout import HOLDOUT, score_model
from local_stack.processes import ROOT


def parse_latency_ms(model: Path) -> float:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(str(model))
    texts = [m.get("text") for m in load_data(str(HOLDOUT)).intent_examples]

    async def run() -> list:
        times = []
        for text in texts:
            start = time.perf_counter()
            await agent.parse_message(text)
            times.append((time.perf_counter() - start) * 1000)
        return times

    return statistics.median(asyncio.run(run()))


def main(configs: list) -> None:
    rows = []
    for config in configs:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run(
                [
                    str(ROOT / ".venv/bin/rasa"),
                    "train",
                    "nlu",
                    "--config",
                    config,
                    "--nlu",
                    "data/nlu.yml",
                    "--out",
                    out,
                    "--fixed-model-name",
                    "nlu",
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "RASA_MAX_CACHE_SIZE": "0"},
            )
            seconds = time.perf_counter() - start
            model = Path(out) / "nlu.tar.gz"
            score = score_model(model)
            latency = parse_latency_ms(model)
        rows.append(
            f"| `{config}` | {score.intent_accuracy:.3f} | {score.entity_f1:.3f} | "
            f"{score.role_accuracy:.3f} | {len(score.role_mixups)} | {seconds:.0f} s | {latency:.1f} ms |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    print(
        "| pipeline | intent accuracy | role entity F1 | role resolved "
        "| product/production mix-ups | training | parse p50 |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1:] or ["config.yml"])
