"""The web application: settings, forms, database and templates wired together."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from tortoise.contrib.starlette import RegisterTortoise

from vnform import agencies, formatting, logs, retention, store
from vnform.forms.registry import Registry
from vnform.live_forms import LiveForms
from vnform.logs import RequestId
from vnform.middleware import (
    Admission,
    BodyLimit,
    CitizensFirst,
    SecurityHeaders,
    session_issued,
)
from vnform.page_cache import PageCache
from vnform.settings import Settings
from vnform.turns import Citizens
from vnform.views import (
    admin,
    api,
    auth,
    builder,
    citizen,
    consultation,
    consultation_admin,
    designer,
    errors,
    lookup,
    open_data,
    own,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"

log = logging.getLogger("vnform")
#: Paths of officials and of other systems: admitted apart from citizens'.
OFFICIALS = ("/admin", "/api/", "/open-data/")


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the ASGI app; forms load and the database opens when it starts."""
    settings = (settings or Settings.from_env()).with_secret()
    templates = make_templates(TEMPLATES_DIR)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        registry = Registry.load(settings.forms_dir)
        for problem in registry.problems:
            log.log(logging.ERROR if problem.severity == "error" else logging.WARNING,
                    "%s", problem)
        agency_names = agencies.load_names(settings.agencies_file)
        for message in agency_names.problems:
            log.warning("%s", message)
        await _schema_ready(settings)
        config = store.tortoise_config(settings.database_url, settings.read_connections,
                                       settings.read_timeout or None)
        async with RegisterTortoise(app, config=config):
            live = await LiveForms.start(registry, ZoneInfo(settings.timezone))
            tally_zones = await _tally_zones(settings.timezone)
            purge = _purge_drafts(dt.timedelta(seconds=settings.session_max_age))
            tasks = [asyncio.create_task(purge), asyncio.create_task(live.follow())]
            if not store.is_sqlite(settings.database_url):  # plans that never go stale
                tasks.append(asyncio.create_task(store.keep_statistics_fresh()))
            if settings.daily_jobs:
                tasks.append(asyncio.create_task(retention.daily(
                    lambda: live.registry.forms, settings)))
            try:
                yield {"registry": live.registry, "live_forms": live, "templates": templates,
                       "page_cache": PageCache(),
                       "settings": settings, "tz": live.counting.tz, "counting": live.counting,
                       "tally_zones": tally_zones, "agency_names": agency_names}
            finally:
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    routes = [
        Route("/", citizen.index, name="index"),
        Route("/f/{form_id}", consultation.form, methods=["GET", "POST"], name="form"),
        Route("/f/{form_id}/p/{page_id}", citizen.page, methods=["GET", "POST"], name="page"),
        Route("/f/{form_id}/review", consultation.review_or_survey, methods=["GET", "POST"],
              name="review"),
        Route("/f/{form_id}/thanks", citizen.thanks, name="thanks"),
        Route("/f/{form_id}/a/{article_id}", consultation.article, methods=["GET", "POST"],
              name="article"),
        Route("/f/{form_id}/synthesis", consultation.synthesis, name="synthesis"),
        Route("/r/{reference}", own.own_response, name="own_response"),
        Route("/r/{reference}/answers.json", own.own_answers, name="own_answers"),
        Route("/r/{reference}/delete", own.delete_own, methods=["POST"], name="own_delete"),
        Route("/healthz", citizen.health, name="health"),
        Route("/api/v1/indicators", api.indicators, name="api_indicators"),
        Route("/api/v1/invitations", api.invitations, methods=["POST"], name="api_invitations"),
        Route("/api/v1/openapi.json", api.openapi, name="api_openapi"),
        Route("/open-data/indicators.csv", open_data.indicators_csv, name="open_data_csv"),
        Route("/open-data/indicators.json", open_data.indicators_json, name="open_data_json"),
        Route("/admin", admin.index, name="admin"),
        Route("/admin/login", auth.login, methods=["GET", "POST"], name="login"),
        Route("/admin/logout", auth.logout, methods=["POST"], name="logout"),
        Route("/admin/audit", admin.audit, name="audit"),
        Route("/admin/indicators", admin.indicators, name="indicators"),
        Route("/admin/responses", lookup.find_response, name="find_response"),
        Route("/admin/forms/new", designer.new, methods=["GET", "POST"], name="form_new"),
        Route("/admin/forms/{form_id}/edit", designer.edit, methods=["GET", "POST"],
              name="form_edit"),
        Route("/admin/forms/{form_id}/check", designer.check, methods=["POST"],
              name="form_check"),
        Route("/admin/forms/{form_id}/publish", designer.publish, methods=["POST"],
              name="form_publish"),
        *(Route(f"/admin/forms/{{form_id}}/{action}", designer.change_state, methods=["POST"],
                name=f"form_{action}") for action in designer.ACTIONS),
        Route("/admin/forms/{form_id}/history", designer.history, name="form_history"),
        Route("/admin/forms/{form_id}/builder", builder.builder, methods=["GET", "POST"],
              name="form_builder"),
        Route("/admin/forms/{form_id}/preview", designer.preview_page,
              methods=["GET", "POST"], name="preview_form"),
        Route("/admin/forms/{form_id}/preview/p/{page_id}", designer.preview_page,
              methods=["GET", "POST"], name="preview_page"),
        Route("/admin/forms/{form_id}/preview/review", designer.preview_review,
              methods=["GET", "POST"], name="preview_review"),
        Route("/admin/forms/{form_id}/preview/thanks", designer.preview_thanks,
              name="preview_thanks"),
        Route("/admin/forms/{form_id}/test-responses.csv", designer.test_responses_csv,
              name="test_responses_csv"),
        Route("/admin/forms/{form_id}/test-responses", designer.test_responses,
              methods=["GET", "POST"], name="test_responses"),
        Route("/admin/forms/{form_id}/restore", designer.restore, methods=["POST"],
              name="form_restore"),
        Route("/admin/forms/{form_id}/source.yaml", designer.source, name="form_source"),
        Route("/admin/forms/{form_id}", consultation_admin.dashboard, name="dashboard"),
        Route("/admin/forms/{form_id}/responses", admin.responses, name="responses"),
        Route("/admin/forms/{form_id}/responses/{response_id:int}", admin.response,
              name="response"),
        Route("/admin/forms/{form_id}/texts/{question_id}", admin.text_answers, name="texts"),
        Route("/admin/forms/{form_id}/export.{format}", admin.download, name="export"),
        Route("/admin/forms/{form_id}/comments", consultation_admin.comments, name="comments"),
        *(Route(f"/admin/forms/{{form_id}}/comments/{{comment_id:int}}/{action}",
                getattr(consultation_admin, action), methods=["POST"], name=f"comment_{action}")
          for action in ("tag", "moderate", "answer")),
        Route("/admin/forms/{form_id}/synthesis", consultation_admin.synthesis,
              name="synthesis_admin"),
        Route("/admin/forms/{form_id}/synthesis.{format}",
              consultation_admin.synthesis_download, name="synthesis_download"),
        Route("/admin/forms/{form_id}/synthesis/publish", consultation_admin.publish,
              methods=["POST"], name="synthesis_publish"),
        Route("/admin/forms/{form_id}/dictionary.csv", admin.dictionary, name="dictionary"),
        Route("/admin/forms/{form_id}/qr.svg", admin.qr_code, name="qr_code"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    logs.configure()
    session_cookie = "__Host-vnform_session" if settings.https else "vnform_session"
    middleware = [
        Middleware(RequestId),
        Middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors,
                   https=settings.https),
        Middleware(
            SessionMiddleware, secret_key=settings.secret_key,
            # Over HTTPS, the __Host- prefix makes browsers refuse the cookie unless it
            # is Secure, for the whole site, and set by this host (no subdomain tampering).
            session_cookie=session_cookie,
            max_age=settings.session_max_age, same_site="lax", https_only=settings.https,
        ),
        # Citizens and officials queue apart: a burst of exports never takes the turn
        # of a citizen sending answers, nor a campaign's crowd an official's.
        Middleware(Admission, limit=settings.max_concurrent, wait=settings.queue_seconds,
                   refuse=errors.refuse_busy, exempt=("/static/", "/healthz", *OFFICIALS),
                   patient=("/f/",), issued=session_issued(
                       settings.secret_key, session_cookie, settings.session_max_age)),
        Middleware(Admission, limit=settings.max_concurrent_officials,
                   wait=settings.queue_seconds, refuse=errors.refuse_busy, only=OFFICIALS),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        Middleware(CitizensFirst, citizens=Citizens(), officials=OFFICIALS,
                   exempt=("/static/", "/healthz")),
    ]
    return Starlette(
        debug=settings.debug, routes=routes, middleware=middleware, lifespan=lifespan,
        exception_handlers=errors.HANDLERS,
    )


async def _tally_zones(timezone: str) -> list[str]:
    """Time zones other than *timezone* that stored tallies counted days in: their
    daily figures are wrong until `vnform tallies rebuild` (officials are told)."""
    others = sorted(zone for zone in await store.tally_zones() if zone != timezone)
    if others:
        log.error("responses were counted by day in %s, but VNFORM_TIMEZONE is %s: run "
                  "`vnform tallies rebuild` to count them again", ", ".join(others), timezone)
    return others


async def _schema_ready(settings: Settings) -> None:
    """Migrate SQLite at start; on a shared server database, refuse to start while
    migrations are pending unless asked to migrate, so that several instances starting
    together never race to change the schema."""
    if store.is_sqlite(settings.database_url) or settings.migrate:
        await store.prepare(settings.database_url)
        return
    pending = await store.pending_migrations(settings.database_url)
    if pending:
        raise RuntimeError(
            f"the database needs {len(pending)} migration(s) ({', '.join(pending)}): run "
            "`vnform migrate --db URL` once, then start the servers (or start one with "
            "--migrate)"
        )


async def _purge_drafts(max_age: dt.timedelta, every: float = 600) -> None:
    """Delete unfinished answers once their session has expired (nobody can reach them
    any more, and they may hold personal data), and the rate limit's old marks."""
    while True:
        try:
            await store.purge_drafts(max_age)
            await store.purge_marks()
        except Exception:  # noqa: BLE001 - a failed purge must not stop the next one
            log.exception("purging expired drafts and submission marks failed")
        await asyncio.sleep(every)


def make_templates(directory: Path) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tr"] = _translate_text
    env.filters["local"] = _local_time
    env.filters["dmy"] = formatting.day
    env.filters["agency"] = _agency_name
    env.filters.update(_figure_filters())
    return Jinja2Templates(env=env)


def _figure_filters() -> dict[str, Any]:
    """``{{ 3.64|decimal }}``, ``|integer``, ``|counted`` (a count as displayed, maybe
    masked: ``< 5``), ``|percent``, ``|period``, ``|stored_number`` (a number answer as
    stored): figures in the page's language; a missing figure reads "–"."""

    def in_page_language(function: Any) -> Any:
        @jinja2.pass_context
        def figure_filter(context: jinja2.runtime.Context, value: Any, *args: Any,
                          **kwargs: Any) -> str:
            if value is None:
                return "–"
            return function(value, context["lang"], *args, **kwargs)

        return figure_filter

    return {name: in_page_language(function) for name, function in {
        "decimal": formatting.decimal, "integer": formatting.integer,
        "counted": lambda value, lang: formatting.integers_in(str(value), lang),
        "percent": formatting.percent, "period": formatting.period,
        "stored_number": formatting.stored_number,
    }.items()}


@jinja2.pass_context
def _translate_text(context: jinja2.runtime.Context, text: Any) -> str:
    """``{{ text|tr }}``: form text in the page language (interface ids via the catalogue)."""
    if text is None:
        return ""
    if getattr(text, "msgid", None) and not text.values:
        return str(context["gettext"](text.msgid))
    return str(text.get(context["lang"]))


@jinja2.pass_context
def _agency_name(context: jinja2.runtime.Context, code: str | None) -> str:
    """``{{ spec.agency|agency }}``: the agency's name in the page's language (its code
    when agencies.yaml does not name it)."""
    if not code:
        return ""
    request = context.get("request")
    names = getattr(request.state, "agency_names", None) if request is not None else None
    return names.name(code, context["lang"]) if names is not None else code


@jinja2.pass_context
def _local_time(context: jinja2.runtime.Context, moment: dt.datetime | None,
                fmt: str = "%d/%m/%Y %H:%M") -> str:
    """``{{ moment|local }}``: a UTC time shown in the deployment's time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(context["tz"]).strftime(fmt)
