"""Opening the database and keeping its schema current.

SQLite (WAL, ``synchronous=FULL``, busy timeout) is the default. The schema is
created and upgraded by tortoise's migrations in :mod:`vnform.migrations`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, overload

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as run_migrations

from vnform.store.reading import numbered, read_config

__all__ = ["WRITE", "NoDatabase", "aware", "execute", "insert_rows", "is_sqlite", "marked",
           "on_sqlite", "opened", "pending_migrations", "placeholders", "prepare",
           "tortoise_config"]

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


def placeholders(conn: Any, count: int) -> list[str]:
    """Marks for *count* bound values in raw SQL on *conn*: ``?`` (SQLite), ``$1``...
    (asyncpg) or ``%s`` (psycopg)."""
    if on_sqlite(conn):
        return ["?"] * count
    if type(conn).__module__.startswith("tortoise.backends.psycopg"):
        return ["%s"] * count
    return [f"${i}" for i in range(1, count + 1)]


async def insert_rows(conn: Any, table: str, columns: Sequence[str],
                      rows: list[Sequence[Any]]) -> None:
    """Insert *rows* into *table* with one ``executemany``: no model object per row."""
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join(placeholders(conn, len(columns)))
    await conn.execute_many(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
