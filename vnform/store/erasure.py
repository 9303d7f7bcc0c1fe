"""Erasing what citizens gave: their personal-data answers (when the form's retention
ends, or on request) and whole responses (a citizen's deletion, an official's erasure on
a citizen's request).

The raw rows go; the counts they made stay. Before the rows are deleted, their counters
(the recount of :mod:`vnform.store.tallies`, for those responses and answers only) are
added to the ``erased_tally`` table, which a recount adds back: results, indicators and
``vnform tallies verify`` agree before and after. Answer sheets (:mod:`vnform.sheets`)
lose the erased answers, so a segment counted live sees only what is still stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.transactions import in_transaction

from vnform.sheets import DATE_COLUMNS, DATES, MARK_COLUMNS, MARKS, NUMBER_COLUMNS, NUMBERS
from vnform.store import sheets
from vnform.store.database import WRITE, aware, execute, on_sqlite, stored_time
from vnform.store.tallies import COLUMNS, KEY, _rules, _specs, day_sql, recount_statements
from vnform.tallying import ANSWERED

__all__ = ["SubjectMatch", "delete_responses", "erase_personal", "find_subject",
           "response_forms"]

#: Responses erased per statement (their ids are parameters).
BATCH = 500


async def erase_personal(form_id: str, response_ids: Sequence[int], keys: Sequence[str],
                         tz: ZoneInfo, fold: Sequence[str] = ()) -> int:
    """Erase the answers to *keys* (personal-data answer keys) of *response_ids*, and
    mark those responses erased; returns how many responses were marked. Their counts
    stay counted; those of *fold* (numbers and dates, whose values are someone's
    answer) as answers only, their values gone from every count (:func:`_fold`)."""
    async def erase(conn: Any, ids: list[int]) -> None:
        run = partial(execute, conn)
        if keys:
            await _keep_counts(conn, form_id, ids, tz, keys=keys, fold=frozenset(fold))
            await run(f"DELETE FROM answer WHERE form_id = ? AND response_id IN "
                      f"({_marks(ids)}) AND question IN ({_marks(keys)})",
                      [form_id, *ids, *keys])
            await _clear_sheets(conn, form_id, ids, frozenset(keys))
        await run(f"UPDATE response SET erased_at = ? WHERE id IN ({_marks(ids)})",
                  [stored_time(conn, dt.datetime.now(dt.UTC)), *ids])

    return await _in_batches(form_id, response_ids, erase)


async def delete_responses(form_id: str, response_ids: Sequence[int], tz: ZoneInfo,
                           fold: Sequence[str] = ()) -> int:
    """Delete the responses *response_ids* of *form_id*, every answer with them; returns
    how many there were. Their counts stay counted (those of *fold* as answers only, as
    :func:`erase_personal` keeps them)."""
    async def delete(conn: Any, ids: list[int]) -> None:
        await _keep_counts(conn, form_id, ids, tz, fold=frozenset(fold))
        # A consultation's comments go with their response (and their tags with them).
        await execute(conn, "DELETE FROM comment_tag WHERE form_id = ? AND comment_id IN "
                            "(SELECT id FROM comment WHERE form_id = ? AND response_id IN "
                            f"({_marks(ids)}))", [form_id, form_id, *ids])
        for table, column in (("comment", "response_id"), ("answer_sheet", "response_id"),
                              ("answer", "response_id"),
                              ("response", "id")):
            await execute(conn, f"DELETE FROM {table} WHERE form_id = ? AND {column} IN "
                                f"({_marks(ids)})", [form_id, *ids])

    return await _in_batches(form_id, response_ids, delete)


async def _in_batches(form_id: str, response_ids: Sequence[int],
                      work: Callable[[Any, list[int]], Awaitable[None]]) -> int:
    """Run *work* on the responses of *response_ids* that are *form_id*'s, a batch per
    transaction holding the form's counts lock; returns how many there were."""
    done = 0
    for start in range(0, len(response_ids), BATCH):
        batch = list(response_ids[start:start + BATCH])
        async with in_transaction(WRITE) as conn:
            await sheets.hold_counts(conn, form_id)
            ids = [row[0] for row in await execute(
                conn, f"SELECT id FROM response WHERE form_id = ? AND id IN ({_marks(batch)})",
                [form_id, *batch])]
            if ids:
                await work(conn, ids)
                done += len(ids)
    return done


async def _keep_counts(conn: Any, form_id: str, ids: list[int], tz: ZoneInfo,
                       keys: Sequence[str] = (), fold: frozenset[str] = frozenset()) -> None:
    """Add the counters of responses *ids* (of their answers to *keys* only, when given)
    to ``erased_tally``, counted as the tallies count them; those of the answer keys
    *fold* as answers only (:func:`_fold`)."""
    run = partial(execute, conn)
    sqlite = on_sqlite(conn)
    span = await run(f"SELECT MIN(submitted_at), MAX(submitted_at) FROM response "
                     f"WHERE id IN ({_marks(ids)})", ids)
    day = day_sql(sqlite, tz, aware(span[0][0]), aware(span[0][1]))
    rules = [] if keys else await _rules(run, form_id, await _specs(run, form_id, None))
    kept: list[tuple[Any, ...]] = []
    for sql, params in recount_statements(sqlite, form_id, day, rules, responses=ids,
                                          keys=keys):
        kept += [tuple(row) for row in await run(sql, params)]
    folded = [row for row in kept if row[1] in fold and row[2] != ANSWERED]
    if folded:
        await _fold(run, folded)
    for row in kept:
        form, question, value, day_, language, version, n = row
        if question in fold:
            value = ANSWERED  # the value itself is not kept
        await run(f"INSERT INTO erased_tally ({', '.join(COLUMNS)}) VALUES "
                  f"(?, ?, ?, ?, ?, ?, ?) ON CONFLICT ({KEY}) DO UPDATE SET "
                  "n = erased_tally.n + excluded.n",
                  [form, question, value, day_, language, version, int(n)])


async def _fold(run: Any, rows: list[tuple[Any, ...]]) -> None:
    """Take the values of *rows* (tally rows of personal numbers and dates about to be
    erased) out of the counters: each value's counter loses them (and is gone once
    none is left: the value is no longer written anywhere), and the key's "answered"
    counter gains them, so every count of answers stays as it was."""
    for form, question, value, day, language, version, n in rows:
        key = [form, question, value, day, language, version]
        where = ("form_id = ? AND question = ? AND value = ? AND day = ? AND language = ? "
                 "AND form_version = ?")
        ((total,),) = await run(f"SELECT COALESCE(SUM(n), 0) AS total FROM tally "
                                f"WHERE {where}", key)
        await run(f"DELETE FROM tally WHERE {where}", key)
        if int(total) - int(n) > 0:
            await run(f"INSERT INTO tally ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      [*key, int(total) - int(n)])
        await run(f"INSERT INTO tally ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                  f"ON CONFLICT ({KEY}, shard) DO UPDATE SET n = tally.n + excluded.n",
                  [form, question, ANSWERED, day, language, version, int(n)])


async def _clear_sheets(conn: Any, form_id: str, ids: list[int], keys: frozenset[str]) -> None:
    """Empty the columns of *keys* on the answer sheets of responses *ids*."""
    layout = await sheets.layout_of(conn, form_id)
    cleared: dict[int, list[str]] = {}
    for i, (key, _value) in enumerate(layout.marks):
        if key in keys:
            cleared.setdefault(i // MARKS, []).append(f"{MARK_COLUMNS[i % MARKS]} = 0")
    for i, key in enumerate(layout.numbers):
        if key in keys:
            cleared.setdefault(i // NUMBERS, []).append(f"{NUMBER_COLUMNS[i % NUMBERS]} = NULL")
    for i, key in enumerate(layout.dates):
        if key in keys:
            cleared.setdefault(i // DATES, []).append(f"{DATE_COLUMNS[i % DATES]} = NULL")
    for part, assignments in cleared.items():
        await execute(conn, f"UPDATE answer_sheet SET {', '.join(assignments)} WHERE "
                            f"form_id = ? AND part = ? AND response_id IN ({_marks(ids)})",
                      [form_id, part, *ids])


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


@dataclass(frozen=True)
class SubjectMatch:
    """A response whose personal-data answer matched a citizen's request."""

    response_id: int
    form_id: str
    question: str
    submitted_at: dt.datetime
    reference: str | None


async def find_subject(personal: Mapping[str, Sequence[str]], values: Sequence[str],
                       limit: int = 1000) -> list[SubjectMatch]:
    """The responses whose answers to the personal-data keys of each form (*personal*:
    form id -> keys) equal one of *values* (as given, lowercased, or its digits alone:
    a phone number typed with spaces), oldest first."""
    found: list[SubjectMatch] = []
    wanted = sorted({v for v in values if v})
    if not wanted:
        return found
    folded = {v.casefold() for v in wanted}
    # Words are compared without case in Python (SQLite lowers ASCII letters only: "Đ"
    # stays): the database gives the answers of their length, numbers match exactly.
    lengths = sorted({len(v) for v in wanted if any(c.isalpha() for c in v)})
    by_length = f" OR LENGTH(a.text) IN ({_marks(lengths)})" if lengths else ""
    conn = connections.get(WRITE)
    for form_id, keys in sorted(personal.items()):
        if not keys:
            continue
        rows = await execute(conn, (
            "SELECT a.response_id, a.form_id, a.question, r.submitted_at, r.reference_code, "
            "a.value, a.text FROM answer a JOIN response r ON r.id = a.response_id "
            f"WHERE a.form_id = ? AND a.question IN ({_marks(keys)}) AND (a.text IN "
            f"({_marks(wanted)}) OR a.value IN ({_marks(wanted)}){by_length}) "
            "ORDER BY a.response_id"), [form_id, *keys, *wanted, *wanted, *lengths])
        found += [SubjectMatch(int(rid), str(form), str(question), aware(at), code)
                  for rid, form, question, at, code, value, text in rows
                  if value in wanted or (text or "").casefold() in folded][:limit]
    return sorted(found, key=lambda match: match.response_id)


async def response_forms(response_ids: Sequence[int]) -> dict[int, str]:
    """The form of each response of *response_ids* that exists."""
    found: dict[int, str] = {}
    ids = list(response_ids)
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        for rid, form_id in await execute(connections.get(WRITE), (
                f"SELECT id, form_id FROM response WHERE id IN ({_marks(part)})"), part):
            found[int(rid)] = str(form_id)
    return found
