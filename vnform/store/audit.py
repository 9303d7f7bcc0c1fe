"""The audit trail: who signed in, exported what, changed which account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from vnform.models import AuditEvent

__all__ = ["AuditEntry", "audit", "audit_entries"]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str | None
    action: str
    form_id: str | None
    details: dict[str, Any]
    address: str | None


async def audit(action: str, *, actor: str | None = None, form_id: str | None = None,
                address: str | None = None, **details: Any) -> None:
    """Record one event. Never answers or passwords: only who, what and how many."""
    await AuditEvent.create(at=dt.datetime.now(dt.UTC), actor=actor, action=action,
                            form_id=form_id, address=address, details=details)


async def audit_entries(limit: int = 50, before: int | None = None,
                        action: str | None = None) -> list[AuditEntry]:
    """The newest entries first, paged by id."""
    query = AuditEvent.all()
    if before is not None:
        query = query.filter(id__lt=before)
    if action:
        query = query.filter(action=action)
    rows = await query.order_by("-id").limit(limit).values_list(
        "id", "at", "actor", "action", "form_id", "details", "address"
    )
    return [AuditEntry(*row) for row in rows]
