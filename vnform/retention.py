"""Keeping data only as long as its purpose: ``vnform purge`` and the daily job of
``vnform serve``.

- Personal-data answers older than their form's ``retention_days`` are erased (the
  rows go, their counts stay: :mod:`vnform.store.erasure`), and so are the submissions
  kept apart as automated, which hold answers too.
- Officials' sessions that can no longer be used and sign-in failures older than their
  window are deleted. (Unfinished drafts and the rate limit's marks are purged every few
  minutes by ``vnform serve`` itself.)

The daily job runs once a day in all of a deployment's processes and instances: the
first to claim the day in the database runs it (:func:`vnform.store.claim_run`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from vnform import masking, store
from vnform.datasets import form_versions
from vnform.forms.spec import FormSpec
from vnform.settings import Settings

__all__ = ["JOB", "Purged", "daily", "purge", "run_today"]

log = logging.getLogger("vnform")

JOB = "purge"
#: Responses erased per transaction.
BATCH = 500
#: Automated submissions of a form without personal data are kept this long.
FLAGGED_DAYS = 90


@dataclass
class Purged:
    """What a purge erased (or, dry, would erase): counts only."""

    #: Responses whose personal-data answers were erased, per form.
    personal: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    login_failures: int = 0

    def outcome(self) -> dict[str, object]:
        return {"personal": self.personal, "flagged": self.flagged,
                "sessions": self.sessions, "login_failures": self.login_failures}


async def purge(served: Mapping[str, FormSpec], settings: Settings,
                now: dt.datetime | None = None, dry_run: bool = False) -> Purged:
    """Erase what is kept past its time; with *dry_run*, only count it."""
    now = now or dt.datetime.now(dt.UTC)
    tz = ZoneInfo(settings.timezone)
    done = Purged()
    for form_id in sorted(set(served) | set(await store.form_ids_stored())):
        try:
            found = await form_versions(form_id, served.get(form_id))
        except Exception:  # noqa: BLE001 - a stored version no longer readable: the others go on
            log.exception("purge: the versions of %s could not be read", form_id)
            continue
        if found is None:
            continue
        current, older = found
        keys = sorted(masking.personal_keys(current, *older))
        # A version without personal data (and so without retention) keeps the earlier
        # versions' answers no longer than those versions said.
        days = retention_of(current, *older)
        if keys and days:
            before = now - dt.timedelta(days=days)
            fold = sorted(masking.value_keys(current, *older))
            done.personal[form_id] = (await store.count_due(form_id, before) if dry_run
                                      else await _erase_due(form_id, keys, fold, before, tz))
        flagged_before = now - dt.timedelta(days=days if keys and days else FLAGGED_DAYS)
        flagged = await store.purge_flagged(form_id, flagged_before, dry_run)
        if flagged:
            done.flagged[form_id] = flagged
    done.sessions = await store.purge_sessions(
        dt.timedelta(minutes=settings.admin_idle_minutes),
        dt.timedelta(hours=settings.admin_max_hours), dry_run)
    done.login_failures = await store.purge_login_failures(
        dt.timedelta(minutes=settings.login_window_minutes), dry_run)
    return done


def retention_of(*specs: FormSpec) -> int | None:
    """The retention of a form's personal data: the newest version's that sets one."""
    return next((spec.retention_days for spec in specs if spec.retention_days), None)


async def _erase_due(form_id: str, keys: list[str], fold: list[str], before: dt.datetime,
                     tz: ZoneInfo) -> int:
    erased = 0
    while ids := await store.due_for_erasure(form_id, before, BATCH):
        erased += await store.erase_personal(form_id, ids, keys, tz, fold)
        await asyncio.sleep(0)  # citizens' requests between batches
    return erased


async def daily(forms_now: Callable[[], Mapping[str, FormSpec]], settings: Settings,
                every: float = 3600) -> None:
    """Run the purge once a day (local days), in whichever process claims the day
    first; checked every *every* seconds. *forms_now* gives the forms served now."""
    tz = ZoneInfo(settings.timezone)
    while True:
        await run_today(forms_now(), settings, tz)
        await asyncio.sleep(every)


async def run_today(forms: Mapping[str, FormSpec], settings: Settings,
                    tz: ZoneInfo) -> bool:
    """Run today's purge here unless another process claimed it; whether it ran."""
    day = dt.datetime.now(tz).date().isoformat()
    try:
        if not await store.claim_run(JOB, day):
            return False
        purged = await purge(forms, settings)
        await store.finish_run(JOB, day, purged.outcome())
        log.info("daily purge of %s: %s", day, purged.outcome())
        return True
    except Exception:  # noqa: BLE001 - a failed purge must not stop the next day's
        log.exception("the daily purge failed")
        return False
