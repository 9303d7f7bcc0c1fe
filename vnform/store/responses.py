"""Citizens' data: form versions, drafts between pages, responses and their answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from vnform.answers import Answers, StoredResponse, answer_rows
from vnform.filters import Filters
from vnform.models import Answer, Draft, FormVersion, Invitation, Response
from vnform.spec import FormSpec
from vnform.store.database import insert_rows, placeholders

#: Columns of an answer row, in the order the raw inserts give them.
ANSWER_COLUMNS = ("response_id", "form_id", "question", "value", "number", "text")

__all__ = [
    "CaseRated", "DraftState", "FormFull", "case_rated", "count_responses", "counts_by_form",
    "filtered_responses", "iter_responses",
    "load_draft", "purge_drafts", "record_versions", "save_draft", "stored_versions",
    "submit", "submitted",
]

async def record_versions(specs: Iterable[FormSpec]) -> None:
    """Store each form's definition once per version, so old answers stay readable."""
    for spec in specs:
        await FormVersion.get_or_create(
            form_id=spec.id, version=spec.version, defaults={"definition": spec.definition}
        )


async def stored_versions(form_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(version, definition) of every stored version of a form, oldest first."""
    rows = await FormVersion.filter(form_id=form_id).order_by("id").values_list(
        "version", "definition"
    )
    return [(version, definition) for version, definition in rows]


async def count_responses(form_id: str) -> int:
    return await Response.filter(form_id=form_id).count()


async def counts_by_form() -> dict[str, int]:
    """Number of responses per form, in one query."""
    from tortoise.functions import Count

    rows = await Response.annotate(n=Count("id")).group_by("form_id").values_list("form_id", "n")
    return dict(rows)


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
                 limit: int | None = None, case_code: str | None = None,
                 invitation_id: int | None = None) -> tuple[int, bool]:
    """Store a response once per token: (response id, whether this call stored it).

    With a *limit*, the count and the insert share one transaction, so concurrent
    submissions cannot push a form past its `max_responses` (SQLite runs one write
    transaction at a time).

    With a *case_code* (and the *invitation_id* that brought the citizen), the response
    records the case, and the invitation is marked used in the same transaction: either
    both happen or neither. A case already rated with this form, or an invitation used
    meanwhile, raises :class:`CaseRated` and stores nothing; the unique (form, case)
    constraint decides between two submissions racing for one case.
    """
    existing = await submitted(token)
    if existing is not None:
        return existing, False
    rows = answer_rows(spec, answers)
    now = dt.datetime.now(dt.UTC)
    try:
        async with in_transaction() as conn:
            # First the write that claims the invitation: the transaction holds SQLite's
            # write lock from here on, and a used invitation stops it before anything else.
            if invitation_id is not None and not await Invitation.filter(
                id=invitation_id, form_id=spec.id, case_code=case_code, used_at__isnull=True,
            ).using_db(conn).update(used_at=now):
                raise CaseRated(case_code)
            if limit is not None and \
                    await Response.filter(form_id=spec.id).using_db(conn).count() >= limit:
                raise FormFull(spec.id)
            response = await Response.create(
                form_id=spec.id, form_version=spec.version, token=token, language=language,
                submitted_at=now, case_code=case_code, using_db=conn,
            )
            if rows:
                # One statement, without a model object per row (bulk_create's cost).
                await insert_rows(conn, "answer", ANSWER_COLUMNS, [
                    (response.id, spec.id, row.question, row.value, row.number, row.text)
                    for row in rows])
            await Draft.filter(token=token).using_db(conn).delete()
    except (IntegrityError, CaseRated):
        # Two posts of one token raced: the other one stored it (and used the invitation).
        existing = await submitted(token)
        if existing is not None:
            return existing, False
        if case_code is not None:
            raise CaseRated(case_code) from None
        raise
    return response.id, True


def filtered_responses(form_id: str, filters: Filters, tz: ZoneInfo) -> QuerySet[Response]:
    """The responses of *form_id* that *filters* cover."""
    query = Response.filter(form_id=form_id)
    start, end = filters.window(tz)
    if start:
        query = query.filter(submitted_at__gte=start)
    if end:
        query = query.filter(submitted_at__lt=end)
    if filters.language:
        query = query.filter(language=filters.language)
    if filters.version:
        query = query.filter(form_version=filters.version)
    if filters.segment:
        question, value = filters.segment
        query = query.filter(id__in=Subquery(
            Answer.filter(form_id=form_id, question=question, value=value).values("response_id")
        ))
    return query


async def iter_responses(form_id: str, filters: Filters | None = None,
                         tz: ZoneInfo | None = None,
                         batch: int = 500) -> AsyncIterator[list[StoredResponse]]:
    """A form's responses in batches, oldest first, paged by id so memory stays flat."""
    filters = filters or Filters()
    query = filtered_responses(form_id, filters, tz or ZoneInfo("UTC"))
    conn = connections.get("default")
    last = 0
    while True:
        if filters.active:
            heads = await query.filter(id__gt=last).order_by("id").limit(batch).values_list(
                "id", "submitted_at", "language", "form_version"
            )
        else:
            # Raw SQL (and the standard library's parser of times): the ORM's conversion
            # of every value costs more than reading it, and exports read them all.
            marks = placeholders(conn, 3)
            _, rows = await conn.execute_query(
                'SELECT "id", "submitted_at", "language", "form_version" FROM "response" '
                f'WHERE "form_id" = {marks[0]} AND "id" > {marks[1]} ORDER BY "id" '
                f'LIMIT {marks[2]}', [form_id, last, batch])
            heads = [(i, _moment(at), lang, version) for i, at, lang, version in rows]
        if not heads:
            return
        ids = [head[0] for head in heads]
        by_response: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
        # Raw SQL: the ORM's conversion of every value (some ten thousand a batch)
        # costs more than reading them.
        _, answers = await conn.execute_query(
            'SELECT "response_id", "question", "value", "text" FROM "answer" '
            f'WHERE "response_id" IN ({", ".join(placeholders(conn, len(ids)))}) '
            'ORDER BY "id"', ids)
        for response_id, question, value, text in answers:
            by_response[response_id].setdefault(question, []).append(
                value if value is not None else text or ""
            )
        yield [StoredResponse(i, _utc(at), lang, version, by_response[i])
               for i, at, lang, version in heads]
        last = ids[-1]


def _moment(value: dt.datetime | str) -> dt.datetime:
    """A time as the driver returns it: a datetime, or SQLite's text."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
