"""Abuse of public forms: submissions that looked automated, kept apart from the
responses, and the marks that the per-address rate limit counts.

Nothing that counts responses (the results page, indicators, exports, open data) reads
the flagged table, so a bot's answers never move a figure; officials can still download
them. Both live in the database, so every worker process sees the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from tortoise.exceptions import IntegrityError

from vnform.answers import Answers, StoredResponse, answer_rows
from vnform.models import Draft, FlaggedSubmission, SubmissionMark
from vnform.spec import FormSpec

__all__ = ["flag_submission", "flagged_count", "is_flagged", "iter_flagged",
           "mark_submission", "purge_marks", "recent_submissions"]


async def flag_submission(spec: FormSpec, token: str, language: str, answers: Answers,
                          reason: str) -> None:
    """Keep *answers* apart, as a flagged submission (once per token)."""
    stored: dict[str, list[str]] = {}
    for row in answer_rows(spec, answers):
        stored.setdefault(row.question, []).append(
            row.value if row.value is not None else row.text or "")
    try:
        await FlaggedSubmission.create(
            form_id=spec.id, form_version=spec.version, token=token, language=language,
            submitted_at=dt.datetime.now(dt.UTC), reason=reason, answers=stored)
    except IntegrityError:
        pass  # sent again: it is kept already
    await Draft.filter(token=token).delete()


async def is_flagged(token: str) -> bool:
    return await FlaggedSubmission.filter(token=token).exists()


async def flagged_count(form_id: str) -> int:
    return await FlaggedSubmission.filter(form_id=form_id).count()


async def iter_flagged(form_id: str,
                       batch: int = 500) -> AsyncIterator[list[StoredResponse]]:
    """A form's flagged submissions, oldest first, in batches (as exports read them)."""
    last = 0
    while True:
        found = await FlaggedSubmission.filter(form_id=form_id, id__gt=last).order_by(
            "id").limit(batch)
        if not found:
            return
        yield [StoredResponse(f.id, f.submitted_at, f.language, f.form_version,
                              {k: list(v) for k, v in dict(f.answers).items()})
               for f in found]
        last = found[-1].id


# --- the per-address rate limit -------------------------------------------------------------

async def recent_submissions(key: str, within: dt.timedelta) -> int:
    """Submissions recorded under *key* (see :func:`mark_submission`) within *within*."""
    since = dt.datetime.now(dt.UTC) - within
    return await SubmissionMark.filter(key=key, at__gte=since).count()


async def mark_submission(key: str) -> None:
    await SubmissionMark.create(key=key, at=dt.datetime.now(dt.UTC))


async def purge_marks(older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Forget submission marks once no limit can count them."""
    return await SubmissionMark.filter(
        at__lt=dt.datetime.now(dt.UTC) - older_than).delete()
