"""`make bench`: this assistant against a stock `rasa init` bot, side by side, in one run.

A benchmark, not a test: it prints Markdown tables and writes them, with how
they were measured, to docs/benchmarks.md. Everything runs here, on loopback.

Three configurations, one after the other, each bot given the same kind of
tracker store in each:

- `sqlite`: `make run`'s (this assistant with the shipped credentials.yml and
  endpoints.yml, its tracker store on SQLite in a temp folder; the stock bot
  with Rasa's SQL tracker store on SQLite);
- `cluster`: `make cluster`'s (two Rasa servers a bot on PostgreSQL and Redis,
  behind nginx; the stock bot with Rasa's SQL and Redis stores);
- `memory`: both in memory, for reference.

In each: cold start (`rasa run` to the first 200 from `/status`), latency
through `POST /webhooks/rest/webhook` sequential and with 8 concurrent
conversations, throughput, `/model/parse` latency, resident memory, and
growth: one conversation of 300 turns (turn 300 against turn 20) and a new
conversation in a store of 1,000 conversations against one in an empty store.
Training time (cache disabled) is measured once.

Every loop is bounded by a message count and a time budget.
Usage: python -m scripts.bench [--configs sqlite,cluster,memory] [--messages N] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks.configs import run_config
from benchmarks.measure import BotResult
from benchmarks.processes import cpu_busy_seconds, own_cpu_seconds, rss_mb, train
from benchmarks.report import Run, machine, report, write_doc
from benchmarks.targets import CONFIGS
from local_stack.processes import ROOT
from local_stack.servers import MODEL, RASA, ActionServer
from local_stack.services import missing_services


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--configs",
        default="sqlite,cluster,memory",
        help="configurations to measure, in order (default sqlite,cluster,memory)",
    )
    # A p99 needs many samples: from 400 it is the 5th-worst message, one stall decides it.
    parser.add_argument(
        "--messages", type=int, default=1200, help="messages per phase and bot (default 1200)"
    )
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per phase at most (default 120)")
    parser.add_argument("--turns", type=int, default=300, help="turns of the long conversation (default 300)")
    parser.add_argument(
        "--store-size", type=int, default=1000, help="conversations in the full store (default 1000)"
    )
    parser.add_argument(
        "--new-conversations",
        type=int,
        default=200,
        help="new conversations timed in the empty and in the full store (default 200)",
    )
    parser.add_argument(
        "--noise-seconds",
        type=float,
        default=20.0,
        help="seconds of CPU work timed for the machine's stretch (benchmarks/noise.py; default 20, 0: off)",
    )
    parser.add_argument(
        "--stock-project",
        help="while iterating: a trained `rasa init` folder to serve instead of training both bots",
    )
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument("--note", default="", help="a sentence to add to the report (e.g. machine load)")
    args = parser.parse_args(argv)

    keys = [k.strip() for k in args.configs.split(",") if k.strip()]
    unknown = [k for k in keys if k not in CONFIGS]
    if unknown or not keys:
        parser.error(f"unknown configuration(s) {unknown}; choose from {', '.join(CONFIGS)}")
    if not MODEL.exists():
        print(f"error: {MODEL} is missing: run `make train`", file=sys.stderr)
        return 1
    if "cluster" in keys and missing_services():
        print(
            f"error: the cluster configuration needs {', '.join(missing_services())}: "
            "run scripts/install_services.sh (as root), or leave it out with --configs sqlite,memory",
            file=sys.stderr,
        )
        return 1
    # On SIGTERM, unwind so that every server started here is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(timezone.utc)
    busy0, own0, wall0 = cpu_busy_seconds(), own_cpu_seconds(), time.perf_counter()
    load0 = os.getloadavg()[0]
    measured: dict[str, tuple[BotResult, BotResult]] = {
        k: (BotResult("this assistant"), BotResult("stock rasa init")) for k in keys
    }
    action_start_s: float | None = None
    action_rss: float | None = None
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "stock").mkdir()
        first_ours, first_stock = measured[keys[0]]
        if args.stock_project:
            # Iterating: a `rasa init` project trained before; no training row.
            shutil.copytree(args.stock_project, tmp / "stock", dirs_exist_ok=True)
        else:
            first_ours.train_s = train(
                "this assistant",
                [
                    RASA,
                    "train",
                    "--config",
                    "config.yml",
                    "--domain",
                    "domain.yml",
                    "--data",
                    "data",
                    "--out",
                    str(tmp / "ours"),
                    "--fixed-model-name",
                    "assistant",
                ],
                ROOT,
                tmp / "cache-ours",
                tmp / "train-ours.log",
            )
            first_stock.train_s = train(
                "stock rasa init",
                [RASA, "init", "--no-prompt", "--init-dir", str(tmp / "stock")],
                tmp,
                tmp / "cache-stock",
                tmp / "train-stock.log",
            )
        stock_model = next((tmp / "stock" / "models").glob("*.tar.gz"))

        # This assistant: the served model (models/assistant.tar.gz), its actions in the
        # Rasa server, and for the cluster an action server, as make cluster has one.
        actions: ActionServer | None = None
        if "cluster" in keys:
            print("[bench] this assistant: starting the cluster's action server ...", flush=True)
            action_start = time.perf_counter()
            actions = ActionServer(tmp).start()
            action_start_s = time.perf_counter() - action_start
        try:
            for key in keys:
                print(f"[bench] configuration {key}", flush=True)
                # What training or the previous configuration wrote goes to disk now, not
                # while messages are timed: by hand (2026-12-02, /proc/vmstat), stretches of
                # slow messages came with the kernel writing dirty pages back.
                os.sync()
                action_url = actions.url if actions is not None else None
                run_config(key, tmp, (MODEL, stock_model), action_url, args, measured[key])
            if actions is not None:
                assert actions.process is not None
                action_rss = rss_mb(actions.process.pid)
        finally:
            if actions is not None:
                actions.stop()

    wall = time.perf_counter() - wall0
    busy = cpu_busy_seconds() - busy0
    own = own_cpu_seconds() - own0
    run = Run(
        started=started,
        machine=machine(),
        wall_s=wall,
        others_cpu_s=max(0.0, busy - own),
        cores=os.cpu_count() or 1,
        load_start=load0,
        load_end=os.getloadavg()[0],
        action_start_s=action_start_s,
        action_rss_mb=action_rss,
        note=args.note,
    )
    text, summary = report(CONFIGS, measured, args.turns, run)
    print("\n" + text + "\n\n" + "\n".join(summary))
    if not args.no_write:
        write_doc(Path(args.out), text, summary)
        print(f"\n[bench] wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
