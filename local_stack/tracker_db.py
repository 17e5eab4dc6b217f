"""Reading what a tracker store database holds, with SQLAlchemy, as Rasa's SQL tracker store keeps it."""

from __future__ import annotations

import json
from typing import Any


def stored_events(
    url: str, sender_ids: list[str] | None = None, prefix: str | None = None, type_name: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every event a tracker store database holds for these conversations (`sender_ids`, or
    every one whose id starts with `prefix`), in stored order; `type_name`: only those events."""
    import sqlalchemy as sa

    where = "sender_id LIKE :p" if prefix is not None else "sender_id IN :ids"
    if type_name is not None:
        where += " AND type_name = :type_name"
    query = sa.text(f"SELECT sender_id, data FROM events WHERE {where} ORDER BY id")
    params: dict[str, Any] = {"type_name": type_name} if type_name is not None else {}
    if prefix is not None:
        params["p"] = prefix + "%"
    else:
        query = query.bindparams(sa.bindparam("ids", expanding=True))
        params["ids"] = sender_ids or []
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            events: dict[str, list[dict[str, Any]]] = {}
            for sender_id, data in connection.execute(query, params):
                events.setdefault(sender_id, []).append(json.loads(data))
            return events
    finally:
        engine.dispose()
