"""Single-use invitations to rate one case file, and the API's tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from vnform.cases import clean_case_code
from vnform.models import ApiToken, Invitation

__all__ = [
    "ApiClient", "InvitationState", "TokenExists", "api_client", "create_api_token",
    "create_invitations", "invitation_by_secret", "list_api_tokens", "revoke_api_token",
]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_invitations(form_id: str, cases: Iterable[str],
                             created_by: str | None) -> list[tuple[str, str]]:
    """A new single-use secret per case: [(case code, secret)]. Only digests are stored.

    Codes are cleaned first (trimmed, NFC); a bad one raises
    :class:`vnform.cases.CaseCodeError` and nothing is stored. A case may be invited
    again (a lost message): whichever link is used first rates it. Build each link with
    :func:`vnform.links.invitation_url`.
    """
    now = dt.datetime.now(dt.UTC)
    made = [(clean_case_code(case), secrets.token_urlsafe(24)) for case in cases]
    await Invitation.bulk_create([
        Invitation(form_id=form_id, case_code=case, token_digest=digest(secret),
                   created_at=now, created_by=created_by)
        for case, secret in made
    ])
    return made


@dataclass(frozen=True)
class InvitationState:
    id: int
    form_id: str
    case_code: str
    used: bool


async def invitation_by_secret(secret: str) -> InvitationState | None:
    row = await Invitation.get_or_none(token_digest=digest(secret))
    if row is None:
        return None
    return InvitationState(row.id, row.form_id, row.case_code, row.used_at is not None)


class TokenExists(ValueError):
    """An API token with this name exists already."""


@dataclass(frozen=True)
class ApiClient:
    """Another system calling the API, and the agencies it may read and invite for."""

    id: int
    name: str
    agencies: tuple[str, ...]
    revoked: bool = False

    def can_see(self, agency: str) -> bool:
        return not self.agencies or agency in self.agencies


async def create_api_token(name: str, agencies: Iterable[str]) -> str:
    """Create a token; returns the secret, shown once (only its digest is kept)."""
    secret = secrets.token_urlsafe(32)
    try:
        await ApiToken.create(name=name, token_digest=digest(secret),
                              agencies=sorted(set(agencies)), created_at=dt.datetime.now(dt.UTC))
    except IntegrityError:
        raise TokenExists(name) from None
    return secret


async def api_client(secret: str) -> ApiClient | None:
    """The client a bearer token belongs to, if it is valid and not revoked."""
    row = await ApiToken.get_or_none(token_digest=digest(secret))
    if row is None or row.revoked:
        return None
    now = dt.datetime.now(dt.UTC)
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return ApiClient(row.id, row.name, tuple(row.agencies or ()))


async def list_api_tokens() -> list[tuple[ApiClient, dt.datetime | None]]:
    rows = await ApiToken.all().order_by("name")
    return [(ApiClient(r.id, r.name, tuple(r.agencies or ()), r.revoked), r.last_used_at)
            for r in rows]


async def revoke_api_token(name: str) -> bool:
    return bool(await ApiToken.filter(name=name).update(revoked=True))
