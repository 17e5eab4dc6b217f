"""SQLite's WAL checkpoints in a thread of their own, off the message path.

In WAL mode a commit appends to the log, and SQLite copies the log back into
the database (a checkpoint, with its fsyncs) inside whichever commit takes the
log past 1,000 pages. With `make run`'s conversations that was one save in
about 200, and in a slow state of this machine that save took 15-22 ms instead
of about 1 ms: timed inside the server, most of the slowest advisor turns
(docs/benchmarks.md, design item 15).

Here a second connection, in a thread, runs a PASSIVE checkpoint after every
`EVERY_SAVES` saves. PASSIVE never waits for readers or writers, and Python's
sqlite3 releases the GIL while SQLite works, so the event loop carries on. A
checkpoint that copies the whole log lets the next commit start the log from
its beginning, so the log stays small. SQLite's own automatic checkpoint is left
as it is: if this thread falls behind, the commit that takes the log past 1,000
pages checkpoints, as before.
"""

from __future__ import annotations

import logging
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor

logger = logging.getLogger(__name__)

# Small checkpoints, each done long before the next one is due: in `make run`'s
# form the log stayed under 1 MB, where SQLite's own threshold lets it reach 4 MB
# (by hand, 2026-12-02).
EVERY_SAVES = 20


class BackgroundCheckpoints:
    """Checkpoints the WAL of the SQLite file at `path` after every `every` saves."""

    def __init__(self, path: str, every: int = EVERY_SAVES) -> None:
        self.path = path
        self.every = every
        self.saves = 0
        # (busy, frames in the log, frames checkpointed) of the latest checkpoints,
        # as `PRAGMA wal_checkpoint` returns them.
        self.results: list[tuple[int, int, int]] = []
        self.failures = 0
        self._pending: Future[None] | None = None
        self._connection: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")

    def saved(self) -> None:
        """Count a committed save; every `every`-th starts a checkpoint unless one is running."""
        self.saves += 1
        if self.saves % self.every:
            return
        if self._pending is not None and not self._pending.done():
            return
        self._pending = self._executor.submit(self._checkpoint)

    def wait(self) -> None:
        """Until the checkpoint started last has finished."""
        if self._pending is not None:
            self._pending.result()

    def close(self) -> None:
        # After the executor's shutdown no checkpoint runs, so the connection is free to close.
        self._executor.shutdown(wait=True)
        self._disconnect()

    def _checkpoint(self) -> None:
        # Only the executor's one thread runs this: one checkpoint at a time.
        try:
            if self._connection is None:
                self._connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            ((busy, log, done),) = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:
            # The commits go on; SQLite's own checkpoint in them takes over.
            self._disconnect()
            self.failures += 1
            if self.failures == 1:
                logger.warning(
                    "SQLite checkpoint in the background failed (%s); commits checkpoint instead.", error
                )
            return
        self.results = [*self.results[-9:], (busy, log, done)]

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
