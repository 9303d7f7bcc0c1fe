"""Tallies in the database: added with each response, read by results and indicators,
recounted and rebuilt from the raw answers.

Two tables, created by migration 0005 in SQL of each engine (they are keyed by several
columns, which tortoise's models cannot say):

- ``tally``: the counters of :mod:`vnform.tallying`, keyed by (form, question, value,
  day, language, form version, shard). On SQLite a ``WITHOUT ROWID`` table, so a
  form's counters sit together in key order; on PostgreSQL keys compared byte by byte
  (``COLLATE "C"``) and free space on its pages (``fillfactor``), so that the constant
  increments are heap-only updates that need no vacuum to stay compact.
- ``form_tally``: per form served or answered, one row per shard: how many responses
  (the ``max_responses`` cap counts them, exactly, under concurrency), a change counter
  (the API's ETag), when the newest arrived, and the time zone its days were counted
  in; shard 0 also holds the layout of its answer sheets.

A submission adds its counters in its own transaction, after its answers (and its
answer sheet, :mod:`vnform.store.sheets`) and just before the commit: the response and
its counts are stored together or not at all. The counters come first, in the shard of
the response (PostgreSQL: :data:`vnform.tallying.SHARDS`), then the ``form_tally`` row
that every submission to the form updates, so that it stays locked only while the
submission commits. On PostgreSQL adding the counters first takes the form's counts
lock (an advisory lock, shared, held until the commit): submissions do not wait for one
another on it, but a rebuild of the form (which takes it alone) waits for those in
progress and holds back new ones until it is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.transactions import in_transaction

from vnform import tallying
from vnform.filters import Filters
from vnform.forms.spec import FormSpec
from vnform.sheets import Layout, extended
from vnform.store import reading, sheets
from vnform.store.database import (
    WRITE,
    Write,
    aware,
    execute,
    marked,
    on_sqlite,
    stored_time,
    write,
)
from vnform.summary import NumberStats
from vnform.tallying import ANSWERED, CASES, RESPONSES, UNSATISFIED, Difference, Row

__all__ = [
    "Counting", "Difference", "Figures", "FormTotal", "add", "add_counts", "add_many", "analyze",
    "count_response", "count_statement", "counter_writes", "counting", "figures", "form_totals",
    "period_counts", "rebuild", "key_filters", "recent_responses", "tally_zones", "verify",
    "where", "writes",
]

COLUMNS = ("form_id", "question", "value", "day", "language", "form_version", "n")
KEY = "form_id, question, value, day, language, form_version"


# --- Writing ------------------------------------------------------------------------

@dataclass(frozen=True)
class Counting:
    """How this deployment counts a response: the time zone of its days, and its form's
    answer sheet layout (:mod:`vnform.sheets`), extended as forms are published."""

    tz: ZoneInfo
    layouts: dict[str, Layout] = field(default_factory=dict)

    def layout(self, form_id: str) -> Layout:
        return self.layouts.get(form_id, Layout())

    async def lay_out(self, specs: Iterable[FormSpec]) -> None:
        """Extend each form's sheet layout with what its spec adds (one short
        transaction per form)."""
        for spec in specs:
            async with in_transaction(WRITE) as conn:
                self.layouts[spec.id] = await sheets.lay_out(conn, spec, self.tz)


async def counting(specs: Iterable[FormSpec], tz: ZoneInfo) -> Counting:
    """The :class:`Counting` of *specs*, laid out (at start)."""
    made = Counting(tz)
    await made.lay_out(specs)
    return made


#: SQLite: one counter row added (shard 0), parameters as a :data:`Row`.
_UPSERT_COUNTERS = (f"INSERT INTO tally ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    f"ON CONFLICT ({KEY}, shard) DO UPDATE SET n = n + excluded.n")

#: How the form's total row (of one shard) takes *count* more responses.
_ADD_TO_TOTAL = (
    "ON CONFLICT (form_id, shard) DO UPDATE SET "
    "responses = form_tally.responses + excluded.responses, "
    "changes = form_tally.changes + 1, "
    "last_at = CASE WHEN form_tally.last_at IS NULL OR excluded.last_at > "
    "form_tally.last_at THEN excluded.last_at ELSE form_tally.last_at END")

#: PostgreSQL: the counters of one response (or batch) as arrays ($1-$7), unnested in
#: order (the rows' lock order), added in the shard $10; first, as the statement starts,
#: the form's counts lock ($8, hashtext($9)), shared: submissions do not wait for one
#: another on it, a rebuild of the form does (:func:`sheets.hold_counts`).
_ADD_COUNTERS = (
    "WITH form AS (SELECT pg_advisory_xact_lock_shared($8, hashtext($9))), "
    f"counted AS (INSERT INTO tally ({', '.join(COLUMNS)}, shard) SELECT u.*, $10::smallint "
    "FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], "
    "$5::varchar[], $6::varchar[], $7::bigint[]) AS u WHERE (SELECT COUNT(*) FROM form) = 1 "
    f"ON CONFLICT ({KEY}, shard) DO UPDATE SET n = tally.n + EXCLUDED.n RETURNING 1) ")


async def add(conn: Any, form_id: str, rows: Sequence[Row], at: dt.datetime, tz: ZoneInfo,
              serial: int = 0, limit: int | None = None, count: int = 1) -> bool:
    """Add *count* responses of *form_id* (the newest at *at*) and their counter *rows*
    (sorted, one per key) on *conn*, a transaction, in the shard of *serial* (a response
    id); False, when that would pass *limit* (the transaction must then be rolled back).
    Without a *limit*: :func:`writes`."""
    if limit is None:
        await write(conn, writes(conn, form_id, rows, at, tz, serial, count))
        return True
    await add_counts(conn, rows, serial)
    return await count_response(conn, form_id, at, tz, limit, count, serial)


def writes(conn: Any, form_id: str, rows: Sequence[Row], at: dt.datetime, tz: ZoneInfo,
           serial: int = 0, count: int = 1) -> list[Write]:
    """The writes (:func:`~vnform.store.database.write`) that add *count* responses of
    *form_id*, a form without a cap, and their counter *rows*, on *conn*, in the shard of
    *serial*; a submission runs them with its other rows.

    The counters first, then the form's total, so that on PostgreSQL the total's row,
    which every submission to its shard updates, stays locked only while the submission
    commits; there both in one statement."""
    if on_sqlite(conn):
        return [*counter_writes(conn, rows),
                ("INSERT INTO form_tally (form_id, shard, responses, changes, last_at, "
                 f"timezone) VALUES (?, 0, ?, 1, ?, ?) {_ADD_TO_TOTAL}",
                 [(form_id, count, stored_time(conn, at), tz.key)])]
    shard = serial % tallying.SHARDS
    return [(_ADD_COUNTERS + "INSERT INTO form_tally (form_id, shard, responses, changes, "
             "last_at, timezone) SELECT $9, $10::smallint, $11, 1, $12, $13 "
             f"WHERE (SELECT COUNT(*) FROM counted) >= 0 {_ADD_TO_TOTAL}",
             [[*_arrays(rows), sheets.COUNTS_LOCK, form_id, shard, count, at, tz.key]])]


def _arrays(rows: Sequence[Row]) -> list[list[Any]]:
    """*rows* as the seven arrays of :data:`_ADD_COUNTERS`."""
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in COLUMNS]


async def count_response(conn: Any, form_id: str, at: dt.datetime, tz: ZoneInfo,
                         limit: int | None = None, count: int = 1, serial: int = 0) -> bool:
    """Count *count* more responses of *form_id* (the newest at *at*) on *conn*, a
    transaction, in the shard of *serial* (a response id); False, counting nothing, when
    that would pass *limit*.

    A form with a *limit* is counted in shard 0 alone: its row lock makes concurrent
    submissions check the cap one after the other, exactly. Its other shards hold what
    was counted before it had a cap, and what bulk loads (`vnform demo`, which ignore
    caps) add: their sum is read once, beside."""
    shard = 0 if limit is not None or on_sqlite(conn) else serial % tallying.SHARDS
    others = 0
    if limit is not None and not on_sqlite(conn):
        rows = await execute(conn, "SELECT COALESCE(SUM(responses), 0) FROM form_tally "
                             "WHERE form_id = ? AND shard <> 0", [form_id])
        others = int(rows[0][0])
    statement = count_statement(conn, form_id, at, tz, limit, count, shard, others)
    return statement is not None and bool(await execute(conn, *statement))


def count_statement(conn: Any, form_id: str, at: dt.datetime, tz: ZoneInfo,
                    limit: int | None = None, count: int = 1, shard: int = 0,
                    others: int = 0) -> tuple[str, list[Any]] | None:
    """The statement (``?`` marks) that counts *count* more responses of *form_id* in
    *shard*, whose other shards hold *others*: it returns a row when it counted them, none
    when they would pass *limit*; None when they pass it whatever the shard holds."""
    cap = "" if limit is None else " WHERE form_tally.responses + ? <= ?"
    sql = ("INSERT INTO form_tally (form_id, shard, responses, changes, last_at, timezone) "
           f"VALUES (?, ?, ?, 1, ?, ?) {_ADD_TO_TOTAL}{cap} RETURNING responses")
    params: list[Any] = [form_id, shard, count, stored_time(conn, at), tz.key]
    if limit is not None:
        if others + count > limit:
            return None
        params += [count, limit - others]
    return sql, params


async def add_counts(conn: Any, rows: Sequence[Row], serial: int = 0) -> None:
    """Add *rows* (sorted, one per key, all of one form) to the tally table, on *conn*, a
    transaction, in the shard of *serial* (a response id: PostgreSQL only)."""
    await write(conn, counter_writes(conn, rows, serial))


def counter_writes(conn: Any, rows: Sequence[Row], serial: int = 0) -> list[Write]:
    """The writes of :func:`add_counts`, for a submission to run with its other rows."""
    if not rows:
        return []
    if on_sqlite(conn):
        return [(_UPSERT_COUNTERS, rows)]
    return [(_ADD_COUNTERS + "SELECT COUNT(*) FROM counted",
             [[*_arrays(rows), sheets.COUNTS_LOCK, rows[0][0], serial % tallying.SHARDS]])]


async def add_many(conn: Any, form_id: str, rows: Sequence[Row], responses: int,
                   last_at: dt.datetime, tz: ZoneInfo, serial: int = 0) -> None:
    """A bulk load's counts: *responses* responses of *form_id*, their counter rows, in
    the shard of *serial* (say, the batch's first response id)."""
    await add(conn, form_id, rows, last_at, tz, serial, count=responses)


# --- Reading -------------------------------------------------------------------------

@dataclass(frozen=True)
class FormTotal:
    """A form's response count, change counter and newest response (``form_tally``)."""

    responses: int = 0
    changes: int = 0
    last_at: dt.datetime | None = None


async def form_totals(form_ids: Iterable[str], officials: bool = True) -> dict[str, FormTotal]:
    """Each form's totals in one small query: through the officials' connections, or
    (without *officials*: a citizen's page, the cap) through the writer's."""
    ids = list(form_ids)
    if not ids:
        return {}
    sql = ("SELECT form_id, SUM(responses), SUM(changes), MAX(last_at) FROM form_tally "
           f"WHERE form_id IN ({', '.join('?' * len(ids))}) GROUP BY form_id")
    if officials:
        rows = await reading.fetch(sql, ids)
    else:
        conn = connections.get(WRITE)
        _, rows = await conn.execute_query(marked(conn, sql), ids)
    return {row[0]: FormTotal(int(row[1]), int(row[2]), aware(row[3])) for row in rows}


async def tally_zones() -> set[str]:
    """The time zones the stored counters' days were counted in."""
    return {row[0] for row in await reading.fetch("SELECT DISTINCT timezone FROM form_tally")}


@dataclass(frozen=True)
class Figures:
    """What a results view shows, summed from counters (or, for a segment, counted live
    from the raw answers: *live*)."""

    responses: int = 0
    #: Answers per answer key and value.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Responses that answered each answer key.
    answered: dict[str, int] = field(default_factory=dict)
    #: (local day, responses) for each day with any, oldest first.
    days: list[tuple[dt.date, int]] = field(default_factory=list)
    live: bool = False
    #: n, mean, median, lowest and highest of each number question.
    numbers: dict[str, NumberStats] = field(default_factory=dict)
    #: How many answered each date question, the earliest and the latest.
    dates: dict[str, tuple[int, str | None, str | None]] = field(default_factory=dict)
    #: Answers per local day and value of the answer keys asked for (the trends of
    #: scale questions): key -> day -> value -> n.
    by_day: dict[str, dict[dt.date, dict[str, int]]] = field(default_factory=dict)


def key_filters(filters: Filters, prefix: str = "") -> tuple[list[str], list[Any]]:
    """SQL conditions (and their values) for the filters on key columns that counters
    and answer sheets share: local days, language, version (*prefix*: a table alias)."""
    clauses, params = [], []
    for condition, value in ((f"{prefix}day >= ?", filters.since),
                             (f"{prefix}day <= ?", filters.until),
                             (f"{prefix}language = ?", filters.language),
                             (f"{prefix}form_version = ?", filters.version)):
        if value:
            clauses.append(condition)
            params.append(value.isoformat() if isinstance(value, dt.date) else value)
    return clauses, params


def where(form_id: str, filters: Filters) -> tuple[str, list[Any]]:
    """The counters *filters* select: date, language and version are key columns."""
    clauses, params = key_filters(filters)
    return " AND ".join(["form_id = ?", *clauses]), [form_id, *params]


async def figures(form_id: str, filters: Filters, by_day: Sequence[str] = ()) -> Figures:
    """The figures of *form_id* under *filters* (without a segment), with the answers
    per day of the answer keys *by_day*: three statements, whatever the number of
    responses."""
    if filters.segment:
        raise ValueError("a segment is counted live: vnform.store.segments")
    selected, params = where(form_id, filters)
    rows = await reading.fetch(
        f"SELECT question, value, SUM(n) FROM tally WHERE {selected} GROUP BY question, value",
        params)
    days = await reading.fetch(
        f"SELECT day, SUM(n) FROM tally WHERE {selected} AND question = ? AND value = ? "
        "GROUP BY day ORDER BY day", [*params, RESPONSES, ANSWERED])
    counts: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    responses = 0
    for question, value, n in rows:
        if question == RESPONSES:
            responses = int(n)
            continue
        if value != ANSWERED:
            counts.setdefault(question, {})[value] = int(n)
        if question != CASES or value == ANSWERED:
            # An answer key's counters add up to those who answered it.
            answered[question] = answered.get(question, 0) + int(n)
    per_day: dict[str, dict[dt.date, dict[str, int]]] = {}
    if by_day:
        daily = await reading.fetch(
            f"SELECT question, day, value, SUM(n) FROM tally WHERE {selected} "
            f"AND question IN ({', '.join('?' * len(by_day))}) AND value <> ? "
            "GROUP BY question, day, value", [*params, *by_day, ANSWERED])
        for question, day, value, n in daily:
            if int(n):
                per_day.setdefault(question, {}).setdefault(
                    dt.date.fromisoformat(day), {})[value] = int(n)
    return Figures(responses, counts, {k: n for k, n in answered.items() if n},
                   [(dt.date.fromisoformat(day), int(n)) for day, n in days if int(n)],
                   by_day=per_day)


async def recent_responses(form_ids: Sequence[str], since: dt.date) -> dict[str, int]:
    """Responses per form on local days from *since* on."""
    if not form_ids:
        return {}
    rows = await reading.fetch(
        f"SELECT form_id, SUM(n) FROM tally WHERE form_id IN ({', '.join('?' * len(form_ids))}) "
        "AND question = ? AND value = ? AND day >= ? GROUP BY form_id",
        [*form_ids, RESPONSES, ANSWERED, since.isoformat()])
    return {form_id: int(n) for form_id, n in rows}


async def period_counts(form_keys: dict[str, list[str]], first: dt.date, after: dt.date
                        ) -> dict[str, dict[str, dict[str, int]]]:
    """Counters summed over local days [first, after), per form, question and value,
    for the answer keys given and the responses and cases: one statement."""
    ids = list(form_keys)
    if not ids:
        return {}
    questions = sorted({k for keys in form_keys.values() for k in keys} | {RESPONSES, CASES})
    rows = await reading.fetch(
        f"SELECT form_id, question, value, SUM(n) FROM tally "
        f"WHERE form_id IN ({', '.join('?' * len(ids))}) "
        f"AND question IN ({', '.join('?' * len(questions))}) AND day >= ? AND day < ? "
        "GROUP BY form_id, question, value",
        [*ids, *questions, first.isoformat(), after.isoformat()])
    found: dict[str, dict[str, dict[str, int]]] = {}
    for form_id, question, value, n in rows:
        found.setdefault(form_id, {}).setdefault(question, {})[value] = int(n)
    return found


# --- Recounting from the raw answers --------------------------------------------------

def day_sql(sqlite: bool, tz: ZoneInfo, first: dt.datetime | None,
            last: dt.datetime | None, column: str = "r.submitted_at") -> str:
    """SQL for the local day (``YYYY-MM-DD``) of *column*, a UTC time, in *tz*; exact
    for times between *first* and *last* (SQLite knows no time zones: each stretch of
    one UTC offset within them is written out)."""
    if not sqlite:
        if not all(c.isalnum() or c in "_+-/" for c in tz.key):
            raise ValueError(f"unexpected time zone name {tz.key!r}")
        return f"to_char(timezone('{tz.key}', {column}), 'YYYY-MM-DD')"
    stretches = offset_stretches(tz, first, last)
    if len(stretches) == 1:
        return f"date({column}, '{stretches[0][1]:+d} minutes')"
    cases = " ".join(f"WHEN datetime({column}) < '{until:%Y-%m-%d %H:%M:%S}' "
                     f"THEN '{minutes:+d} minutes'" for until, minutes in stretches[:-1])
    return f"date({column}, CASE {cases} ELSE '{stretches[-1][1]:+d} minutes' END)"


def offset_stretches(tz: ZoneInfo, first: dt.datetime | None, last: dt.datetime | None
                     ) -> list[tuple[dt.datetime, int]]:
    """(until, offset in minutes) for each stretch of one UTC offset of *tz* from *first*
    to *last*: each stretch ends (UTC) where the next begins; the last has no end."""
    now = dt.datetime.now(dt.UTC)
    start = (first or now).astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    end = (last or now).astimezone(dt.UTC) + dt.timedelta(days=1)

    def offset(moment: dt.datetime) -> int:
        return int((moment.astimezone(tz).utcoffset() or dt.timedelta()).total_seconds() // 60)

    stretches: list[tuple[dt.datetime, int]] = []
    moment, current = start, offset(start)
    while moment < end:
        following = moment + dt.timedelta(hours=6)
        if offset(following) != current:
            low, high = moment, following  # the change lies in (low, high]
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            high = high.replace(microsecond=0)
            stretches.append((high, current))
            current = offset(high)
        moment = following
    stretches.append((end, current))
    return stretches


@dataclass(frozen=True)
class _Rule:
    version: str
    rule: tallying.UnsatisfiedRule


def recount_statements(sqlite: bool, form_id: str, day: str, rules: Sequence[_Rule],
                       responses: Sequence[int] = (), keys: Sequence[str] = (),
                       ) -> list[tuple[str, list[Any]]]:
    """SELECTs giving the daily counters of *form_id* recounted from its raw responses
    and answers, as tally rows (``?`` marks; *day* from :func:`day_sql`). With
    *responses*, the counters of those responses only; with *keys*, those of their
    answers to these answer keys only (no response or case counter)."""
    def grouped(inner: str) -> str:
        return (f"SELECT form_id, question, value, day, language, form_version, COUNT(*) "
                f"FROM ({inner}) x GROUP BY {KEY}")

    def summed(inner: str) -> str:
        return (f"SELECT form_id, question, value, day, language, form_version, SUM(c) "
                f"FROM ({inner}) x GROUP BY {KEY} HAVING SUM(c) <> 0")

    scope, scoped = "", []
    if responses:
        scope += f" AND r.id IN ({', '.join('?' * len(responses))})"
        scoped += list(responses)
    answer_scope, answer_scoped = scope, list(scoped)
    if keys:
        answer_scope += f" AND a.question IN ({', '.join('?' * len(keys))})"
        answer_scoped += list(keys)
    answers = [
        (grouped(f"SELECT r.form_id, a.question, a.value, {day} AS day, r.language, "
                 "r.form_version FROM answer a JOIN response r ON r.id = a.response_id "
                 f"WHERE a.form_id = ? AND r.form_id = ? AND a.value IS NOT NULL{answer_scope}"),
         [form_id, form_id, *answer_scoped]),
        # Answered, less the values given: 1 - values, per response and key.
        (summed(f"SELECT r.form_id, a.question, '' AS value, {day} AS day, r.language, "
                "r.form_version, 1 - COUNT(a.value) AS c FROM answer a JOIN response r "
                f"ON r.id = a.response_id WHERE a.form_id = ? AND r.form_id = ?{answer_scope} "
                "GROUP BY r.id, a.question, r.form_id, r.submitted_at, r.language, "
                "r.form_version"), [form_id, form_id, *answer_scoped]),
    ]
    if keys:
        return answers
    statements = [
        (grouped(f"SELECT r.form_id, '{RESPONSES}' AS question, '' AS value, {day} AS day, "
                 f"r.language, r.form_version FROM response r WHERE r.form_id = ?{scope}"),
         [form_id, *scoped]),
        *answers,
        (grouped(f"SELECT r.form_id, '{CASES}' AS question, '' AS value, {day} AS day, "
                 "r.language, r.form_version FROM response r "
                 f"WHERE r.form_id = ? AND r.case_code IS NOT NULL{scope}"), [form_id, *scoped]),
    ]
    for item in rules:
        codes_of = sorted(item.rule.keys), sorted(item.rule.codes)
        statements.append((grouped(
            f"SELECT r.form_id, '{CASES}' AS question, '{UNSATISFIED}' AS value, "
            f"{day} AS day, r.language, r.form_version FROM response r "
            "WHERE r.form_id = ? AND r.form_version = ? AND r.case_code IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM answer a WHERE a.response_id = r.id "
            f"AND a.question IN ({', '.join('?' * len(codes_of[0]))}) "
            f"AND a.value IN ({', '.join('?' * len(codes_of[1]))})){scope}"),
            [form_id, item.version, *codes_of[0], *codes_of[1], *scoped]))
    return statements


async def _specs(run: Any, form_id: str, current: FormSpec | None) -> dict[str, FormSpec]:
    """The spec of each stored version of *form_id* that can still be read, oldest
    first, and the current one (a version never recorded has the current spec's)."""
    from vnform.forms.building import build_from_definition

    found: dict[str, FormSpec] = {}
    for version, definition in await run(
            "SELECT version, definition FROM form_version WHERE form_id = ? ORDER BY id",
            [form_id]):
        try:
            found[version] = build_from_definition(_json(definition))
        except Exception:  # noqa: BLE001 - a definition no longer readable counts as none
            continue
    if current is not None:
        found[current.version] = current
    return found


async def _rules(run: Any, form_id: str, specs: dict[str, FormSpec]) -> list[_Rule]:
    """How each version of *form_id* with rated cases tells an unsatisfied rating: by
    its own spec (else the newest, for a version never recorded)."""
    versions = [row[0] for row in await run(
        "SELECT DISTINCT form_version FROM response WHERE form_id = ? "
        "AND case_code IS NOT NULL", [form_id])]
    newest = list(specs.values())[-1] if specs else None
    found = []
    for version in sorted(versions):
        spec = specs.get(version) or newest
        rule = tallying.unsatisfied_rule(spec) if spec is not None else None
        if rule is not None:
            found.append(_Rule(version, rule))
    return found


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str | bytes) else value


async def _recount(run: Any, sqlite: bool, form_id: str, tz: ZoneInfo,
                   specs: dict[str, FormSpec]) -> list[Row]:
    span = await run("SELECT MIN(submitted_at), MAX(submitted_at) FROM response "
                     "WHERE form_id = ?", [form_id])
    first, last = (aware(v) for v in span[0]) if span else (None, None)
    day = day_sql(sqlite, tz, first, last)
    rows: list[Row] = []
    for sql, params in recount_statements(sqlite, form_id, day, await _rules(
            run, form_id, specs)):
        rows.extend((*row[:6], int(row[6])) for row in await run(sql, params))
    return rows


async def _form_ids(run: Any, wanted: Iterable[str] | None) -> list[str]:
    if wanted is not None:
        return sorted(set(wanted))
    return sorted({row[0] for row in await run(
        "SELECT DISTINCT form_id FROM response UNION SELECT form_id FROM form_tally", [])})


async def verify(tz: ZoneInfo, form_ids: Iterable[str] | None = None,
                 specs: dict[str, FormSpec] | None = None) -> list[Difference]:
    """Every counter that differs from a recount of the raw answers, every form whose
    response count, newest time or time zone differs, and every sum of answer sheets
    that differs from the recount, as of one moment."""
    found: list[Difference] = []
    async with reading.snapshot(timeout=False) as run:
        sqlite = run.sqlite
        for form_id in await _form_ids(run, form_ids):
            kept = [(*row[:6], int(row[6])) for row in await run(
                f"SELECT {KEY}, SUM(n) FROM tally WHERE form_id = ? GROUP BY {KEY}",
                [form_id])]
            versions = await _specs(run, form_id, (specs or {}).get(form_id))
            recounted = await _recount(run, sqlite, form_id, tz, versions)
            erased = [(*row[:6], int(row[6])) for row in await run(
                f"SELECT {KEY}, n FROM erased_tally WHERE form_id = ?", [form_id])]
            # The counters keep the answers erased since they were counted.
            found.extend(tallying.differences(kept, recounted + erased))
            found.extend(await _total_differences(run, form_id, tz))
            found.extend(await _sheet_differences(run, form_id, recounted))
    return found


async def _total_differences(run: Any, form_id: str, tz: ZoneInfo) -> list[Difference]:
    total = await run("SELECT COUNT(*), MAX(submitted_at), (SELECT COALESCE(SUM(n), 0) "
                      "FROM erased_tally WHERE form_id = ? AND question = ?) FROM response "
                      "WHERE form_id = ?", [form_id, RESPONSES, form_id])
    stored, newest, deleted = int(total[0][0]), aware(total[0][1]), int(total[0][2])
    count = stored + deleted  # responses deleted since they were counted still count
    kept = await run("SELECT SUM(responses), MAX(last_at), MAX(CASE WHEN shard = 0 "
                     "THEN timezone END) FROM form_tally WHERE form_id = ?", [form_id])
    responses, last_at, zone = (int(kept[0][0]), aware(kept[0][1]), kept[0][2]) \
        if kept and kept[0][0] is not None else (0, None, tz.key)
    found = []
    if responses != count:
        found.append(Difference(form_id, "responses in all (form_tally)", responses, count))
    # A deleted response may have been the newest: the time of one kept is no later.
    if stored and (last_at != newest if not deleted else last_at is None or last_at < newest):
        found.append(Difference(form_id, "time of the newest response (form_tally)",
                                str(last_at), str(newest)))
    if count and zone != tz.key:
        found.append(Difference(form_id, "time zone of the days (form_tally)", zone, tz.key))
    return found


async def rebuild(tz: ZoneInfo, form_ids: Iterable[str] | None = None,
                  specs: dict[str, FormSpec] | None = None, conn: Any = None) -> list[str]:
    """Recount the counters of *form_ids* (default: every form with responses or
    counters) from the raw answers, counting days in *tz*, and write their answer
    sheets anew (laid out by every stored version's spec and *specs*); one transaction
    per form. Returns the forms rebuilt. On *conn* (a migration's), in its transaction."""
    done = []
    if conn is not None:
        for form_id in await _form_ids(partial(execute, conn), form_ids):
            await _rebuild_form(conn, form_id, tz, (specs or {}).get(form_id))
            done.append(form_id)
        return done
    for form_id in await _form_ids(partial(execute, connections.get(WRITE)), form_ids):
        async with in_transaction(WRITE) as txn:
            await _rebuild_form(txn, form_id, tz, (specs or {}).get(form_id))
        done.append(form_id)
    return done


async def _rebuild_form(conn: Any, form_id: str, tz: ZoneInfo, current: FormSpec | None) -> None:
    run = partial(execute, conn)
    specs = await _specs(run, form_id, current)
    # The form's counts lock first: on PostgreSQL it makes submissions to this form wait
    # until the recount is in, so none is counted twice or lost.
    await sheets.hold_counts(conn, form_id)
    await run("INSERT INTO form_tally (form_id, responses, changes, last_at, timezone) "
              "VALUES (?, 0, 0, NULL, ?) ON CONFLICT (form_id, shard) DO NOTHING",
              [form_id, tz.key])
    await run("DELETE FROM tally WHERE form_id = ?", [form_id])
    sqlite = on_sqlite(conn)
    span = await run("SELECT MIN(submitted_at), MAX(submitted_at) FROM response "
                     "WHERE form_id = ?", [form_id])
    day = day_sql(sqlite, tz, aware(span[0][0]), aware(span[0][1]))
    for sql, params in recount_statements(sqlite, form_id, day,
                                          await _rules(run, form_id, specs)):
        await run(f"INSERT INTO tally ({', '.join(COLUMNS)}) {sql}", params)
    # Answers erased since they were counted still count (vnform.store.erasure); the
    # migration that first counts the tallies runs before there are any.
    erased = await _erased_kept(run, sqlite)
    if erased:
        await run(f"INSERT INTO tally ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} "
                  f"FROM erased_tally WHERE form_id = ? ON CONFLICT ({KEY}, shard) "
                  "DO UPDATE SET n = tally.n + excluded.n", [form_id])
    deleted, deleted_params = (
        (" + (SELECT COALESCE(SUM(n), 0) FROM erased_tally WHERE form_id = ? AND "
         "question = ?)", [form_id, RESPONSES]) if erased else ("", []))
    # The whole count in shard 0, none in the others (their changes still count: the
    # sum of all changes only ever grows).
    await run("UPDATE form_tally SET responses = CASE WHEN shard = 0 THEN (SELECT COUNT(*) "
              f"FROM response WHERE form_id = ?){deleted} ELSE 0 END, "
              "last_at = CASE WHEN shard = 0 THEN (SELECT MAX(submitted_at) FROM response "
              "WHERE form_id = ?) END, changes = changes + 1, timezone = ? WHERE form_id = ?",
              [form_id, *deleted_params, form_id, tz.key, form_id])
    layout = await sheets.layout_of(conn, form_id)
    for spec in specs.values():
        layout = extended(layout, spec)
    await run("UPDATE form_tally SET layout = ? WHERE form_id = ? AND shard = 0",
              [layout.to_json(), form_id])
    await sheets.rebuild_sheets(conn, form_id, layout,
                                lambda moment: tallying.local_day(moment, tz))


async def _erased_kept(run: Any, sqlite: bool) -> bool:
    """Whether the database has the table of erased answers' counts (migration 0008)."""
    if sqlite:
        return bool(await run("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                              "AND name = 'erased_tally'", []))
    return (await run("SELECT to_regclass('erased_tally') IS NOT NULL", []))[0][0]


async def _sheet_differences(run: Any, form_id: str, recounted: list[Row]) -> list[Difference]:
    """Differences between the sums of the form's answer sheets and the recounted
    counters, by version, day and language: each sheet column summed must equal the
    counter of what it marks, and every response must have its sheets."""
    rows = await run("SELECT layout FROM form_tally WHERE form_id = ? AND shard = 0",
                     [form_id])
    layout = Layout.from_json(rows[0][0] if rows else None)
    expected: dict[tuple[str, ...], int] = {}
    answered: dict[tuple[str, ...], int] = {}  # all of a key's counters add up to it
    for _f, q, v, d, lang, ver, n in recounted:
        expected[(q, v, d, lang, ver)] = expected.get((q, v, d, lang, ver), 0) + n
        answered[(q, d, lang, ver)] = answered.get((q, d, lang, ver), 0) + n
    responses = sum(n for (q, _v, _d, _l, _ver), n in expected.items() if q == RESPONSES)
    answers = any(q != RESPONSES for (q, _v, _d, _l, _ver) in expected)
    # A form without questions (a consultation may ask none) lays out no column.
    if answers and not layout.marks:
        return [Difference(form_id, "answer sheets: no layout", 0, responses)]
    found = []
    for part in range(layout.parts):
        selects, meaning = sheets.sums_sql(layout, part)
        totals = await run(
            f"SELECT p.form_version, p.day, p.language, COUNT(*), {', '.join(selects) or '0'} "
            "FROM answer_sheet p WHERE p.form_id = ? AND p.part = ? "
            "GROUP BY p.form_version, p.day, p.language", [form_id, part])
        seen = set()
        for version, day, language, count, *values in totals:
            seen.add((version, day, language))
            where = f"day {day}, language {language}, version {version}"
            counted = expected.get((RESPONSES, "", day, language, version), 0)
            if int(count) != counted:
                found.append(Difference(form_id, f"answer sheets (part {part}), {where}",
                                        int(count), counted))
            position = 0
            for kind, what in meaning:
                value = values[position]
                position += {"mark": 1, "number": 4, "date": 3}[kind]
                key, mark = what if kind == "mark" else (what, ANSWERED)
                want = answered.get((key, day, language, version), 0) if mark == ANSWERED \
                    else expected.get((key, mark, day, language, version), 0)
                if int(value or 0) != want:
                    found.append(Difference(
                        form_id, f"answer sheets: {kind} {key}"
                        + (f" = {mark!r}" if mark else " answered") + f", {where}",
                        int(value or 0), want))
        for (question, _v, day, language, version), n in expected.items():
            if question == RESPONSES and n and (version, day, language) not in seen:
                found.append(Difference(form_id, f"answer sheets (part {part}), day {day}, "
                                        f"language {language}, version {version}", 0, n))
    return found


async def analyze(conn: Any = None) -> None:
    """Fresh planner statistics after a bulk write (``vnform demo``, a rebuild): with
    autovacuum off, as on some managed servers, PostgreSQL knows only what ANALYZE told
    it; VACUUM also marks the pages all-visible, for index-only scans."""
    conn = conn or connections.get(WRITE)
    if on_sqlite(conn):
        await conn.execute_script("ANALYZE")
        return
    async with conn.acquire_connection() as raw:
        # VACUUM cannot run in a transaction: this connection is in autocommit.
        await raw.execute("VACUUM ANALYZE response, answer, answer_sheet, tally, form_tally")
