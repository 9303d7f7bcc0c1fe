"""Group commit on SQLite: submissions that wait while one transaction runs share the
next, each undone alone when it fails, none acknowledged before its COMMIT."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError, OperationalError

from vnform import store
from vnform.store import group_commit
from vnform.store.database import WRITE, sqlite_transaction


def run_with_writer(path: Path, work: Callable[[Any], Any]) -> Any:
    """*work*(the writer's client) on a SQLite file of one table, ``probe``."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, value TEXT UNIQUE)")

    async def run() -> Any:
        async with TortoiseContext() as context:
            await context.init(config=store.tortoise_config(f"sqlite://{path}"))
            return await work(connections.get(WRITE))

    return asyncio.run(run())


def stored(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [value for (value,) in db.execute("SELECT value FROM probe ORDER BY id")]


def inserting(value: str) -> Callable[[sqlite3.Connection], str]:
    def work(raw: sqlite3.Connection) -> str:
        raw.execute("INSERT INTO probe (value) VALUES (?)", [value])
        return value
    return work


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each transaction the writer runs."""
    sizes: list[int] = []
    real = group_commit._batch

    def counted(raw: sqlite3.Connection, works: list[Any]) -> Any:
        sizes.append(len(works))
        return real(raw, works)

    monkeypatch.setattr(group_commit, "_batch", counted)
    return sizes


def test_writes_that_wait_together_share_one_transaction(tmp_path: Path,
                                                          batches: list[int]) -> None:
    async def work(client: Any) -> list[str]:
        async with client.acquire_connection():  # the writer is busy meanwhile
            sent = [asyncio.create_task(sqlite_transaction(client, inserting(f"v{i}")))
                    for i in range(10)]
            await asyncio.sleep(0.05)
        return list(await asyncio.gather(*sent))

    results = run_with_writer(tmp_path / "db.sqlite3", work)

    assert results == [f"v{i}" for i in range(10)]
    assert sorted(stored(tmp_path / "db.sqlite3")) == sorted(results)
    assert batches == [10]  # one transaction, one fsync


def test_a_refused_write_is_undone_alone_and_its_caller_told(tmp_path: Path,
                                                              batches: list[int]) -> None:
    def half_then_fail(raw: sqlite3.Connection) -> None:
        raw.execute("INSERT INTO probe (value) VALUES ('half')")
        raise ValueError("refused after writing")

    async def work(client: Any) -> list[Any]:
        async with client.acquire_connection():
            sent = [asyncio.create_task(sqlite_transaction(client, w)) for w in (
                inserting("first"), inserting("first"), half_then_fail, inserting("last"))]
            await asyncio.sleep(0.05)
        return list(await asyncio.gather(*sent, return_exceptions=True))

    first, again, failed, last = run_with_writer(tmp_path / "db.sqlite3", work)

    assert (first, last) == ("first", "last")
    assert isinstance(again, IntegrityError)  # as tortoise raises it, for the callers
    assert isinstance(failed, ValueError)
    assert stored(tmp_path / "db.sqlite3") == ["first", "last"]
    assert sum(batches) == 4


def test_a_write_that_ends_the_whole_transaction_fails_every_caller_of_it(
        tmp_path: Path) -> None:
    def ending(raw: sqlite3.Connection) -> None:
        raw.execute("ROLLBACK")  # as SQLite does itself on a full disk or an I/O error
        raise sqlite3.OperationalError("disk I/O error")

    async def work(client: Any) -> list[Any]:
        async with client.acquire_connection():
            sent = [asyncio.create_task(sqlite_transaction(client, w)) for w in (
                inserting("first"), inserting("second"), ending)]
            await asyncio.sleep(0.05)
        outcomes = list(await asyncio.gather(*sent, return_exceptions=True))
        # The writer goes on: the next write has its own transaction.
        outcomes.append(await sqlite_transaction(client, inserting("after")))
        return outcomes

    first, second, ending_outcome, after = run_with_writer(tmp_path / "db.sqlite3", work)

    # Their rows were in the transaction that ended: none is told it was stored.
    assert all(isinstance(outcome, sqlite3.OperationalError | OperationalError)
               for outcome in (first, second, ending_outcome))
    assert after == "after"
    assert stored(tmp_path / "db.sqlite3") == ["after"]


def test_a_caller_gone_before_its_turn_writes_nothing(tmp_path: Path) -> None:
    async def work(client: Any) -> str:
        async with client.acquire_connection():
            first = asyncio.create_task(sqlite_transaction(client, inserting("first")))
            await asyncio.sleep(0.01)  # taken: waiting for the writer
            gone = asyncio.create_task(sqlite_transaction(client, inserting("gone")))
            await asyncio.sleep(0.01)
            gone.cancel()
        return await first

    assert run_with_writer(tmp_path / "db.sqlite3", work) == "first"
    assert stored(tmp_path / "db.sqlite3") == ["first"]


def test_no_caller_hears_back_before_the_commit(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    visible_when_told: list[bool] = []

    async def work(client: Any) -> None:
        async with client.acquire_connection():
            sent = [asyncio.create_task(sqlite_transaction(client, inserting(f"v{i}")))
                    for i in range(5)]
            await asyncio.sleep(0.01)
        for task in asyncio.as_completed(sent):
            value = await task
            visible_when_told.append(value in stored(path))  # another connection reads

    run_with_writer(path, work)

    assert visible_when_told == [True] * 5
