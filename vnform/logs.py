"""Logging: every record of a request carries that request's id.

The id is also sent as ``X-Request-Id`` and shown on error pages, so a citizen's "it
said reference 7Kq..." finds the log lines. Records hold what went wrong and where,
never what was sent: no answers, no passwords.
"""

from __future__ import annotations

import logging
import secrets
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The id of the request being handled ("-" outside requests).
request_id: ContextVar[str] = ContextVar("request_id", default="-")

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class HideQueries(logging.Filter):
    """Drops query strings from uvicorn's access log: invitation links carry their secret
    there (``?t=...``), and a log is no place for a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) \
                and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def configure() -> None:
    """Give the ``vnform`` logger a handler with request ids, once (the deployment may
    configure logging itself first: then nothing is added), and keep secrets in query
    strings out of the access log."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideQueries) for f in access.filters):
        access.addFilter(HideQueries())
    logger = logging.getLogger("vnform")
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


class RequestId:
    """Names each request: a new random id, in the log context and the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = secrets.token_urlsafe(9)
        scope.setdefault("state", {})["request_id"] = current
        token = request_id.set(current)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Request-Id"] = current
            await send(message)

        await self.app(scope, receive, send_with_id)
        # Not reset when the request failed: the 500 handler, outside this middleware,
        # still logs under the request's id (each request runs in its own context).
        request_id.reset(token)
