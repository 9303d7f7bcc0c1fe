"""ASGI middleware: security headers on every response, oversized request bodies
refused before they are read, and requests beyond what one process can serve in time."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

import itsdangerous
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vnform.turns import Citizens, giving_way


class BodyLimit:
    """Answer 413 to a body over *max_bytes*.

    Starlette limits form fields and parts but not a whole body. A declared
    ``Content-Length`` over the limit is refused when the app first asks for the body,
    and a chunked body is counted as it arrives. The HTTPException reaches the app's
    own 413 page.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        limit = self.max_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise HTTPException(413)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    """The value of the request's cookie *name*, if it carries one."""
    for key, value in scope.get("headers", []):
        if key == b"cookie" and name.encode("latin-1") in value:
            return cookie_parser(value.decode("latin-1")).get(name)
    return None


def session_issued(secret_key: str, cookie: str, max_age: int) -> Callable[[Scope], bool]:
    """A test of whether a request carries a session this server issued: a cookie
    *cookie* signed with *secret_key* (as Starlette's sessions sign it) no older than
    *max_age* seconds. Anyone can send a cookie of that name; only the server can sign
    one."""
    signer = itsdangerous.TimestampSigner(secret_key)

    def issued(scope: Scope) -> bool:
        value = _cookie(scope, cookie)
        if not value:
            return False
        try:
            signer.unsign(value.encode("latin-1"), max_age=max_age)
        except (itsdangerous.BadSignature, UnicodeEncodeError):
            return False
        return True

    return issued


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class Admission:
    """Serve at most *limit* requests at a time; refuse one that waited *wait* seconds.

    Under a burst, requests beyond the limit queue here, before their body is read or
    the database is touched. One still waiting after *wait* seconds is answered by
    *refuse* (a 503 page with ``Retry-After``) rather than served too late for the
    person waiting: an explicit "try again shortly" instead of a timeout. Paths
    starting with one of *exempt* (static files, the health check) never queue; with
    *only*, other paths than those never do (a second instance admits officials' requests
    apart from citizens', so that neither takes the other's turns). POSTs
    to paths starting with one of *patient* (citizens sending answers), from a visit
    whose session the server issued (*issued*, see :func:`session_issued`), queue as
    long as it takes: new visits are turned away first, answers already typed never
    are.
    """

    def __init__(self, app: ASGIApp, limit: int, wait: float, refuse: ASGIApp,
                 exempt: tuple[str, ...] = (), patient: tuple[str, ...] = (),
                 only: tuple[str, ...] = (),
                 issued: Callable[[Scope], bool] = lambda scope: False) -> None:
        self.app = app
        self.issued = issued
        self.wait = wait
        self.refuse = refuse
        self.exempt = exempt
        self.patient = patient
        self.only = only
        self.slots = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt) \
                or (self.only and not scope["path"].startswith(self.only)):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"].startswith(self.patient) \
                and self.issued(scope):
            await self.slots.acquire()
        elif not await self._admitted():
            await self.refuse(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()

    async def _admitted(self) -> bool:
        """Take a slot, waiting at most ``wait`` seconds; False when none came free.
        (A cancelled or timed-out wait gives back a slot it was just granted.)"""
        if not self.slots.locked():
            await self.slots.acquire()
            return True
        if self.wait <= 0:
            return False
        try:
            async with asyncio.timeout(self.wait):
                await self.slots.acquire()
        except TimeoutError:
            return False
        return True


class CitizensFirst:
    """Count citizens' requests in progress, and let officials' requests (paths starting
    with one of *officials*) give way to them between their steps (:mod:`vnform.turns`).
    Paths starting with one of *exempt* are neither."""

    def __init__(self, app: ASGIApp, citizens: Citizens, officials: tuple[str, ...],
                 exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.citizens = citizens
        self.officials = officials
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
        elif scope["path"].startswith(self.officials):
            with giving_way(self.citizens):
                await self.app(scope, receive, send)
        else:
            self.citizens.enter()
            try:
                await self.app(scope, receive, send)
            finally:
                self.citizens.leave()


class SecurityHeaders:
    """Security headers on every response, and a fresh CSP nonce per request.

    Scripts run only with the request's nonce (``request.state.csp_nonce``, which the
    templates put on their ``<script>`` tags): markup that slipped through escaping can
    never run. *frame_ancestors* lists the origins allowed to embed the pages (none by
    default). HSTS is sent only when the site is served over HTTPS.
    """

    def __init__(self, app: ASGIApp, frame_ancestors: str = "", https: bool = False) -> None:
        self.app = app
        self.frame_ancestors = frame_ancestors.strip() or "'none'"
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._headers(nonce).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, nonce: str) -> dict[str, str]:
        return security_headers(nonce, self.frame_ancestors, self.https)


def security_headers(nonce: str, frame_ancestors: str = "'none'",
                     https: bool = False) -> dict[str, str]:
    """The headers of :class:`SecurityHeaders` (also for the 500 page, which Starlette
    sends from outside every middleware)."""
    frame_ancestors = frame_ancestors.strip() or "'none'"
    headers = {
        "Content-Security-Policy": "; ".join([
            "default-src 'self'", f"script-src 'nonce-{nonce}'", "style-src 'self'",
            "img-src 'self' data:", "object-src 'none'", "base-uri 'none'",
            "form-action 'self'", f"frame-ancestors {frame_ancestors}",
        ]),
        "X-Content-Type-Options": "nosniff",
        # Invitation links carry a secret in their query: never pass it on.
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if frame_ancestors == "'none'":
        headers["X-Frame-Options"] = "DENY"  # for browsers without CSP level 2
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers
