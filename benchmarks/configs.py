"""The benchmark's configurations: each bot's files, environment and stores, and one configuration's run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

from benchmarks.measure import (
    BotResult,
    Measured,
    fill_store,
    long_conversation,
    machine_noise,
    measure_side_by_side,
    new_conversations,
    read_memory,
    start,
    talk,
)
from benchmarks.processes import Bot, Setup
from benchmarks.traffic import ADVISOR_CONVERSATION, STOCK_CONVERSATIONS, our_conversations
from local_stack.processes import ROOT
from local_stack.services import Postgres, Redis


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def setups(
    key: str, tmp: Path, action_url: str | None, services: tuple[Postgres, Redis] | None, tag: str = ""
) -> tuple[Setup, Setup]:
    """This assistant's and the stock bot's files and environment in configuration `key`.

    Another `tag`: the same configuration on stores of its own (files, databases).
    """
    shipped = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    ours_endpoints = dict(shipped)
    credentials = ROOT / "credentials.yml"
    stock_credentials = tmp / "credentials-stock.yml"
    stock_credentials.write_text("rest:\n")
    folder = tmp / f"{key}{tag}"
    folder.mkdir()
    # Never the caller's stores: each configuration says where conversations go. The
    # actions run in the Rasa server, as `make run` runs them (endpoints.yml's
    # actions_module), except in the cluster, which calls the bench's own action
    # server on a free port, as `make cluster` calls its own (ACTION_SERVER_URL).
    ours_env = {"TRACKER_STORE_URL": "", "REDIS_URL": "", "ACTION_SERVER_URL": ""}
    if key == "cluster":
        if not action_url:
            raise ValueError("the cluster configuration calls an action server: give its URL")
        ours_env["ACTION_SERVER_URL"] = action_url
    if key == "memory":
        del ours_endpoints["tracker_store"], ours_endpoints["lock_store"]
        stock_endpoints: dict[str, Any] = {}
    elif key == "sqlite":
        ours_env["TRACKER_STORE_URL"] = f"sqlite:///{folder / 'ours.db'}"
        stock_endpoints = {
            "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(folder / "stock.db")}
        }
    else:
        assert services is not None
        postgres, redis = services
        database = f"rasa{tag}"
        if tag:
            postgres.create_database(database)
            postgres.create_database(f"stock{tag}")
        ours_env.update(
            TRACKER_STORE_URL=postgres.url.rsplit("/", 1)[0] + f"/{database}",
            REDIS_URL=redis.url.rsplit("/", 1)[0] + ("/2" if tag else "/0"),
        )
        stock_endpoints = {
            "tracker_store": {
                "type": "SQL",
                "dialect": "postgresql",
                "url": "127.0.0.1",
                "port": postgres.port,
                "db": f"stock{tag}",
                "username": "rasa",
                "password": postgres.password,
            },
            "lock_store": {
                "type": "redis",
                "url": "127.0.0.1",
                "port": redis.port,
                "password": redis.password,
                "db": 3 if tag else 1,
            },
        }
    servers = 2 if key == "cluster" else 1
    # SQLite and the cluster: endpoints.yml itself, as `make run` and `make cluster` read it.
    if key == "memory":
        ours_file = write_yaml(folder / "endpoints-ours.yml", ours_endpoints)
    else:
        ours_file = ROOT / "endpoints.yml"
    ours = Setup(credentials, ours_file, ours_env, servers)
    stock = Setup(stock_credentials, write_yaml(folder / "endpoints-stock.yml", stock_endpoints), {}, servers)
    return ours, stock


def run_config(
    key: str,
    tmp: Path,
    models: tuple[Path, Path],
    action_url: str | None,
    args: argparse.Namespace,
    results: tuple[BotResult, BotResult],
) -> None:
    """Start both bots in configuration `key`, measure them side by side, stop them."""
    services: tuple[Postgres, Redis] | None = None
    postgres, redis = Postgres(), Redis()
    ours, stock = results
    try:
        if key == "cluster":
            postgres.start()
            redis.start()
            postgres.create_database("stock")
            services = (postgres, redis)
        ours_setup, stock_setup = setups(key, tmp, action_url, services)
        our_bot = Bot(f"ours-{key}", models[0], ROOT, tmp, ours_setup)
        stock_bot = Bot(f"stock-{key}", models[1], tmp / "stock", tmp, stock_setup)
        bots: list[Measured] = [
            (our_bot, our_conversations(), ours),
            (stock_bot, list(STOCK_CONVERSATIONS), stock),
        ]
        try:
            # One at a time, so that each cold start has the machine to itself.
            start(our_bot, bots[0][1], args.budget, ours)
            start(stock_bot, bots[1][1], args.budget, stock)
            advisor: Measured = (our_bot, [ADVISOR_CONVERSATION], ours)
            measure_side_by_side(bots, args.messages, args.budget, advisor)
            machine_noise((ours, stock), args.noise_seconds)
            for bot, conversations, _ in bots:
                fill_store(bot, conversations, args.store_size, args.budget)
            long_conversation(bots, args.turns, 2 * args.budget)
            read_memory(bots)
            # A new conversation in the full store against one in an empty store: each
            # bot's running servers beside fresh ones on stores of their own, at once.
            ours_empty, stock_empty = setups(key, tmp, action_url, services, "_empty")
            empty = [
                Bot(f"ours-{key}-empty", models[0], ROOT, tmp, ours_empty),
                Bot(f"stock-{key}-empty", models[1], tmp / "stock", tmp, stock_empty),
            ]
            try:
                for bot, (_, conversations, _) in zip(empty, bots, strict=True):
                    bot.start()
                    talk(bot, conversations, 10, args.budget, tag="warm")
                new_conversations(bots, empty, args.new_conversations)
            finally:
                for bot in empty:
                    bot.stop()
        finally:
            our_bot.stop()
            stock_bot.stop()
    finally:
        redis.stop()
        postgres.stop()
