"""Planner statistics kept fresh on PostgreSQL, by the server itself.

With autovacuum off, as on some managed clusters, PostgreSQL knows of a table only
what the last ANALYZE told it, and the plans it caches (each connection's prepared
statements, and the foreign-key checks of every INSERT) stay as they were made. A
deployment that starts on empty tables would plan sequential scans of ``response``
then, and keep them while the table grows to millions of rows: every submission
would read the whole table, several times. So the server asks PostgreSQL, every few
seconds, how many rows of its busy tables changed since their last ANALYZE, and
analyzes those that changed by more than a tenth (autovacuum's own rule); ANALYZE also
makes PostgreSQL plan the cached statements again. One worker at a time does it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tortoise import connections

from vnform.store.database import WRITE, on_sqlite

__all__ = ["keep_statistics_fresh", "refresh_statistics"]

log = logging.getLogger(__name__)

#: The tables every submission writes, whose plans matter most.
TABLES = ("response", "answer", "answer_sheet", "tally", "form_tally", "submission_mark",
          "draft", "flagged_submission", "comment")
#: Analyzed once this many rows, plus this share of the table, changed since the last
#: ANALYZE (autovacuum's defaults: autovacuum_analyze_threshold and _scale_factor).
THRESHOLD = 50
SCALE = 0.1
#: The advisory lock (two keys: this space, "st", and 0) that one worker holds while
#: it analyzes.
LOCK = (0x7374, 0)

_STALE = (
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
    "WHERE s.schemaname = current_schema() AND s.relname = ANY($1::text[]) "
    "AND s.n_mod_since_analyze > $2 + $3 * GREATEST(c.reltuples, 0) ORDER BY s.relname")


async def refresh_statistics(conn: Any = None) -> list[str]:
    """ANALYZE the busy tables that changed by more than a tenth since their last one
    (PostgreSQL; nothing on SQLite, whose plans do not go stale this way); returns the
    tables analyzed. Another worker analyzing meanwhile: nothing, this time."""
    conn = conn or connections.get(WRITE)
    if on_sqlite(conn):
        return []
    async with conn.acquire_connection() as raw:
        stale = [row["relname"] for row in await raw.fetch(
            _STALE, list(TABLES), THRESHOLD, SCALE)]
        if not stale or not await raw.fetchval("SELECT pg_try_advisory_lock($1, $2)", *LOCK):
            return []
        try:
            # Names from TABLES only, quoted: nothing a request sent reaches this SQL.
            await raw.execute("ANALYZE " + ", ".join(f'"{name}"' for name in stale))
        finally:
            await raw.execute("SELECT pg_advisory_unlock($1, $2)", *LOCK)
    log.info("planner statistics refreshed: %s", ", ".join(stale))
    return stale


async def keep_statistics_fresh(every: float = 10) -> None:
    """:func:`refresh_statistics` every *every* seconds, for the server's life."""
    while True:
        await asyncio.sleep(every)
        try:
            await refresh_statistics()
        except Exception as error:  # noqa: BLE001 - try again next time
            log.warning("could not refresh the planner statistics: %s", error)
