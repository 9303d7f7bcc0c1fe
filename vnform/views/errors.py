"""Error pages in the visitor's language; never a stack trace outside debug mode."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from vnform import csrf
from vnform.views.render import page_language, render

log = logging.getLogger("vnform")


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if not hasattr(request.state, "templates"):  # before the app has started
        return PlainTextResponse(str(status), status_code=status)
    lang = page_language(request)
    expired = isinstance(exc, HTTPException) and exc.detail == csrf.EXPIRED
    response = render(request, "error.html", {"status": status, "expired": expired},
                      lang=lang, status_code=status)
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return await http_error(request, exc)


HANDLERS = {HTTPException: http_error, 500: server_error}
