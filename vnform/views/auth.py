"""Officials' sign-in and sign-out, server-side sessions, throttled guessing.

Sessions live in the database (the cookie holds only a random token), so signing out
or disabling an account ends them at once. Failed sign-ins are counted per account
and per address in the database, so every worker process sees the same counts.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vnform import csrf, passwords, store
from vnform.accounts import Official, normalise_email
from vnform.views.render import page_language, path_for, render

SESSION_KEY = "official"
MAX_PASSWORD_BYTES = 1024  # longer input is no password; refuse before hashing it

Handler = Callable[[Request], Awaitable[Response]]


async def current_official(request: Request) -> Official | None:
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    settings = request.state.settings
    official = await store.session_official(
        token, idle=dt.timedelta(minutes=settings.admin_idle_minutes),
        absolute=dt.timedelta(hours=settings.admin_max_hours),
    )
    if official is None:
        request.session.pop(SESSION_KEY, None)
    return official


def signed_in(handler: Handler) -> Handler:
    """Views for officials: anyone else is sent to the sign-in page."""

    @functools.wraps(handler)
    async def view(request: Request) -> Response:
        official = await current_official(request)
        if official is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(
                path_for(request, "login") + "?" + urlencode({"next": target}), 303
            )
        request.state.official = official
        return await handler(request)

    return view


def admins_only(handler: Handler) -> Handler:
    @functools.wraps(handler)
    async def view(request: Request) -> Response:
        if not request.state.official.is_admin:
            raise HTTPException(403)
        return await handler(request)

    return signed_in(view)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login(request: Request) -> Response:
    lang = page_language(request)
    next_url = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if await current_official(request) is not None:
            return RedirectResponse(next_url, 303)
        return render(request, "admin/login.html", {"next": next_url, "email": "",
                                                    "failed": False}, lang=lang)
    data = await request.form(max_fields=10, max_files=0)
    if not csrf.valid(request.session, data.get(csrf.FIELD)):
        raise HTTPException(403, csrf.EXPIRED)
    email = normalise_email(str(data.get("email", "")))[:254]
    password = str(data.get("password", ""))
    address = client_address(request)
    settings = request.state.settings
    keys = [f"email:{email}", f"ip:{address}"]
    window = dt.timedelta(minutes=settings.login_window_minutes)
    retry_after = await _throttled(keys, settings.login_max_failures, window)
    if retry_after:
        await store.audit("sign_in_throttled", actor=email, address=address)
        raise HTTPException(429, headers={"Retry-After": str(retry_after)})
    found = await store.find_user(email) if email else None
    # An unknown account still costs one verification, so timing does not tell.
    stored_hash = found[1] if found else passwords.dummy_hash()
    ok = len(password.encode()) <= MAX_PASSWORD_BYTES and await passwords.verify_password_async(
        stored_hash, password
    )
    if not (ok and found and not found[0].disabled):
        await store.record_failure(keys)
        await store.audit("sign_in_failed", actor=email, address=address)
        return render(request, "admin/login.html",
                      {"next": next_url, "email": email, "failed": True}, lang=lang,
                      status_code=401)
    official = found[0]
    await store.clear_failures(keys[0])
    rehashed = (await passwords.hash_password_async(password)
                if passwords.needs_rehash(stored_hash) else None)
    await store.record_sign_in(official.id, rehashed)
    if isinstance(previous := request.session.get(SESSION_KEY), str):
        await store.end_session(previous)  # signing in again replaces the old session
    token = await store.start_session(official.id)
    # A fresh session at sign-in (no fixation): drop the old CSRF token and drafts too.
    keep = {k: request.session[k] for k in ("lang",) if k in request.session}
    request.session.clear()
    request.session.update(keep)
    request.session[SESSION_KEY] = token
    await store.audit("sign_in", actor=official.email, address=address)
    return RedirectResponse(next_url, 303)


async def logout(request: Request) -> Response:
    data = await request.form(max_fields=10, max_files=0)
    if not csrf.valid(request.session, data.get(csrf.FIELD)):
        raise HTTPException(403, csrf.EXPIRED)
    token = request.session.pop(SESSION_KEY, None)
    official = await store.session_official(
        token, dt.timedelta(days=365), dt.timedelta(days=365)) if token else None
    if token:
        await store.end_session(token)
    if official:
        await store.audit("sign_out", actor=official.email, address=client_address(request))
    request.session.pop("csrf", None)
    return RedirectResponse(path_for(request, "login"), 303)


async def _throttled(keys: list[str], limit: int, window: dt.timedelta) -> int:
    """Seconds until the next attempt is allowed, or 0 when it is allowed now."""
    now = dt.datetime.now(dt.UTC)
    wait = 0
    for key in keys:
        failures, oldest = await store.count_failures(key, window)
        if failures >= limit and oldest is not None:
            wait = max(wait, math.ceil((oldest + window - now).total_seconds()))
    return max(wait, 0) if wait else 0


def _safe_next(target: Any) -> str:
    """Only a path inside the officials' area: never an open redirect."""
    if isinstance(target, str) and target.startswith("/admin") and "//" not in target \
            and "\\" not in target:
        return target
    return "/admin"
