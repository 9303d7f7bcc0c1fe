"""Officials' accounts, their server-side sessions, and failed sign-ins."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from tortoise.exceptions import IntegrityError

from vnform.accounts import Official
from vnform.models import LoginFailure, User, UserSession

__all__ = [
    "UserExists", "clear_failures", "count_failures", "create_user", "end_session",
    "end_user_sessions", "find_user", "list_users", "record_failure", "record_sign_in",
    "session_official", "set_disabled", "set_password", "set_personal_data", "start_session",
]


class UserExists(ValueError):
    """An account with this email exists already."""


def _official(user: User) -> Official:
    return Official(user.id, user.email, user.role, tuple(user.agencies or ()), user.disabled,
                    bool(user.personal_data))


async def create_user(email: str, password_hash: str, role: str,
                      agencies: Iterable[str], personal_data: bool = False) -> Official:
    try:
        user = await User.create(email=email, password_hash=password_hash, role=role,
                                 agencies=sorted(set(agencies)), personal_data=personal_data)
    except IntegrityError:
        raise UserExists(email) from None
    return _official(user)


async def list_users() -> list[Official]:
    return [_official(user) for user in await User.all().order_by("email")]


async def find_user(email: str) -> tuple[Official, str] | None:
    """The account with *email* and its password hash, if any."""
    user = await User.get_or_none(email=email)
    return None if user is None else (_official(user), user.password_hash)


async def set_password(email: str, password_hash: str) -> bool:
    """Change a password; ends every session of the account. False if no such account."""
    user = await User.get_or_none(email=email)
    if user is None:
        return False
    user.password_hash = password_hash
    await user.save(update_fields=["password_hash"])
    await end_user_sessions(user.id)
    return True


async def set_disabled(email: str, disabled: bool = True) -> bool:
    """Disable (or enable) an account; disabling ends its sessions at once."""
    updated = await User.filter(email=email).update(disabled=disabled)
    if updated and disabled:
        user = await User.get(email=email)
        await end_user_sessions(user.id)
    return bool(updated)


async def set_personal_data(email: str, allowed: bool) -> bool:
    """Allow (or deny) an account personal-data answers unmasked; False if no such
    account. Its sessions read the change at their next request."""
    return bool(await User.filter(email=email).update(personal_data=allowed))


async def record_sign_in(user_id: int, password_hash: str | None = None) -> None:
    """Note a successful sign-in (and store a rehashed password when parameters changed)."""
    changes: dict[str, object] = {"last_login_at": dt.datetime.now(dt.UTC)}
    if password_hash is not None:
        changes["password_hash"] = password_hash
    await User.filter(id=user_id).update(**changes)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(user_id: int) -> str:
    """A new session (a new id at every sign-in); returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    await UserSession.create(id=_digest(token), user_id=user_id, created_at=now,
                             last_seen_at=now)
    return token


async def session_official(token: str, idle: dt.timedelta,
                           absolute: dt.timedelta) -> Official | None:
    """The official of a live session, keeping it alive; None when ended or expired."""
    session = await UserSession.get_or_none(id=_digest(token)).prefetch_related("user")
    if session is None:
        return None
    now = dt.datetime.now(dt.UTC)
    if (session.user.disabled or now - session.last_seen_at > idle
            or now - session.created_at > absolute):
        await session.delete()
        return None
    if now - session.last_seen_at > dt.timedelta(minutes=1):  # spare a write per request
        await UserSession.filter(id=session.id).update(last_seen_at=now)
    return _official(session.user)


async def end_session(token: str) -> None:
    await UserSession.filter(id=_digest(token)).delete()


async def end_user_sessions(user_id: int) -> None:
    await UserSession.filter(user_id=user_id).delete()


async def record_failure(keys: Iterable[str]) -> None:
    now = dt.datetime.now(dt.UTC)
    await LoginFailure.bulk_create([LoginFailure(key=key, at=now) for key in keys])


async def count_failures(key: str, window: dt.timedelta) -> tuple[int, dt.datetime | None]:
    """Failures for *key* within *window*, and when the oldest of them happened."""
    since = dt.datetime.now(dt.UTC) - window
    times = await LoginFailure.filter(key=key, at__gte=since).order_by("at").values_list(
        "at", flat=True
    )
    return len(times), (times[0] if times else None)


async def clear_failures(key: str) -> None:
    await LoginFailure.filter(key=key).delete()
