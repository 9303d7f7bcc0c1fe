"""Rendering a page in the visitor's language, with what every template needs."""

from __future__ import annotations

import weakref
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


def path_for(request: Request, name: str, /, **params: Any) -> str:
    """The path of a route. Pages link by path, never by absolute URL, so that they work
    unchanged behind a TLS-terminating proxy (no mixed content, no http redirects)."""
    # Found once per app: Starlette tries every route in turn, and a submission asks for
    # several paths.
    paths = _PATHS.get(request.app)
    if paths is None:
        paths = _PATHS[request.app] = {}
    key = (name, *params.items())
    try:
        return paths[key]
    except KeyError:
        path = paths[key] = str(request.app.url_path_for(name, **params))
        if len(paths) > 10_000:  # ids in paths (responses, comments): a bound, not a leak
            paths.clear()
        return path
    except TypeError:  # a parameter that cannot be a key
        return str(request.app.url_path_for(name, **params))


_PATHS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], str]] = weakref.WeakKeyDictionary()


def public_url(request: Request, path: str) -> str:
    """*path* as an absolute address, for a place where no path will do (a poster's QR
    code, a link copied into a message): after ``VNFORM_PUBLIC_URL`` (behind a proxy the
    request's own address may be an internal one), else this request's address."""
    base = request.state.settings.public_url or str(request.base_url)
    return base.rstrip("/") + path


def render(request: Request, name: str, context: dict[str, Any], *, lang: str,
           languages: tuple[str, ...] = LANGUAGES, status_code: int = 200) -> Response:
    templates = request.state.templates
    response = templates.TemplateResponse(
        request, name, page_context(request, context, lang=lang, languages=languages),
        status_code=status_code)
    # Pages can hold a citizen's answers or results: no shared or back-button caches.
    response.headers["Cache-Control"] = "no-store"
    return response


def render_text(request: Request, name: str, context: dict[str, Any], *, lang: str,
                languages: tuple[str, ...] = LANGUAGES) -> str:
    """The page *name* as text (what :func:`render` would send)."""
    context = page_context(request, context, lang=lang, languages=languages)
    template = request.state.templates.get_template(name)
    return str(template.render({"request": request, **context}))


def page_context(request: Request, context: dict[str, Any], *, lang: str,
                 languages: tuple[str, ...] = LANGUAGES) -> dict[str, Any]:
    """What every template is given, then *context*."""
    t = translations(lang)
    return {
        "lang": lang,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "_": t.gettext,
        "csrf_token": csrf.token(request.session) if "session" in request.scope else "",
        "language_links": [
            {"code": code, "name": LANGUAGE_NAMES[code], "current": code == lang,
             "url": request.url.path + "?" + str(
                 request.url.include_query_params(lang=code).query)}
            for code in languages
        ] if len(languages) > 1 else [],
        "language_names": LANGUAGE_NAMES,
        "url_for": lambda name, /, **params: path_for(request, name, **params),
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        # An official's preview of a draft (vnform.views.designer): every page says so.
        "preview": getattr(request.state, "preview", None) is not None,
        **context,
    }
