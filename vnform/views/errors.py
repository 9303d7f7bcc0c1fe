"""Error pages in the visitor's language; never a stack trace outside debug mode."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import Any

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from tortoise.exceptions import BaseORMException

from vnform import csrf, store
from vnform.middleware import security_headers
from vnform.views.render import page_language, render

log = logging.getLogger("vnform")

#: Exceptions a database failure can reach a view as; `database_error` sorts them.
DATABASE_ERRORS = (BaseORMException, sqlite3.Error, asyncpg.PostgresError,
                   asyncpg.InterfaceError, OSError)

#: Seconds after which a refused visitor or client may try again.
RETRY_AFTER = "5"


def busy() -> HTTPException:
    """The refusal of a request the service cannot take now (503, with Retry-After)."""
    return HTTPException(503, headers={"Retry-After": RETRY_AFTER})


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if not hasattr(request.state, "templates"):  # before the app has started
        return PlainTextResponse(str(status), status_code=status)
    lang = page_language(request)
    expired = isinstance(exc, HTTPException) and exc.detail == csrf.EXPIRED
    reference = getattr(request.state, "request_id", "")
    response = render(request, "error.html", {"status": status, "expired": expired,
                                              "reference": reference},
                      lang=lang, status_code=status)
    if status >= 500:
        # A 500 page leaves from outside every middleware: give it their headers here.
        settings = request.state.settings
        for name, value in security_headers(secrets.token_urlsafe(18),
                                            settings.frame_ancestors,
                                            settings.https).items():
            response.headers.setdefault(name, value)
    if reference:  # also on pages sent from outside the request-id middleware (500s)
        response.headers["X-Request-Id"] = reference
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    if store.is_transient(exc):
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
        return await http_error(request, busy())
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return await http_error(request, exc)


async def database_error(request: Request, exc: Exception) -> Response:
    """A busy or briefly unreachable database is a 503 the visitor can retry; any
    other database failure is a fault (500, logged with its traceback)."""
    if not store.is_transient(exc):
        if request.app.debug:
            raise exc
        return await server_error(request, exc)
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    return await http_error(request, busy())


async def read_timeout(request: Request, exc: Exception) -> Response:
    """An official's read stopped by the statement time limit (``VNFORM_READ_TIMEOUT``):
    a 503 that says why and what to try, rather than a connection held for minutes."""
    assert isinstance(exc, store.ReadTimeout)
    log.warning("read stopped after %s s on %s %s", exc.seconds, request.method,
                request.url.path)
    if request.url.path.startswith(("/api/", "/open-data/")):
        return JSONResponse(
            {"error": "timeout", "message": f"computing this took longer than {exc.seconds} s "
             "and was stopped; try again later, or ask for a shorter period"},
            status_code=503, headers={"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"})
    response = render(request, "error.html", {
        "status": 503, "expired": False, "timeout": exc.seconds,
        "reference": getattr(request.state, "request_id", ""),
    }, lang=page_language(request), status_code=503)
    response.headers["Retry-After"] = RETRY_AFTER
    return response


async def refuse_busy(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI answer to a request refused before it was served (see Admission)."""
    request = Request(scope, receive)
    log.warning("refused %s %s: too many requests in progress", request.method,
                request.url.path)
    response = await http_error(request, busy())
    await response(scope, receive, send)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The visitor left before sending the whole request: nobody reads the answer."""
    log.info("client left during %s %s", request.method, request.url.path)
    return PlainTextResponse("", status_code=400)


HANDLERS: dict[Any, Any] = {
    HTTPException: http_error,
    ClientDisconnect: client_gone,
    500: server_error,
    store.ReadTimeout: read_timeout,
    **dict.fromkeys(DATABASE_ERRORS, database_error),
}
