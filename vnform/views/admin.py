"""The officials' pages: forms they may see, results, responses, exports, audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from vnform import charts, export, store
from vnform.datasets import export_columns, form_versions
from vnform.filters import Filters, masked, parse_filters, segment_questions
from vnform.i18n import translations
from vnform.spec import FormSpec
from vnform.summary import choice_results
from vnform.views.auth import admins_only, client_address, signed_in
from vnform.views.render import page_language, render

TEXTS_ON_DASHBOARD = 5
TEXTS_PER_PAGE = 25
RESPONSES_PER_PAGE = 50


def _visible_forms(request: Request) -> list[FormSpec]:
    official = request.state.official
    return [spec for spec in request.state.registry.forms.values()
            if official.can_see(spec.agency)]


def _form(request: Request) -> FormSpec:
    """The form of the URL, if this official may see it: another agency's is not found."""
    spec = request.state.registry.forms.get(request.path_params["form_id"])
    if spec is None or not request.state.official.can_see(spec.agency):
        raise HTTPException(404)
    return spec


async def _filters(request: Request, spec: FormSpec) -> tuple[Filters, list[str], list[str]]:
    versions = await store.version_list(spec.id)
    if spec.version not in versions:
        versions.insert(0, spec.version)  # the current version, before its first answer
    filters, problems = parse_filters(request.query_params, spec, versions)
    return filters, problems, versions


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        return 1


def _context(request: Request, **values: Any) -> dict[str, Any]:
    return {"official": request.state.official, "tz": request.state.tz, **values}


@signed_in
async def index(request: Request) -> Response:
    lang = page_language(request)
    forms = sorted(_visible_forms(request), key=lambda spec: spec.id)
    activity = await store.form_activity(spec.id for spec in forms)
    return render(request, "admin/index.html", _context(
        request, forms=forms, activity=activity, empty=store.FormActivity(),
    ), lang=lang)


@signed_in
async def dashboard(request: Request) -> Response:
    spec = _form(request)
    lang = page_language(request)
    _ = translations(lang).gettext
    tz = request.state.tz
    filters, problems, versions = await _filters(request, spec)
    minimum = request.state.settings.min_group_size
    total_all = await store.count_responses(spec.id)
    total = await store.filtered_total(spec.id, filters, tz)
    days = await store.responses_per_day(spec.id, filters, tz)
    counts = await store.answer_counts(spec.id, filters, tz)
    answered = await store.answered_counts(spec.id, filters, tz)
    results = choice_results(spec, counts, answered, minimum, filters.active)
    numbers = {q.id: await store.number_stats(spec.id, q.id, filters, tz)
               for q in spec.questions if q.type in ("integer", "decimal")}
    dates = {q.id: await store.value_range(spec.id, q.id, filters, tz)
             for q in spec.questions if q.type == "date"}
    texts = {q.id: await store.latest_texts(spec.id, q.id, filters, tz, 1, TEXTS_ON_DASHBOARD)
             for q in spec.questions if q.type in ("text", "textarea", "email", "phone")}
    day_counts = [(day, *masked(n, minimum, filters.active)) for day, n in days]
    day_chart = charts.column_chart(
        [(day.strftime("%d/%m"), value, shown) for day, value, shown in day_counts],
        title=_("Responses per day"), id_prefix="chart-days",
    )
    bar_charts = {
        key: charts.bar_chart(
            [charts.Bar(line.label.get(lang) if line.label.values
                        else _(line.label.msgid or line.value),
                        line.count.value, _bar_text(line.count))
             for line in result.lines],
            title=(result.question.label.get(lang)
                   + (f" – {result.row.label.get(lang)}" if result.row else "")),
            id_prefix=f"chart-{key.replace('.', '-').replace('_', '-')}",
            max_value=(result.answered.value or None),
        )
        for key, result in results.items()
    }
    filtered_total = masked(total, minimum, filters.active)[1]
    return render(request, "admin/dashboard.html", _context(
        request, spec=spec, filters=filters, problems=problems, versions=versions,
        segments=segment_questions(spec), total_all=total_all, total=filtered_total,
        day_counts=day_counts, day_chart=day_chart, results=results, bar_charts=bar_charts,
        numbers=numbers, dates=dates, texts=texts, minimum=minimum,
        query=urlencode(filters.params()),
    ), lang=lang)


def _bar_text(count: Any) -> str:
    return count.display if not count.percent_display else \
        f"{count.display} ({count.percent_display})"


@signed_in
async def text_answers(request: Request) -> Response:
    spec = _form(request)
    question = spec.question(request.path_params["question_id"])
    if question is None or question.type not in ("text", "textarea", "email", "phone"):
        raise HTTPException(404)
    lang = page_language(request)
    filters, problems, _versions = await _filters(request, spec)
    page = _page_number(request)
    answers, total = await store.latest_texts(spec.id, question.id, filters, request.state.tz,
                                              page, TEXTS_PER_PAGE)
    return render(request, "admin/texts.html", _context(
        request, spec=spec, question=question, answers=answers, total=total, page=page,
        pages=max(1, -(-total // TEXTS_PER_PAGE)), query=urlencode(filters.params()),
    ), lang=lang)


@signed_in
async def responses(request: Request) -> Response:
    spec = _form(request)
    lang = page_language(request)
    filters, problems, versions = await _filters(request, spec)
    page = _page_number(request)
    rows, total = await store.response_page(spec.id, filters, request.state.tz, page,
                                            RESPONSES_PER_PAGE)
    return render(request, "admin/responses.html", _context(
        request, spec=spec, rows=rows, total=total, page=page, filters=filters,
        pages=max(1, -(-total // RESPONSES_PER_PAGE)), query=urlencode(filters.params()),
    ), lang=lang)


@signed_in
async def response(request: Request) -> Response:
    spec = _form(request)
    lang = page_language(request)
    stored = await store.response_detail(spec.id, request.path_params["response_id"])
    if stored is None:
        raise HTTPException(404)
    found = await form_versions(spec.id, spec)
    assert found is not None
    current, older = found
    seen = next((s for s in (current, *older) if s.version == stored.version), current)
    return render(request, "admin/response.html", _context(
        request, spec=spec, seen=seen, stored=stored,
    ), lang=lang)


@signed_in
async def download(request: Request) -> Response:
    spec = _form(request)
    fmt = request.path_params["format"]
    if fmt not in export.FORMATS:
        raise HTTPException(404)
    lang = page_language(request)
    filters, _problems, _versions = await _filters(request, spec)
    found = await export_columns(spec.id, spec)
    assert found is not None
    _current, cols = found
    labels = lang if request.query_params.get("labels") == "1" else None
    excel = request.query_params.get("excel") == "1"
    official = request.state.official
    address = client_address(request)
    tz = request.state.tz
    rows = 0

    def count(n: int) -> None:
        nonlocal rows
        rows += n

    async def body() -> AsyncIterator[str | bytes]:
        complete = False
        try:
            batches = store.iter_responses(spec.id, filters, tz)
            if fmt == "csv":
                stream: AsyncIterator[str | bytes] = export.csv_stream(
                    cols, batches, excel=excel, labels=labels, counted=count)
            elif fmt == "jsonl":
                stream = export.jsonl_stream(cols, batches, labels=labels, counted=count)
            else:
                stream = export.xlsx_stream(cols, batches, labels=labels, counted=count)
            async for chunk in stream:
                yield chunk
            complete = True
        finally:
            await store.audit("export", actor=official.email, form_id=spec.id, format=fmt,
                              rows=rows, complete=complete, address=address,
                              **filters.describe())

    name = export.file_name(spec.id, dt.datetime.now(tz).date(), fmt)
    return StreamingResponse(body(), media_type=export.MEDIA_TYPES[fmt],
                             headers=_attachment(name))


@signed_in
async def dictionary(request: Request) -> Response:
    spec = _form(request)
    found = await export_columns(spec.id, spec)
    assert found is not None
    name = export.file_name(spec.id, dt.datetime.now(request.state.tz).date(), "csv",
                            "-dictionary")
    return Response(export.dictionary_csv(found[1], excel=True),
                    media_type=export.MEDIA_TYPES["csv"], headers=_attachment(name))


def _attachment(name: str) -> dict[str, str]:
    # RFC 6266: the plain name for old clients, filename* (RFC 5987) for the rest.
    return {"Content-Disposition": f"attachment; filename=\"{name}\"; "
                                   f"filename*=UTF-8''{name}",
            "Cache-Control": "no-store"}


@admins_only
async def audit(request: Request) -> Response:
    lang = page_language(request)
    before = request.query_params.get("before")
    action = request.query_params.get("action") or None
    entries = await store.audit_entries(
        limit=100, before=int(before) if before and before.isdigit() else None, action=action,
    )
    return render(request, "admin/audit.html", _context(
        request, entries=entries, action=action,
        next_before=entries[-1].id if len(entries) == 100 else None,
    ), lang=lang)
