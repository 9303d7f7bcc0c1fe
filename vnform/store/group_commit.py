"""Group commit on SQLite: submissions that arrive while one commit is under way share
the next transaction.

Each commit of SQLite's one writer ends with an fsync (``synchronous=FULL``), and a
crowd of citizens sending a campaign's survey at once would otherwise queue behind one
fsync each. Here the writes that wait while a transaction runs go together into the
next one, each inside its own savepoint: a write that fails (a token used already, a
full form, a rated case) is rolled back alone and its caller gets its exception, while
the others commit. Every caller hears back only after the COMMIT that holds its rows,
so nothing is acknowledged before it is on disk.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]
#: What one write of a batch came to: (True, its result) or (False, its exception).
Outcome = tuple[bool, Any]


class GroupCommit:
    """The writes waiting for *client*'s (SQLite's writer's) next transaction. *run_on_thread*
    runs a function of the raw connection on the client's own thread, holding the client
    (so that no other transaction of it runs meanwhile)."""

    def __init__(self, client: Any,
                 run_on_thread: Callable[[Any, Callable[[sqlite3.Connection], Any]], Any]
                 ) -> None:
        self.client = client
        self.run_on_thread = run_on_thread
        self.waiting: list[tuple[Work, asyncio.Future[Any]]] = []
        self.draining: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """*work*'s result, run on the connection's thread in a transaction it may share
        with other writes; an exception it raises undoes its own writes only."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.waiting.append((work, future))
        if self.draining is None:
            self.draining = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.waiting:
                batch = [(work, future) for work, future in self.waiting
                         if not future.cancelled()]  # its caller has gone: not written
                self.waiting = []
                if not batch:
                    continue
                try:
                    outcomes = await self.run_on_thread(
                        self.client, lambda raw, works=[w for w, _ in batch]: _batch(raw, works))
                except asyncio.CancelledError:  # the server is stopping: so are its callers
                    for _work, future in [*batch, *self.waiting]:
                        future.cancel()
                    self.waiting = []
                    raise
                except Exception as failed:  # noqa: BLE001 - the whole transaction failed
                    outcomes = [(False, failed)] * len(batch)
                for (_work, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self.draining = None


def _batch(raw: sqlite3.Connection, works: list[Work]) -> list[Outcome]:
    """Run *works* in one transaction on *raw*, each in its own savepoint."""
    raw.execute("BEGIN IMMEDIATE")
    outcomes: list[Outcome] = []
    try:
        for work in works:
            raw.execute("SAVEPOINT submission")
            try:
                value = work(raw)
            except Exception as refused:  # noqa: BLE001 - reaches its own caller
                if not raw.in_transaction:  # SQLite ended the whole transaction
                    raise
                raw.execute("ROLLBACK TO submission")
                raw.execute("RELEASE submission")
                outcomes.append((False, refused))
            else:
                raw.execute("RELEASE submission")
                outcomes.append((True, value))
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    return outcomes
