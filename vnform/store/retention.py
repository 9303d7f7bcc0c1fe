"""What is kept only for a while: the responses whose personal-data answers are due for
erasure, expired sessions, old sign-in failures and automated submissions; and the
daily jobs' runs, which make one process in all instances do a day's work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from vnform.models import FlaggedSubmission, JobRun, LoginFailure, Response, UserSession
from vnform.store.database import WRITE, execute

__all__ = [
    "PersonalHeld", "claim_run", "count_due", "due_for_erasure", "finish_run",
    "personal_held", "purge_flagged", "purge_login_failures", "purge_sessions",
]


async def due_for_erasure(form_id: str, before: dt.datetime, limit: int) -> list[int]:
    """Up to *limit* responses of *form_id* sent before *before* whose personal-data
    answers are still kept, oldest first (the ``response_form_time`` index)."""
    return list(await Response.filter(form_id=form_id, submitted_at__lt=before,
                                      erased_at=None)
                .order_by("submitted_at").limit(limit).values_list("id", flat=True))


async def count_due(form_id: str, before: dt.datetime) -> int:
    """How many responses :func:`due_for_erasure` would give, all told."""
    return await Response.filter(form_id=form_id, submitted_at__lt=before,
                                 erased_at=None).count()


async def purge_sessions(idle: dt.timedelta, absolute: dt.timedelta,
                         dry_run: bool = False) -> int:
    """Delete officials' sessions that can no longer be used (idle or too old)."""
    now = dt.datetime.now(dt.UTC)
    expired = UserSession.filter(Q(last_seen_at__lt=now - idle) |
                                 Q(created_at__lt=now - absolute))
    return await expired.count() if dry_run else await expired.delete()


async def purge_login_failures(older_than: dt.timedelta, dry_run: bool = False) -> int:
    """Delete failed sign-ins older than the window they are counted over."""
    old = LoginFailure.filter(at__lt=dt.datetime.now(dt.UTC) - older_than)
    return await old.count() if dry_run else await old.delete()


async def purge_flagged(form_id: str, before: dt.datetime, dry_run: bool = False) -> int:
    """Delete the submissions of *form_id* kept apart as automated, sent before
    *before*: they hold answers, and are kept no longer than answers are."""
    old = FlaggedSubmission.filter(form_id=form_id, submitted_at__lt=before)
    return await old.count() if dry_run else await old.delete()


async def claim_run(job: str, day: str) -> bool:
    """Whether this process runs *job* for *day*: the first to ask, in any process of
    any instance sharing the database; the others are told no."""
    try:
        await JobRun.create(job=job, day=day, started_at=dt.datetime.now(dt.UTC))
    except IntegrityError:
        return False
    return True


async def finish_run(job: str, day: str, outcome: dict[str, Any]) -> None:
    """Record that *job* of *day* is done, and what it did (counts only)."""
    await JobRun.filter(job=job, day=day).update(finished_at=dt.datetime.now(dt.UTC),
                                                 outcome=outcome)


@dataclass(frozen=True)
class PersonalHeld:
    """What a form holds of personal data: answers per key, responses that hold any,
    and the consents given and declined."""

    answers: dict[str, int]
    responses: int
    consents_given: int
    consents_declined: int
    erased: int


async def personal_held(form_id: str, keys: Sequence[str]) -> PersonalHeld:
    """Counts of the personal data *form_id* holds now (its answers to *keys*)."""
    conn = connections.get(WRITE)
    marks = ", ".join("?" * len(keys))
    answers: dict[str, int] = {}
    responses = 0
    if keys:
        answers = {str(q): int(n) for q, n in await execute(
            conn, f"SELECT question, COUNT(*) FROM answer WHERE form_id = ? AND question IN "
                  f"({marks}) GROUP BY question", [form_id, *keys])}
        ((responses,),) = await execute(
            conn, f"SELECT COUNT(DISTINCT response_id) FROM answer WHERE form_id = ? AND "
                  f"question IN ({marks})", [form_id, *keys])
    ((given, declined, erased),) = await execute(
        # Named columns: PostgreSQL's rows come back as mappings by column name.
        conn, "SELECT COALESCE(SUM(CASE WHEN consent THEN 1 ELSE 0 END), 0) AS given, "
              "COALESCE(SUM(CASE WHEN consent = ? THEN 1 ELSE 0 END), 0) AS declined, "
              "COALESCE(SUM(CASE WHEN erased_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS erased "
              "FROM response WHERE form_id = ?", [False, form_id])
    return PersonalHeld(answers, int(responses), int(given), int(declined), int(erased))
