"""Rendering a page in the visitor's language, with what every template needs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from vnform import csrf
from vnform.i18n import LANGUAGE_NAMES, LANGUAGES, choose, translations


def page_language(request: Request, available: tuple[str, ...] = LANGUAGES) -> str:
    """The language for this page: ``?lang=`` (remembered for the visit), else the
    visitor's earlier choice, else the first language available."""
    session = request.session if "session" in request.scope else {}
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    return choose(session.get("lang"), available)


def render(request: Request, name: str, context: dict[str, Any], *, lang: str,
           languages: tuple[str, ...] = LANGUAGES, status_code: int = 200) -> Response:
    t = translations(lang)
    context = {
        "lang": lang,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "_": t.gettext,
        "csrf_token": csrf.token(request.session) if "session" in request.scope else "",
        "language_links": [
            {"code": code, "name": LANGUAGE_NAMES[code], "current": code == lang,
             "url": str(request.url.include_query_params(lang=code))}
            for code in languages
        ] if len(languages) > 1 else [],
        **context,
    }
    templates = request.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)
