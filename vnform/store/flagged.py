"""Abuse of public forms: submissions that looked automated, kept apart from the
responses, and the marks that the per-address rate limit counts.

Nothing that counts responses (the results page, indicators, exports, open data) reads
the flagged table, so a bot's answers never move a figure; officials can still download
them. Both live in the database, so every worker process sees the same.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from vnform.answers import Answers, StoredResponse, answer_rows
from vnform.consultation.comments import CommentDraft
from vnform.forms.spec import FormSpec
from vnform.models import Draft, FlaggedSubmission, SubmissionMark
from vnform.store.database import WRITE, execute, on_sqlite, sqlite_time, sqlite_transaction

__all__ = ["OverRateLimit", "RateClaim", "claim_submission", "flag_submission",
           "flagged_count", "iter_flagged", "mark_on_postgres", "mark_on_sqlite",
           "mark_suspect", "purge_marks"]


async def flag_submission(spec: FormSpec, token: str, language: str, answers: Answers,
                          reason: str, comments: Sequence[CommentDraft] = ()) -> None:
    """Keep *answers* (and a consultation's *comments*) apart, as a flagged submission
    (once per token; a visit marked suspect earlier gets its answers and keeps its first
    reason)."""
    stored: dict[str, list[str]] = {}
    for row in answer_rows(spec, answers):
        stored.setdefault(row.question, []).append(
            row.value if row.value is not None else row.text or "")
    if comments:  # each as JSON text, beside the answers' lists of texts
        stored["_comments"] = [json.dumps(c.to_json(), ensure_ascii=False) for c in comments]
    now = dt.datetime.now(dt.UTC)
    updated = await FlaggedSubmission.filter(token=token, answers__isnull=True).update(
        answers=stored, submitted_at=now)
    if not updated:
        try:
            await FlaggedSubmission.create(
                form_id=spec.id, form_version=spec.version, token=token, language=language,
                submitted_at=now, reason=reason, answers=stored)
        except IntegrityError:
            pass  # sent again: it is kept already
    await Draft.filter(token=token).delete()


async def mark_suspect(spec: FormSpec, token: str, language: str, reason: str) -> None:
    """Remember, on the server, that the visit of *token* looks automated, so that its
    submission is kept apart when it comes (whatever cookie comes with it)."""
    try:
        await FlaggedSubmission.create(
            form_id=spec.id, form_version=spec.version, token=token, language=language,
            submitted_at=dt.datetime.now(dt.UTC), reason=reason, answers=None)
    except IntegrityError:
        pass  # marked already


async def flagged_count(form_id: str) -> int:
    """Submissions of *form_id* kept apart (visits marked suspect that never sent the
    form are not submissions)."""
    return await FlaggedSubmission.filter(form_id=form_id, answers__isnull=False).count()


async def iter_flagged(form_id: str,
                       batch: int = 500) -> AsyncIterator[list[StoredResponse]]:
    """A form's flagged submissions, oldest first, in batches (as exports read them)."""
    last = 0
    while True:
        found = await FlaggedSubmission.filter(
            form_id=form_id, id__gt=last, answers__isnull=False).order_by("id").limit(batch)
        if not found:
            return
        yield [StoredResponse(f.id, f.submitted_at, f.language, f.form_version,
                              {k: list(v) for k, v in dict(f.answers).items()})
               for f in found]
        last = found[-1].id


# --- the per-address rate limit -------------------------------------------------------------

class OverRateLimit(Exception):
    """The address sent the form its limit of submissions within the window."""


@dataclass(frozen=True)
class RateClaim:
    """A submission to count against its address's limit on a form: *key* (an HMAC of
    form and address), at most *limit* marks within *within*. A submission stores its
    mark in its own transaction (:func:`vnform.store.submit`)."""

    key: str
    limit: int
    within: dt.timedelta


#: Writes a submission's mark (its id back).
_MARK = 'INSERT INTO "submission_mark" ("key", "at") VALUES (?, ?) RETURNING "id"'
#: The marks of a key within the window written before the mark of id ?.
_EARLIER = ('SELECT COUNT(*) FROM "submission_mark" WHERE "key" = ? AND "at" >= ? '
            'AND "id" < ?')
#: PostgreSQL: the mark, and the count of the key's marks within the window before it.
_MARKED = (f"WITH m AS ({_MARK}) SELECT (SELECT \"id\" FROM m), COUNT(*) FROM "
           "\"submission_mark\" WHERE \"key\" = ? AND \"at\" >= ? "
           "AND \"id\" < (SELECT \"id\" FROM m)")
#: PostgreSQL: submissions of one key wait for one another from their mark to their
#: commit (an advisory lock of the key, in this space, "rl"), so each counts the others.
RATE_LOCK = 0x726C


def mark_on_sqlite(raw: sqlite3.Connection, rate: RateClaim, now: dt.datetime) -> int:
    """Write *rate*'s mark on *raw*, SQLite's writer, in a transaction, and count the
    marks before it (the one writer: each counts all the others); returns the mark's
    id. Over the limit, raises :class:`OverRateLimit` (the transaction, rolled back,
    records nothing)."""
    mark_id = int(raw.execute(_MARK, [rate.key, sqlite_time(now)]).fetchall()[0][0])
    (before,), = raw.execute(_EARLIER, [rate.key, sqlite_time(now - rate.within),
                                        mark_id]).fetchall()
    if before >= rate.limit:
        raise OverRateLimit(rate.key)
    return mark_id


async def mark_on_postgres(conn: Any, rate: RateClaim, now: dt.datetime) -> int:
    """:func:`mark_on_sqlite` on *conn*, a PostgreSQL transaction: the key's lock first,
    in a statement of its own, so that the next one's snapshot holds the marks of the
    submissions it waited for."""
    await execute(conn, "SELECT 1 FROM (SELECT pg_advisory_xact_lock(?, hashtext(?))) l",
                  [RATE_LOCK, rate.key])
    (mark_id, before), = await execute(conn, _MARKED,
                                       [rate.key, now, rate.key, now - rate.within])
    if before >= rate.limit:
        raise OverRateLimit(rate.key)
    return int(mark_id)


async def claim_submission(key: str, limit: int, within: dt.timedelta) -> int | None:
    """Record a submission under *key*, in a transaction of its own, unless *limit* were
    recorded within *within* before it: returns the mark's id, or None (and records
    nothing) when over the limit. A stored submission records its mark with its response
    instead (:func:`vnform.store.submit`); this is for one kept apart as automated. The
    mark is written before counting, so submissions sent at once, to any worker, cannot
    all slip under the limit together."""
    rate, now = RateClaim(key, limit, within), dt.datetime.now(dt.UTC)
    client = connections.get(WRITE)
    try:
        if on_sqlite(client):
            return await sqlite_transaction(client, lambda raw: mark_on_sqlite(raw, rate, now))
        async with in_transaction(WRITE) as conn:
            return await mark_on_postgres(conn, rate, now)
    except OverRateLimit:
        return None


async def purge_marks(older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Forget submission marks once no limit can count them."""
    return await SubmissionMark.filter(
        at__lt=dt.datetime.now(dt.UTC) - older_than).delete()
