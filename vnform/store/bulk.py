"""Many responses at once (`vnform demo`): batched raw inserts, the rows the app writes.

A submission stores one response, its answer rows and its tallies in one transaction;
here each batch of responses does, with one ``executemany`` (``COPY`` on asyncpg) per
table and the batch's tallies summed before they are added, so that millions of rows
take minutes. The rows are built by :func:`vnform.answers.answer_rows` and
:func:`vnform.tallying.response_counts`, as for a submission. At the end the database
is analysed: the planner then knows the tables' new sizes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from vnform import references, tallying
from vnform.answers import Answers, answer_rows
from vnform.forms.spec import FormSpec
from vnform.sheets import Layout
from vnform.store import sheets, tallies
from vnform.store.database import WRITE, insert_rows, placeholders
from vnform.store.responses import ANSWER_COLUMNS, record_versions

__all__ = ["insert_responses"]

#: Tokens looked up per statement on SQLite (well under its limit of bound variables).
LOOKUP_CHUNK = 500


async def insert_responses(spec: FormSpec,
                           responses: Iterable[tuple[dt.datetime, str, Answers]],
                           tz: ZoneInfo, batch: int = 5000,
                           progress: Callable[[int], None] | None = None) -> int:
    """Store (submitted at, language, answers) responses to *spec*, *batch* per
    transaction, with their tallies (days in *tz*); records the form's version as the
    app does, and analyses the tables once done. Returns how many."""
    if batch < 1:
        raise ValueError("the batch size must be 1 or more")
    await record_versions([spec])
    layout = (await tallies.counting([spec], tz)).layout(spec.id)
    stored = 0
    items = iter(responses)
    while chunk := list(islice(items, batch)):
        await _insert_batch(spec, chunk, tz, layout)
        stored += len(chunk)
        if progress is not None:
            progress(stored)
    await tallies.analyze()
    return stored


RESPONSE_COLUMNS = ("form_id", "form_version", "token", "language", "submitted_at",
                    "reference_code", "consent", "consent_at")


async def _insert_batch(spec: FormSpec, chunk: list[tuple[dt.datetime, str, Answers]],
                        tz: ZoneInfo, layout: Layout) -> None:
    # Tokens are fresh (never from a seed), so that runs can be added to one database.
    tokens = [secrets.token_urlsafe(24) for _ in chunk]
    # Generated citizens of a form with personal data agreed to its notice when they sent.
    agreed = True if spec.personal_questions else None
    heads = [(spec.id, spec.version, token, language, at, references.code_of(token), agreed,
              at if agreed else None)
             for token, (at, language, _answers) in zip(tokens, chunk, strict=True)]
    answers_of = [answer_rows(spec, answers) for _at, _language, answers in chunk]
    days = [tallying.local_day(at, tz) for at, _language, _answers in chunk]
    counts = tallying.merge(
        ((spec.version, day, language, tallying.response_counts(rows))
         for (_at, language, _answers), rows, day in zip(chunk, answers_of, days, strict=True)),
        spec.id)
    async with in_transaction(WRITE) as conn:
        await _insert(conn, "response", RESPONSE_COLUMNS, heads)
        ids = await _ids_by_token(conn, tokens)
        rows = [(ids[token], spec.id, row.question, row.value, row.number, row.text)
                for token, answer_list in zip(tokens, answers_of, strict=True)
                for row in answer_list]
        if rows:
            await _insert(conn, "answer", ANSWER_COLUMNS, rows)
        await sheets.add_sheets(conn, [
            record for token, (_at, language, _answers), answer_list, day
            in zip(tokens, chunk, answers_of, days, strict=True)
            for record in sheets.sheet_records(spec.id, ids[token], spec.version, day,
                                               language, layout, answer_list)])
        await tallies.add_many(conn, spec.id, counts, len(chunk),
                               max(at for at, _language, _answers in chunk), tz,
                               serial=min(ids.values()))


def _asyncpg(conn: Any) -> bool:
    return placeholders(conn, 1) == ["$1"]


async def _insert(conn: Any, table: str, columns: tuple[str, ...],
                  rows: list[tuple[Any, ...]]) -> None:
    if _asyncpg(conn):
        # COPY is several times quicker than an INSERT per row.
        async with conn.acquire_connection() as raw:
            await raw.copy_records_to_table(table, records=rows, columns=list(columns))
    else:
        await insert_rows(conn, table, columns, rows)


async def _ids_by_token(conn: Any, tokens: list[str]) -> dict[str, int]:
    if conn.capabilities.dialect != "sqlite":
        mark = "$1::varchar[]" if _asyncpg(conn) else "%s"
        _, rows = await conn.execute_query(
            f'SELECT "token", "id" FROM "response" WHERE "token" = ANY({mark})', [tokens])
        return {row[0]: row[1] for row in rows}
    found: dict[str, int] = {}
    for part in _chunks(tokens, LOOKUP_CHUNK):
        marks = ", ".join("?" * len(part))
        _, rows = await conn.execute_query(
            f'SELECT "token", "id" FROM "response" WHERE "token" IN ({marks})', part)
        found.update((row[0], row[1]) for row in rows)
    return found


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
