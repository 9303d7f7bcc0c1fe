"""Officials' reads: on connections of their own, read-only, each statement time-limited.

Citizens' answers are written through the ``default`` connection. Results, exports,
indicators and the feeds read through the ``read`` connections instead, so that a long
read never holds what a citizen's submission waits for:

- On SQLite, the writer is one connection behind one lock (tortoise's client). WAL lets
  other connections read beside it, so officials get ``read_connections`` connections of
  their own (``read``, ``read1``...), opened with ``query_only``.
- On PostgreSQL, officials get a pool of their own of that size: however many exports
  run, the citizens' pool is never drained by them.

Every statement carries a time limit (``VNFORM_READ_TIMEOUT``): PostgreSQL's
``statement_timeout`` on the reading pool, an interrupt on SQLite. A plan gone wrong
(on a server whose statistics are stale, say) answers :class:`ReadTimeout`, which the
pages turn into an explained 503, instead of holding a connection for minutes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from tortoise import connections
from tortoise.backends.sqlite.client import SqliteClient

from vnform.turns import give_way

__all__ = ["READ", "ReadTimeout", "Snapshot", "fetch", "numbered", "read_config", "snapshot"]

#: Name of the first reading connection; others are ``read1``, ``read2``...
READ = "read"


class Snapshot:
    """Reads within one read transaction: ``await read(sql, params)``; *sqlite* tells
    the engine (for SQL that differs between them)."""

    def __init__(self, client: Any, raw: Any, timeout: bool) -> None:
        self.client, self.raw, self.timeout = client, raw, timeout
        self.sqlite = _is_sqlite(client)

    async def __call__(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        await give_way()
        return await _run(self.client, self.raw, sql, params, self.timeout)


class ReadTimeout(Exception):
    """An official's read ran longer than the statement time limit and was stopped."""

    def __init__(self, seconds: float | None) -> None:
        super().__init__(f"a read took longer than {seconds} s and was stopped")
        self.seconds = seconds


class ReadOnlySqliteClient(SqliteClient):
    """Tortoise's SQLite client for one reading connection: ``query_only`` (a write is
    refused by SQLite itself), and the statement time limit :func:`fetch` applies."""

    def __init__(self, file_path: str, statement_timeout: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self.statement_timeout = statement_timeout
        self.pragmas["query_only"] = "ON"  # last: the pragmas before it may write


#: Tortoise finds the client of an engine module by this name.
client_class = ReadOnlySqliteClient


def read_config(database_url: str, base: dict[str, Any], count: int,
                timeout: float | None) -> dict[str, dict[str, Any]]:
    """The tortoise connections officials read through: *count* SQLite connections
    like *base* (the writer's), or one PostgreSQL pool of *count*."""
    limit_ms = str(int(timeout * 1000)) if timeout else "0"
    if database_url.startswith("sqlite://"):
        if base["credentials"]["file_path"] == ":memory:":
            return {}  # another connection would open another, empty, database
        credentials = {**base["credentials"], "statement_timeout": timeout}
        return {_name(i): {"engine": __name__, "credentials": dict(credentials)}
                for i in range(max(1, count))}
    credentials = dict(base["credentials"])
    if base["engine"] == "tortoise.backends.asyncpg":
        credentials["server_settings"] = {
            **credentials.get("server_settings", {}),
            "statement_timeout": limit_ms,
            "default_transaction_read_only": "on",
            # Compiling a plan costs more than running the short statements read here.
            "jit": "off",
        }
    credentials.update(minsize=1, maxsize=max(1, count))
    config = {"engine": base["engine"], "credentials": credentials}
    return {READ: config}


def _name(index: int) -> str:
    return READ if index == 0 else f"{READ}{index}"


def _readers() -> list[str]:
    names = [name for name in connections.db_config if name.startswith(READ)]
    return names or ["default"]  # an in-memory database has no separate reader


def _pick() -> Any:
    """A reading client: on SQLite, one that no other read is using when there is one
    (each is one connection behind a lock); on PostgreSQL, the pool."""
    clients = [connections.get(name) for name in _readers()]
    for client in clients:
        lock = getattr(client, "_lock", None)
        if lock is None or not lock.locked():
            return client
    return clients[0]


def numbered(sql: str) -> str:
    """*sql* with its ``?`` marks numbered ``$1``, ``$2``... (asyncpg's style)."""
    counter = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _m: f"${next(counter)}", sql)


async def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of one read-only statement (``?`` marks), through an officials' connection,
    once no citizen's request is waiting (:func:`vnform.turns.give_way`)."""
    await give_way()
    client = _pick()
    async with client.acquire_connection() as raw:
        return await _run(client, raw, sql, params)


@asynccontextmanager
async def snapshot(timeout: bool = True,
                   planner: Sequence[str] = ()) -> AsyncIterator[Snapshot]:
    """Several reads that see the database as of one moment (a read transaction); with
    *timeout* off, each may run as long as it takes (``vnform tallies verify``).
    *planner*: PostgreSQL settings for these reads only (``enable_hashjoin = off``)."""
    client = _pick()
    async with client.acquire_connection() as raw:
        sqlite = _is_sqlite(client)
        await _execute(raw, sqlite, "BEGIN" if sqlite
                       else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            if not sqlite:
                for setting in (*planner, *([] if timeout else ["statement_timeout = 0"])):
                    await raw.execute(f"SET LOCAL {setting}")
            yield Snapshot(client, raw, timeout)
        finally:
            await _execute(raw, sqlite, "ROLLBACK")


def _is_sqlite(client: Any) -> bool:
    return bool(client.capabilities.dialect == "sqlite")


async def _execute(raw: Any, sqlite: bool, sql: str) -> None:
    if sqlite:
        await (await raw.execute(sql)).close()
    else:
        await raw.execute(sql)


async def _run(client: Any, raw: Any, sql: str, params: Sequence[Any],
               timeout: bool = True) -> list[tuple[Any, ...]]:
    if not _is_sqlite(client):
        import asyncpg

        try:
            return [tuple(row) for row in await raw.fetch(numbered(sql), *params)]
        except asyncpg.QueryCanceledError as exc:
            raise ReadTimeout(_server_timeout(client)) from exc
    seconds = getattr(client, "statement_timeout", None) if timeout else None
    params = [p.astimezone(dt.UTC).isoformat(" ") if isinstance(p, dt.datetime) else p
              for p in params]  # SQLite keeps times as this text
    # sqlite3's interrupt() may be called from any thread: it stops the running
    # statement, which then fails with "interrupted".
    timer = (asyncio.get_running_loop().call_later(seconds, raw._conn.interrupt)
             if seconds else None)
    try:
        return [tuple(row) for row in await raw.execute_fetchall(sql, list(params))]
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise ReadTimeout(seconds) from exc
        raise
    finally:
        if timer is not None:
            timer.cancel()


def _server_timeout(client: Any) -> float | None:
    limit = (getattr(client, "server_settings", None) or {}).get("statement_timeout")
    return int(limit) / 1000 if limit and limit != "0" else None
