"""Answer sheets in the database (:mod:`vnform.sheets`): one row per response (and
part), written in the submission's transaction, summed for segments.

The ``answer_sheet`` table (migration 0005) has the response's form and key, its part,
its form version, local day and language (the keys a results view filters on), then
the mark, number and date columns. Its key (form, response, part) keeps a form's sheets
together. A form's layout is kept as JSON in its ``form_tally`` row of shard 0,
extended (under that row's lock and the form's counts lock) when a server starts with a
version that adds answers: every server process then lays sheets out alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from vnform.answers import AnswerRow
from vnform.forms.spec import FormSpec
from vnform.sheets import (
    DATE_COLUMNS,
    DATES,
    MARK_COLUMNS,
    MARKS,
    NUMBER_COLUMNS,
    NUMBERS,
    Layout,
    extended,
    sheet_rows,
)
from vnform.store.database import Write, aware, execute, on_sqlite, write

__all__ = ["COLUMNS", "add_sheets", "lay_out", "layout_of", "sheet_records", "sheet_write"]

COLUMNS = ("form_id", "response_id", "part", "form_version", "day", "language",
           *MARK_COLUMNS, *NUMBER_COLUMNS, *DATE_COLUMNS)


def column_type(column: str) -> str:
    """The PostgreSQL type of a column of ``answer_sheet`` (migration 0005), for values
    cast in raw SQL."""
    if column == "response_id":
        return "bigint"
    if column == "part" or column in MARK_COLUMNS:
        return "smallint"
    if column in NUMBER_COLUMNS:
        return "float8"
    return "varchar"


#: PostgreSQL advisory locks on a form's counts are taken in this space ("vn").
COUNTS_LOCK = 0x766E


async def hold_counts(conn: Any, form_id: str) -> None:
    """On PostgreSQL, wait for the submissions adding to *form_id*'s counters and hold
    back new ones until *conn*'s transaction ends (each submission holds the same
    advisory lock, shared, from its counters to its commit: see
    :func:`vnform.store.tallies.add`). Their responses and sheets, not committed yet, are
    invisible to *conn* meanwhile. On SQLite the one writer is alone anyway."""
    if not on_sqlite(conn):
        await execute(conn, "SELECT 1 FROM (SELECT pg_advisory_xact_lock(?, hashtext(?))) l",
                   [COUNTS_LOCK, form_id])


async def layout_of(conn: Any, form_id: str) -> Layout:
    """The layout of *form_id*'s sheets as stored (empty when it has none yet)."""
    rows = await execute(conn, "SELECT layout FROM form_tally WHERE form_id = ? AND shard = 0",
                      [form_id])
    return Layout.from_json(rows[0][0] if rows else None)


async def lay_out(conn: Any, spec: FormSpec, tz: ZoneInfo) -> Layout:
    """The layout of *spec*'s form, extended with what *spec* adds, on *conn* (a
    transaction): the form's counter row is locked first, so that two servers starting
    with a new version append its columns once, in one order.

    New columns normally hold answers nobody has given yet. Should stored answers fill
    some already (responses stored before their form was laid out), the form's sheets
    are written again, so that they always add up to the answers."""
    await hold_counts(conn, spec.id)
    await execute(conn, "INSERT INTO form_tally (form_id, responses, changes, last_at, timezone) "
               "VALUES (?, 0, 0, NULL, ?) ON CONFLICT (form_id, shard) DO NOTHING",
               [spec.id, tz.key])
    lock = "" if on_sqlite(conn) else " FOR UPDATE"
    rows = await execute(conn, f"SELECT layout FROM form_tally WHERE form_id = ? AND shard = 0"
                      f"{lock}", [spec.id])
    before = Layout.from_json(rows[0][0] if rows else None)
    after = extended(before, spec)
    if after == before:
        return after
    await execute(conn, "UPDATE form_tally SET layout = ? WHERE form_id = ? AND shard = 0",
               [after.to_json(), spec.id])
    if await _answered_already(conn, spec.id, before, after):
        from vnform.tallying import local_day

        await rebuild_sheets(conn, spec.id, after, lambda moment: local_day(moment, tz))
    return after


async def _answered_already(conn: Any, form_id: str, before: Layout, after: Layout) -> bool:
    """Whether stored answers fill a column *after* adds to *before*."""
    if not await execute(conn, "SELECT 1 FROM response WHERE form_id = ? LIMIT 1", [form_id]):
        return False
    old_marks = set(before.marks)
    keys = {key for key, value in after.marks if (key, value) not in old_marks and not value}
    keys |= set(after.numbers) - set(before.numbers) | set(after.dates) - set(before.dates)
    values = [(key, value) for key, value in after.marks
              if value and (key, value) not in old_marks and key not in keys]
    for key in keys:
        if await execute(conn, "SELECT 1 FROM answer WHERE form_id = ? AND question = ? LIMIT 1",
                      [form_id, key]):
            return True
    for key, value in values:
        if await execute(conn, "SELECT 1 FROM answer WHERE form_id = ? AND question = ? "
                      "AND value = ? LIMIT 1", [form_id, key, value]):
            return True
    return False


def sheet_records(form_id: str, response_id: int, version: str, day: str, language: str,
                  layout: Layout, rows: Iterable[AnswerRow]) -> list[tuple[Any, ...]]:
    """The ``answer_sheet`` rows of one response, in :data:`COLUMNS` order."""
    return [(form_id, response_id, part, version, day, language, *marks, *numbers, *dates)
            for part, marks, numbers, dates in sheet_rows(layout, rows)]


def sheet_write(records: list[tuple[Any, ...]]) -> Write:
    """The :class:`~vnform.store.database.Write` that inserts sheet *records* (one
    response's few: a bulk load takes :func:`add_sheets`)."""
    return (f"INSERT INTO answer_sheet ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(COLUMNS))})", records)


async def add_sheets(conn: Any, records: list[tuple[Any, ...]]) -> None:
    """Insert sheet rows on *conn* (a transaction): ``COPY`` on asyncpg, else one
    ``executemany``."""
    if not records:
        return
    if not on_sqlite(conn):
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table("answer_sheet", records=records,
                                            columns=list(COLUMNS))
        return
    await write(conn, [sheet_write(records)])


# --- sheets counted again from the raw answers (vnform tallies rebuild) ---------------

async def rebuild_sheets(conn: Any, form_id: str, layout: Layout, day_of: Any,
                         batch: int = 2000) -> None:
    """Write the sheets of *form_id*'s responses anew from their answers, on *conn* (a
    transaction); *day_of* gives the local day of a response's time."""
    await execute(conn, "DELETE FROM answer_sheet WHERE form_id = ?", [form_id])
    numbers = set(layout.numbers)
    last = 0
    while True:
        heads = await execute(conn, "SELECT id, submitted_at, language, form_version FROM "
                           "response WHERE form_id = ? AND id > ? ORDER BY id LIMIT ?",
                           [form_id, last, batch])
        if not heads:
            return
        ids = [int(head[0]) for head in heads]
        found: dict[int, list[AnswerRow]] = {i: [] for i in ids}
        for response_id, question, value, number in await execute(
                conn, "SELECT response_id, question, value, number FROM answer WHERE "
                f"response_id IN ({', '.join('?' * len(ids))})", ids):
            if value is not None:
                if question in numbers and number is None:
                    number = float(value)
                found[int(response_id)].append(AnswerRow(question, value, number, None))
            else:  # free text: only "answered" is marked
                found[int(response_id)].append(AnswerRow(question, None, None, ""))
        records = [record for head in heads for record in sheet_records(
            form_id, int(head[0]), head[3], day_of(aware(head[1])), head[2], layout,
            found[int(head[0])])]
        await add_sheets(conn, records)
        last = ids[-1]


# --- a segment's figures, summed from its responses' sheets ---------------------------

def sums_sql(layout: Layout, part: int, skip: frozenset[str] = frozenset()
             ) -> tuple[list[str], list[tuple[str, Any]]]:
    """The aggregates of one part's columns in use, and what each is (for reading
    them back): ``("mark", (key, value))``, ``("number", key)`` (count, sum, lowest,
    highest) or ``("date", key)`` (count, earliest, latest). The "answered" marks of
    the keys in *skip* are left out (the caller derives them)."""
    selects: list[str] = []
    meaning: list[tuple[str, Any]] = []
    for i, mark in enumerate(layout.marks[part * MARKS:(part + 1) * MARKS]):
        if mark[1] == "" and mark[0] in skip:
            continue
        selects.append(f"SUM(p.{MARK_COLUMNS[i]})")
        meaning.append(("mark", mark))
    for i, key in enumerate(layout.numbers[part * NUMBERS:(part + 1) * NUMBERS]):
        column = f"p.{NUMBER_COLUMNS[i]}"
        selects += [f"COUNT({column})", f"SUM({column})", f"MIN({column})", f"MAX({column})"]
        meaning.append(("number", key))
    for i, key in enumerate(layout.dates[part * DATES:(part + 1) * DATES]):
        column = f"p.{DATE_COLUMNS[i]}"
        selects += [f"COUNT({column})", f"MIN({column})", f"MAX({column})"]
        meaning.append(("date", key))
    return selects, meaning


def number_column(layout: Layout, key: str) -> tuple[int, str]:
    """(part, column) of number question *key* on the sheets."""
    i = layout.numbers.index(key)
    return i // NUMBERS, NUMBER_COLUMNS[i % NUMBERS]
