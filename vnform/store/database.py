"""Opening the database and keeping its schema current.

SQLite (WAL, ``synchronous=FULL``, busy timeout) is the default. The schema is
created and upgraded by tortoise's migrations in :mod:`vnform.migrations`.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, overload

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.migrations.api import migrate as run_migrations

from vnform.store.group_commit import GroupCommit
from vnform.store.reading import numbered, read_config

__all__ = ["WRITE", "NoDatabase", "Write", "aware", "execute", "insert_rows", "is_sqlite",
           "marked", "on_sqlite", "opened", "pending_migrations", "placeholders", "prepare",
           "run_writes", "sqlite_time", "sqlite_transaction", "stored_time", "tortoise_config",
           "write"]

APP = "vnform"
#: The connection citizens' answers are written through (officials read through others:
#: :mod:`vnform.store.reading`).
WRITE = "default"
#: Defaults of ``VNFORM_READ_CONNECTIONS`` and ``VNFORM_READ_TIMEOUT``.
READ_CONNECTIONS = 2
READ_TIMEOUT = 10.0


def tortoise_config(database_url: str, read_connections: int = 0,
                    read_timeout: float | None = READ_TIMEOUT) -> dict[str, Any]:
    """The ORM configuration for *database_url*: the writing connection, and
    *read_connections* for officials' reads (none: they read through the writer)."""
    writer = _connection(database_url)
    readers = read_config(database_url, writer, read_connections, read_timeout) \
        if read_connections else {}
    return {
        "connections": {WRITE: writer, **readers},
        "apps": {APP: {"models": ["vnform.models"], "migrations": "vnform.migrations",
                       "default_connection": WRITE}},
        "use_tz": True,
        "timezone": "UTC",
    }


#: How long a statement waits for a lock another connection holds, on either engine
#: (milliseconds): a request waits that long, then is refused with 503, never hangs.
LOCK_WAIT_MS = 5000


def _connection(database_url: str) -> dict[str, Any]:
    if not is_sqlite(database_url):
        config = expand_db_url(database_url)
        if config["engine"] == "tortoise.backends.asyncpg":
            # A migration too waits no longer, rather than queue every request behind it.
            config["credentials"]["server_settings"] = {"lock_timeout": str(LOCK_WAIT_MS)}
        return config
    path = database_url.removeprefix("sqlite://")
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "engine": "tortoise.backends.sqlite",
        "credentials": {
            "file_path": path,
            # WAL lets readers work during a write; FULL survives power loss, not only
            # a crashed process; the busy timeout waits for another writer to finish.
            "journal_mode": "WAL",
            "synchronous": "FULL",
            "busy_timeout": LOCK_WAIT_MS,
            "foreign_keys": "ON",
        },
    }


async def prepare(database_url: str) -> None:
    """Create or upgrade the schema of *database_url* (idempotent)."""
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite://")


async def pending_migrations(database_url: str) -> list[str]:
    """Names of the migrations *database_url* still needs (empty when it is current)."""
    from tortoise.connection import get_connection
    from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

    config = tortoise_config(database_url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        executor = MigrationExecutor(get_connection("default"), {APP: config["apps"][APP]})
        steps = await executor.plan([MigrationTarget(app_label=APP, name="__latest__")])
        return [step.migration.name for step in steps if not step.backward]
    finally:
        await Tortoise.close_connections()


class NoDatabase(LookupError):
    """The SQLite file named does not exist (and was not to be created)."""


@asynccontextmanager
async def opened(database_url: str, must_exist: bool = False) -> AsyncIterator[None]:
    """Prepare the database and keep the ORM open (for command-line tools), with one
    reading connection whose statements have no time limit (an operator's export or
    recount may take as long as it takes).

    With *must_exist*, a SQLite URL naming no file is refused rather than creating an
    empty database (a mistyped ``--db`` would otherwise export nothing, silently).
    """
    path = database_url.removeprefix("sqlite://")
    if must_exist and is_sqlite(database_url) and path != ":memory:" \
            and not Path(path).exists():
        raise NoDatabase(path)
    await prepare(database_url)
    # A context of its own (not the process-wide one an app may hold): a command runs
    # beside a server started in the same process, as tests do.
    async with TortoiseContext() as context:
        await context.init(config=tortoise_config(database_url, 1, None))
        yield


def on_sqlite(conn: Any) -> bool:
    """Whether *conn* (a tortoise client or transaction) is SQLite's."""
    return bool(conn.capabilities.dialect == "sqlite")


def marked(conn: Any, sql: str) -> str:
    """*sql*, written with ``?`` marks, as *conn*'s driver takes it."""
    return sql if on_sqlite(conn) else numbered(sql)


async def execute(conn: Any, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one statement (``?`` marks) on *conn*, a writer's client or
    transaction: a SELECT's, or an INSERT ... RETURNING's (tortoise's asyncpg
    ``execute_query`` returns none for an INSERT; ``execute_query_dict`` does)."""
    rows = await conn.execute_query_dict(marked(conn, sql), list(params))
    return [tuple(row.values()) for row in rows]


@overload
def aware(moment: None) -> None: ...
@overload
def aware(moment: Any) -> dt.datetime: ...
def aware(moment: Any) -> dt.datetime | None:
    """A stored time as an aware datetime (SQLite gives text; a time without zone is
    UTC), None for none."""
    if moment is None:
        return None
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.fromisoformat(str(moment))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def stored_time(conn: Any, moment: dt.datetime) -> Any:
    """*moment* as *conn* binds it: SQLite keeps times as the text tortoise writes for
    them (UTC), PostgreSQL as they are."""
    return sqlite_time(moment) if on_sqlite(conn) else moment


def sqlite_time(moment: dt.datetime) -> str:
    """*moment* as SQLite keeps it: the text tortoise writes for it (UTC)."""
    return moment.astimezone(dt.UTC).isoformat(" ")


def placeholders(conn: Any, count: int) -> list[str]:
    """Marks for *count* bound values in raw SQL on *conn*: ``?`` (SQLite), ``$1``...
    (asyncpg) or ``%s`` (psycopg)."""
    if on_sqlite(conn):
        return ["?"] * count
    if type(conn).__module__.startswith("tortoise.backends.psycopg"):
        return ["%s"] * count
    return [f"${i}" for i in range(1, count + 1)]


T = TypeVar("T")

#: One statement (``?`` marks) and the parameters of each of its runs.
Write = tuple[str, Sequence[Sequence[Any]]]


async def write(conn: Any, writes: Sequence[Write]) -> None:
    """Run *writes* in order on *conn*, a transaction, without reading their results.

    On SQLite all of them in one call to the connection's thread: a transaction holds
    the database's one writer while it waits on each call, and every call also waits for
    the event loop to come back to it, so a submission's rows go in one call instead of
    one per table. Elsewhere, one round trip each."""
    writes = [(sql, rows) for sql, rows in writes if rows]
    if not on_sqlite(conn):
        for sql, rows in writes:
            if len(rows) == 1:
                await conn.execute_query(marked(conn, sql), list(rows[0]))
            else:
                await conn.execute_many(marked(conn, sql), [list(r) for r in rows])
        return

    await _on_thread(conn, lambda raw: run_writes(raw, writes))


#: The row of marks of an INSERT, as :data:`Write` statements write it.
_VALUES = re.compile(r"VALUES (\(\?(?:, \?)*\))")
#: Bound values per statement, well below SQLite's limit (32,766).
_MOST_VALUES = 30_000


def run_writes(raw: sqlite3.Connection, writes: Sequence[Write]) -> None:
    """Run *writes* on *raw*, SQLite's connection, on its own thread. An INSERT's rows go
    in as few statements as its values allow: each statement gives up and takes back
    Python's lock (while SQLite works), a wait when the event loop holds it."""
    for sql, rows in writes:
        values = _VALUES.search(sql)
        if values is None or len(rows) < 2:
            raw.executemany(sql, rows)
            continue
        marks = values.group(1)
        per_statement = max(1, _MOST_VALUES // (marks.count("?") or 1))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            raw.execute(sql[:values.start(1)] + ", ".join([marks] * len(chunk))
                        + sql[values.end(1):], [v for row in chunk for v in row])


async def sqlite_transaction(client: Any, work: Callable[[sqlite3.Connection], T]) -> T:
    """*work*'s result, run in a transaction of *client*, SQLite's writer, in one call to
    its connection's thread: the transaction holds the database's one writer only while
    SQLite works, not while the event loop serves other requests between calls.
    Writes that come while one transaction runs share the next
    (:mod:`vnform.store.group_commit`): one fsync for all of them. *work* runs on that
    thread: it takes the raw connection and may only use it. An exception it raises
    undoes its own writes and reaches the caller (SQLite's own as tortoise's); the
    caller hears back once the transaction has committed."""
    group = getattr(client, "_vnform_group_commit", None)
    if group is None:
        group = GroupCommit(client, _on_thread)
        client._vnform_group_commit = group
    try:
        return await group.run(work)
    except sqlite3.IntegrityError as error:
        raise IntegrityError(error) from error
    except sqlite3.OperationalError as error:
        raise OperationalError(error) from error


async def _on_thread(conn: Any, work: Callable[[sqlite3.Connection], T]) -> T:
    """*work*'s result, run on the thread of *conn*'s (SQLite's) connection, holding it."""
    async with conn.acquire_connection() as connection:
        try:
            # aiosqlite's one entry point for running a function on its own thread
            # (pinned in pyproject.toml; every submission goes through it).
            return await connection._execute(work, connection._conn)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(error) from error
        except sqlite3.OperationalError as error:
            raise OperationalError(error) from error


async def insert_rows(conn: Any, table: str, columns: Sequence[str],
                      rows: list[Sequence[Any]]) -> None:
    """Insert *rows* into *table* with one ``executemany``: no model object per row."""
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(placeholders(conn, len(columns)))
    await conn.execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
