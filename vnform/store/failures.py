"""Telling a passing database failure (busy, locked, restarting) from a real fault."""

from __future__ import annotations

import socket
import sqlite3

__all__ = ["is_transient"]

#: SQLSTATE classes and codes worth a retry: connection trouble (08), too many
#: connections (53300), a server restarting (57P01-57P03), a lock not granted in time
#: (55P03), a statement cancelled by its timeout (57014), a serialisation failure or
#: deadlock (40001, 40P01).
_RETRYABLE_STATES = ("08", "53300", "57P01", "57P02", "57P03", "55P03", "57014", "40001",
                     "40P01")

#: SQLite's words for another writer holding the database.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def is_transient(exc: BaseException) -> bool:
    """Whether *exc*, or an exception it wraps, says the database is busy or briefly
    unreachable: the same request may well succeed a little later."""
    for link in _chain(exc):
        if isinstance(link, ConnectionError | TimeoutError | socket.gaierror):
            return True
        if type(link) is OSError and str(link).startswith("Multiple exceptions"):
            return True  # asyncio: every address of the server refused the connection
        if isinstance(link, sqlite3.OperationalError) and any(
                words in str(link).lower() for words in _SQLITE_BUSY):
            return True
        state = getattr(link, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_RETRYABLE_STATES):
            return True
        if (type(link).__module__.startswith("asyncpg")
                and type(link).__name__ == "InterfaceError" and "is closed" in str(link)):
            return True  # the server dropped the connection (a restart, a failover)
    return False


def _chain(exc: BaseException) -> list[BaseException]:
    """*exc*, what caused it, and exceptions carried as its arguments (Tortoise wraps
    the driver's exception as the first argument of its own, or raises its own while
    handling the driver's). Other exceptions raised while handling one are not followed:
    a bug in an ``except`` block is a bug, not a busy database."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        link = todo.pop()
        if link is None or any(link is s for s in seen):
            continue
        seen.append(link)
        todo.append(link.__cause__)
        if type(link).__module__.startswith("tortoise"):
            todo.append(link.__context__)
        todo.extend(a for a in link.args if isinstance(a, BaseException))
    return seen
