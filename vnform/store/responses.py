"""Citizens' data: form versions, drafts between pages, responses and their answers."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from vnform import references, tallying
from vnform.answers import AnswerRow, Answers, StoredResponse, answer_rows
from vnform.consultation.comments import CommentDraft
from vnform.filters import Filters
from vnform.forms.spec import FormSpec
from vnform.models import Draft, FormVersion, Response
from vnform.privacy import NOT_ASKED, Consent
from vnform.store import reading, sheets, tallies
from vnform.store.comments import comment_writes
from vnform.store.database import (
    WRITE,
    Write,
    aware,
    execute,
    on_sqlite,
    placeholders,
    run_writes,
    sqlite_transaction,
    stored_time,
    write,
)
from vnform.store.flagged import RateClaim, mark_on_postgres, mark_on_sqlite

#: Columns of an answer row, in the order the raw inserts give them.
ANSWER_COLUMNS = ("response_id", "form_id", "question", "value", "number", "text")

__all__ = [
    "CaseRated", "DraftState", "FormFull", "OwnResponse", "case_rated", "count_responses",
    "counts_by_form", "own_response",
    "iter_responses", "response_where",
    "form_ids_stored", "load_draft", "purge_drafts", "record_versions", "save_draft",
    "stored_versions",
    "version_dates", "version_days",
    "submit", "submitted", "token_state",
]


#: Marks the invitation *id* used, if it still is not (a row back when it was).
_CLAIM = ('UPDATE "invitation" SET "used_at" = ? WHERE "id" = ? AND "form_id" = ? '
          'AND "case_code" = ? AND "used_at" IS NULL RETURNING "id"')
#: Stores a response (its id back), with the reference code its citizen is shown.
_INSERT_RESPONSE = ('INSERT INTO "response" ("form_id", "form_version", "token", "language", '
                    '"submitted_at", "case_code", "reference_code", "consent", '
                    '"consent_notice", "consent_at", "contact_consent", "link_hash") '
                    'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"')


def _stored_together(head: tuple[str, list[Any]], form_id: str, rows: Sequence[AnswerRow],
                     sheet: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """PostgreSQL: the response (*head*), its answer *rows* and its *sheet* records (with
    any response id: the new one replaces it) in one statement, the response's id back.
    The answers go in as arrays, in order; every value is cast to its column's type."""
    params = list(head[1])

    def bound(value: Any, cast: str) -> str:
        params.append(value)
        return f"?::{cast}"

    answers = (
        f'INSERT INTO "answer" ({", ".join(ANSWER_COLUMNS)}) '
        f'SELECT r."id", {bound(form_id, "varchar")}, u.* FROM r, unnest('
        f'{bound([a.question for a in rows], "varchar[]")}, '
        f'{bound([a.value for a in rows], "varchar[]")}, '
        f'{bound([a.number for a in rows], "float8[]")}, '
        f'{bound([a.text for a in rows], "text[]")}) AS u')
    parts = " UNION ALL ".join(
        "SELECT " + ", ".join('r."id"' if column == "response_id"
                              else bound(value, sheets.column_type(column))
                              for column, value in zip(sheets.COLUMNS, record, strict=True))
        + " FROM r" for record in sheet)
    sql = f"WITH r AS ({head[0]}), a AS ({answers})"
    if parts:
        sql += f", s AS (INSERT INTO answer_sheet ({', '.join(sheets.COLUMNS)}) {parts})"
    return sql + ' SELECT "id" FROM r', params


def _answer_write(response_id: int, form_id: str, rows: Iterable[AnswerRow]) -> Write:
    """The answer rows of one response, as one statement (no model object per row)."""
    return (f'INSERT INTO "answer" ({", ".join(ANSWER_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)',
            [(response_id, form_id, row.question, row.value, row.number, row.text)
             for row in rows])


async def record_versions(specs: Iterable[FormSpec]) -> None:
    """Store each form's definition once per version, so old answers stay readable."""
    for spec in specs:
        await FormVersion.get_or_create(
            form_id=spec.id, version=spec.version, defaults={"definition": spec.definition}
        )


async def form_ids_stored() -> list[str]:
    """Every form with a recorded version (served once, whether or not still)."""
    return sorted(set(await FormVersion.all().distinct().values_list("form_id", flat=True)))


async def stored_versions(form_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(version, definition) of every stored version of a form, oldest first."""
    rows = await FormVersion.filter(form_id=form_id).order_by("id").values_list(
        "version", "definition"
    )
    return [(version, definition) for version, definition in rows]


async def version_dates(form_id: str) -> list[tuple[str, dt.datetime]]:
    """(version, when it was first served) of every version of a form, oldest first: the
    first is version 1."""
    rows = await FormVersion.filter(form_id=form_id).order_by("id").values_list(
        "version", "created_at")
    return [(str(version), created) for version, created in rows]


async def version_days(form_id: str, tz: ZoneInfo) -> list[tuple[str, dt.date]]:
    """(version, the local day it was first served) of every version of a form, oldest
    first."""
    return [(version, aware(created).astimezone(tz).date())
            for version, created in await version_dates(form_id)]


@dataclass(frozen=True)
class OwnResponse:
    """A response as its citizen's private link opens it."""

    id: int
    form_id: str
    version: str
    language: str
    submitted_at: dt.datetime
    consent: bool | None
    contact_consent: bool | None
    erased_at: dt.datetime | None


async def own_response(code: str, link_hash: str) -> OwnResponse | None:
    """The response of reference *code* whose private link's secret hashes to
    *link_hash* (the writer's connection: a citizen's page)."""
    rows = await execute(connections.get(WRITE),
                         "SELECT id, form_id, form_version, language, submitted_at, consent, "
                         "contact_consent, erased_at FROM response WHERE reference_code = ? "
                         "AND link_hash = ?", [code, link_hash])
    if not rows:
        return None
    (rid, form_id, version, language, at, consent, contact, erased), *_ = rows
    return OwnResponse(int(rid), str(form_id), str(version), str(language), aware(at),
                       None if consent is None else bool(consent),
                       None if contact is None else bool(contact), aware(erased))


async def count_responses(form_id: str) -> int:
    """Responses of *form_id*, from its counter (a citizen's page: the writer's)."""
    total = (await tallies.form_totals([form_id], officials=False)).get(form_id)
    return total.responses if total else 0


async def counts_by_form(form_ids: Iterable[str]) -> dict[str, int]:
    """Responses of each form, from their counters, in one small query."""
    totals = await tallies.form_totals(form_ids, officials=False)
    return {form_id: total.responses for form_id, total in totals.items()}


@dataclass(frozen=True)
class DraftState:
    answers: dict[str, str | list[str]]
    reached: int
    version: str


async def load_draft(token: str) -> DraftState | None:
    draft = await Draft.get_or_none(token=token)
    if draft is None:
        return None
    return DraftState(dict(draft.answers), draft.reached, draft.form_version)


async def save_draft(token: str, spec: FormSpec, answers: Answers, reached: int) -> None:
    await Draft.update_or_create(
        token=token,
        defaults={"form_id": spec.id, "form_version": spec.version,
                  "answers": dict(answers), "reached": reached},
    )


async def purge_drafts(older_than: dt.timedelta) -> int:
    """Delete unfinished answers not touched for *older_than*."""
    cutoff = dt.datetime.now(dt.UTC) - older_than
    return await Draft.filter(updated_at__lt=cutoff).delete()


async def token_state(token: str) -> tuple[int | None, tuple[str, bool] | None]:
    """What was done with the one-time *token*, in one round trip: the id of the
    response stored with it (if any), and (reason, whether its answers are in) of the
    flagged visit it belongs to (if any)."""
    conn = connections.get("default")
    marks = placeholders(conn, 3)
    _, rows = await conn.execute_query(
        f'SELECT (SELECT "id" FROM "response" WHERE "token" = {marks[0]} LIMIT 1), '
        f'(SELECT "reason" FROM "flagged_submission" WHERE "token" = {marks[1]}), '
        f'(SELECT "answers" IS NOT NULL FROM "flagged_submission" WHERE "token" = {marks[2]})',
        [token, token, token])
    response_id, reason, answered = tuple(rows[0])
    return (None if response_id is None else int(response_id),
            None if reason is None else (str(reason), bool(answered)))


async def submitted(token: str) -> int | None:
    """The id of the response stored with *token*, if any."""
    # Raw SQL: this runs twice per submission, and building the ORM's query costs more
    # than running it.
    conn = connections.get("default")
    (mark,) = placeholders(conn, 1)
    _, rows = await conn.execute_query(
        f'SELECT "id" FROM "response" WHERE "token" = {mark} LIMIT 1', [token])
    return int(rows[0][0]) if rows else None


class FormFull(Exception):
    """The form has all the responses its `max_responses` allows."""


class CaseRated(Exception):
    """The case already has a response with this form, or its invitation was used."""


async def case_rated(form_id: str, case_code: str) -> bool:
    """Whether *case_code* already has a response with *form_id*."""
    return await Response.filter(form_id=form_id, case_code=case_code).exists()


async def submit(spec: FormSpec, token: str, language: str, answers: Answers,
                 counting: tallies.Counting, limit: int | None = None,
                 case_code: str | None = None,
                 invitation_id: int | None = None, consent: Consent = NOT_ASKED,
                 link_hash: str | None = None,
                 comments: Sequence[CommentDraft] = (),
                 rate: RateClaim | None = None) -> tuple[int, bool]:
    """Store a response once per token: (response id, whether this call stored it).

    The response, its answers, its answer sheet and its tallies (counted by day in the
    deployment's time zone: *counting*) are stored in one transaction: together or
    not at all. With a *limit*, the form's response
    counter refuses to pass it (:class:`FormFull`), exactly, however many submissions
    run at once: its row is updated under a lock (PostgreSQL) or by the one writer
    (SQLite).

    With a *case_code* (and the *invitation_id* that brought the citizen), the response
    records the case, and the invitation is marked used in the same transaction: either
    both happen or neither. A case already rated with this form, or an invitation used
    meanwhile, raises :class:`CaseRated` and stores nothing; the unique (form, case)
    constraint decides between two submissions racing for one case.

    *consent* is the citizen's answer to the form's personal-data notice, stored with
    the response (and when it was given); *link_hash*, the SHA-256 of the secret of the
    citizen's private link. A consultation's *comments* are stored with the response.

    With a *rate* claim, the submission's mark for the per-address rate limit is written
    first, in the same transaction, and the marks before it counted: over the limit,
    :class:`~vnform.store.flagged.OverRateLimit` is raised and nothing is stored, the
    mark neither. On PostgreSQL the submissions of one key take turns from their mark to
    their commit, so that each counts the others however many workers take them.
    """
    # A token used already is found by the unique constraint (below): the callers look
    # it up before, and a second look here would cost every submission a round trip.
    rows = answer_rows(spec, answers)
    now = dt.datetime.now(dt.UTC)
    day = tallying.local_day(now, counting.tz)
    counts = tallying.tally_rows(
        spec.id, spec.version, day, language,
        tallying.response_counts(rows, case=case_code is not None, unsatisfied=(
            case_code is not None and tallying.rates_unsatisfied(spec, answers))))
    client = connections.get(WRITE)
    at = stored_time(client, now)
    claim = None if invitation_id is None else (_CLAIM, [at, invitation_id, spec.id, case_code])
    head = (_INSERT_RESPONSE, [spec.id, spec.version, token, language, at, case_code,
                               references.code_of(token), consent.given, consent.notice,
                               at if consent.given is not None else None, consent.contact,
                               link_hash])

    def sheet(response_id: int) -> list[tuple[Any, ...]]:
        return sheets.sheet_records(spec.id, response_id, spec.version, day, language,
                                    counting.layout(spec.id), rows)

    def rows_of(response_id: int, stored: bool = False) -> list[Write]:
        # Last the counters, in the shard of the response, then the form's total, so that
        # on PostgreSQL these shared rows stay locked only as long as it takes to commit.
        # A form with a cap counts its total apart: it may refuse. *stored*: the answers
        # and the sheet went in with the response already.
        return [
            *(() if stored else (_answer_write(response_id, spec.id, rows),
                                 sheets.sheet_write(sheet(response_id)))),
            *comment_writes(spec.id, response_id, comments, at),
            ('DELETE FROM "draft" WHERE "token" = ?', [(token,)]),
            *(tallies.writes(client, spec.id, counts, now, counting.tz, serial=response_id)
              if limit is None else tallies.counter_writes(client, counts, response_id))]

    try:
        if on_sqlite(client):
            cap = None if limit is None else tallies.count_statement(
                client, spec.id, now, counting.tz, limit)
            if limit is not None and cap is None:
                raise FormFull(spec.id)

            def store(raw: sqlite3.Connection) -> int:
                if rate is not None:
                    mark_on_sqlite(raw, rate, now)
                # The claim of the invitation first: a used one stops all the rest.
                if claim and not raw.execute(*claim).fetchall():
                    raise CaseRated(case_code)
                response_id = int(raw.execute(*head).fetchall()[0][0])
                run_writes(raw, rows_of(response_id))
                if cap and not raw.execute(*cap).fetchall():
                    raise FormFull(spec.id)
                return response_id

            return await sqlite_transaction(client, store), True
        async with in_transaction(WRITE) as conn:
            if rate is not None:
                await mark_on_postgres(conn, rate, now)
            if claim and not await execute(conn, *claim):
                raise CaseRated(case_code)
            # One round trip for the response, its answers and its sheet.
            response_id = int((await execute(conn, *_stored_together(
                head, spec.id, rows, sheet(0))))[0][0])
            await write(conn, rows_of(response_id, stored=True))
            if limit is not None and not await tallies.count_response(
                    conn, spec.id, now, counting.tz, limit, serial=response_id):
                raise FormFull(spec.id)
        return response_id, True
    except (IntegrityError, CaseRated, FormFull) as refused:
        # Two posts of one token raced: the other one stored it (and used the invitation,
        # or took the form's last place).
        existing = await submitted(token)
        if existing is not None:
            return existing, False
        if isinstance(refused, FormFull):
            raise
        if case_code is not None:
            raise CaseRated(case_code) from None
        raise


def response_where(form_id: str, filters: Filters, tz: ZoneInfo,
                   alias: str = "r") -> tuple[str, list[Any]]:
    """SQL (``?`` marks) selecting the responses of *form_id* that *filters* cover."""
    clauses, params = [f"{alias}.form_id = ?"], [form_id]
    start, end = filters.window(tz)
    if start:
        clauses.append(f"{alias}.submitted_at >= ?")
        params.append(start)
    if end:
        clauses.append(f"{alias}.submitted_at < ?")
        params.append(end)
    if filters.language:
        clauses.append(f"{alias}.language = ?")
        params.append(filters.language)
    if filters.version:
        clauses.append(f"{alias}.form_version = ?")
        params.append(filters.version)
    if filters.segment:
        # A lookup in the answer_response index per response: an export or a page reads
        # responses in order and stops early, which a list of the segment would not.
        question, value = filters.segment
        clauses.append(f"EXISTS (SELECT 1 FROM answer s WHERE s.response_id = {alias}.id "
                       "AND s.question = ? AND s.value = ?)")
        params += [question, value]
    return " AND ".join(clauses), params


async def iter_responses(form_id: str, filters: Filters | None = None,
                         tz: ZoneInfo | None = None,
                         batch: int = 500) -> AsyncIterator[list[StoredResponse]]:
    """A form's responses in batches, oldest first, paged by id so memory stays flat,
    read through the officials' connections (an export never holds the writer's)."""
    where, params = response_where(form_id, filters or Filters(), tz or ZoneInfo("UTC"))
    last = 0
    while True:
        # Raw SQL (and the standard library's parser of times): the ORM's conversion
        # of every value costs more than reading it, and exports read them all.
        heads = await reading.fetch(
            "SELECT r.id, r.submitted_at, r.language, r.form_version FROM response r "
            f"WHERE {where} AND r.id > ? ORDER BY r.id LIMIT ?", [*params, last, batch])
        if not heads:
            return
        ids = [int(head[0]) for head in heads]
        by_response: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
        answers = await reading.fetch(
            'SELECT "response_id", "question", "value", "text" FROM "answer" '
            f'WHERE "response_id" IN ({", ".join("?" * len(ids))}) ORDER BY "id"', ids)
        for response_id, question, value, text in answers:
            by_response[int(response_id)].setdefault(question, []).append(
                value if value is not None else text or ""
            )
        yield [StoredResponse(i, _utc(_moment(at)), lang, version, by_response[i])
               for (i, at, lang, version) in ((int(h[0]), *h[1:]) for h in heads)]
        last = ids[-1]


def _moment(value: dt.datetime | str) -> dt.datetime:
    """A time as the driver returns it: a datetime, or SQLite's text."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
