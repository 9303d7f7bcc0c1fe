"""The officials' pages: forms they may see, results, responses, exports, audit trail."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import AsyncIterator
from typing import Any, cast
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from vnform import (
    audit_events,
    charts,
    export,
    formatting,
    masking,
    qrcodes,
    references,
    reports,
    store,
)
from vnform.agencies import AgencyNames
from vnform.comparison import comparisons
from vnform.consultation.exports import comment_columns, comment_rows
from vnform.datasets import export_columns, form_versions
from vnform.dictionary import dictionary_csv, dictionary_rows, version_name
from vnform.filters import Filters, masked, parse_filters, segment_questions
from vnform.forms.spec import TEXT_TYPES, FormSpec, Text
from vnform.headline import Figure, headline
from vnform.i18n import N_, translations
from vnform.indicators import (
    Period,
    dimensions,
    parse_period,
    period_of,
    recent_periods,
)
from vnform.summary import choice_results
from vnform.trends import trend_keys
from vnform.turns import give_way
from vnform.views.auth import admins_only, client_address, signed_in
from vnform.views.render import page_language, path_for, public_url, render
from vnform.views.trend_charts import question_trends

TEXTS_ON_DASHBOARD = 5
TEXTS_PER_PAGE = 25
RESPONSES_PER_PAGE = 50
#: Responses an export reads per statement: small enough that formatting one batch
#: holds the event loop only briefly (citizens' requests wait for no more).
EXPORT_BATCH = 200
TREND_PERIODS = 8  # the trend charts of /admin/indicators: the chosen period and 7 before
GROUPINGS = ("form", "service", "agency")


def _visible_forms(request: Request) -> list[FormSpec]:
    official = request.state.official
    return [spec for spec in request.state.registry.forms.values()
            if official.can_see(spec.agency)]


async def _version_names(spec: FormSpec, lang: str, tz: Any) -> dict[str, str]:
    """Each version of the form as officials read it: "Version 3 (from 12/11/2026)"."""
    return {version: version_name(number, since, lang) for number, (version, since)
            in enumerate(await store.version_days(spec.id, tz), 1)}


def _form(request: Request) -> FormSpec:
    """The form of the URL, if this official may see it: another agency's is not found."""
    spec = request.state.registry.forms.get(request.path_params["form_id"])
    if spec is None or not request.state.official.can_see(spec.agency):
        raise HTTPException(404)
    return spec


async def _filters(request: Request, spec: FormSpec) -> tuple[Filters, list[str], list[str]]:
    """The filters of the query, their problems, and the versions with responses."""
    versions = await store.version_list(spec.id)
    if spec.version not in versions:
        versions.insert(0, spec.version)  # the current version, before its first answer
    filters, problems = parse_filters(request.query_params, spec, versions,
                                      personal=request.state.official.personal_data)
    return filters, problems, versions


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        return 1


def _page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


async def _page(request: Request, name: str, context: dict[str, Any], *, lang: str,
                status_code: int = 200) -> Response:
    """An officials' page, rendered once no citizen's request is waiting (rendering
    holds the server's event loop: :mod:`vnform.turns`)."""
    await give_way()
    return render(request, name, context, lang=lang, status_code=status_code)


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    """What every officials' page shows: who is signed in, the time zone of dates."""
    return {"official": request.state.official, "tz": request.state.tz,
            "tally_zones": request.state.tally_zones, **values}


@signed_in
async def index(request: Request) -> Response:
    lang = page_language(request)
    forms = sorted((spec for spec in _visible_forms(request) if not spec.archived),
                   key=lambda spec: spec.id)
    activity = await store.form_activity((spec.id for spec in forms), request.state.tz)
    official = request.state.official
    designs = [design for design in await store.designs(
        None if official.is_admin else official.agencies) if official.can_design(design.agency)
        and (design.state != "archived" or official.can_publish(design.agency))]
    return await _page(request, "admin/index.html", page_context(
        request, forms=forms, activity=activity, empty=store.FormActivity(),
        designs=designs, from_files=request.state.registry.from_files,
        registry_forms=request.state.registry.forms,
    ), lang=lang)


@signed_in
async def dashboard(request: Request) -> Response:
    spec = _form(request)
    lang = page_language(request)
    _ = translations(lang).gettext
    tz = request.state.tz
    filters, problems, versions = await _filters(request, spec)
    minimum = request.state.settings.min_group_size
    # A segment's trends are counted live from every sheet of the segment, by day: only
    # when asked for, so that its figures come first.
    trends_asked = not filters.segment or request.query_params.get("trends") == "1"
    started = time.perf_counter()
    found = await store.results(spec, filters, trends=trends_asked)
    seconds = time.perf_counter() - started
    totals = (await store.form_totals([spec.id])).get(spec.id, store.FormTotal())
    flagged = await store.flagged_count(spec.id)
    results = choice_results(spec, found.counts, found.answered, minimum, filters.active)
    texts = {q.id: await store.latest_texts(spec.id, q.id, filters, tz, 1, TEXTS_ON_DASHBOARD,
                                            total=found.answered.get(q.id, 0))
             for q in spec.questions if q.type in TEXT_TYPES}
    personal_texts = {q.id for q in spec.questions if q.personal_data and q.id in texts}
    shown = sum(len(texts[key][0]) for key in personal_texts)
    if personal_texts and not await _personal_view(request, spec, frozenset(personal_texts),
                                                   shown, "results"):
        texts |= {key: (masking.masked_texts(texts[key][0]), texts[key][1])
                  for key in personal_texts}
    day_counts = [(day, *masked(n, minimum, filters.active)) for day, n in found.days]
    day_chart = charts.column_chart(
        [(day.strftime("%d/%m"), value, formatting.integers_in(shown, lang))
         for day, value, shown in day_counts],
        title=_("Responses per day"), id_prefix="chart-days",
    )
    names = {key: (result.question.label.get(lang)
                   + (f" – {result.row.label.get(lang)}" if result.row else ""))
             for key, result in results.items()}
    bar_charts = {
        key: charts.bar_chart(
            [charts.Bar(line.label.get(lang) if line.label.values
                        else _(line.label.msgid or line.value),
                        line.count.value, _bar_text(line.count, lang))
             for line in result.lines],
            title=names[key], id_prefix=f"chart-{key.replace('.', '-').replace('_', '-')}",
            max_value=(result.answered.value or None),
        )
        for key, result in results.items()
    }
    trends = question_trends(spec, found, lang, min_n=request.state.settings.indicator_min_n,
                             minimum=minimum, active=filters.active, label=names)
    filtered_total = masked(found.responses, minimum, filters.active)[1]
    quarter = period_of(dt.datetime.now(tz).date(), "quarter")
    own: list[dict[str, Any]] = []
    figures: list[Figure] = []
    min_n = request.state.settings.indicator_min_n
    if dimensions(spec):
        records = await reports.indicator_records([spec], quarter, min_n)
        own = _by_kind([_indicator_row(r, {spec.id: spec}, lang, min_n) for r in records])
        before = await reports.indicator_records([spec], quarter.shifted(-1), min_n)
        figures = headline(records, before)
    return await _page(request, "admin/dashboard.html", page_context(
        request, spec=spec, filters=filters, problems=problems, versions=versions,
        version_names=await _version_names(spec, lang, tz),
        segments=segment_questions(spec, request.state.official.personal_data),
        total_all=totals.responses, total=filtered_total,
        flagged=flagged, live=found.live, live_seconds=seconds,
        day_counts=day_counts, day_chart=day_chart, results=results, bar_charts=bar_charts,
        numbers=found.numbers, dates=found.dates, texts=texts, minimum=minimum,
        query=urlencode(filters.params()), quarter=quarter, indicator_rows=own,
        headline=figures, previous_quarter=quarter.shifted(-1),
        headline_names={f.indicator: _dimension_name(f.indicator, lang) for f in figures},
        indicator_min_n=min_n, survey_url=_survey_url(request, spec),
        results_url=_results_url(request, filters), trends=trends,
        trends_deferred=not trends_asked, trend_keys=frozenset(trend_keys(spec)),
        comparisons=comparisons(spec, found.counts, minimum, filters.active),
    ), lang=lang)


#: Names of the dimensions the issue lists, shown translated next to their code; any
#: other dimension name (they are free words) is shown as it is written.
DIMENSION_NAMES = {
    "satisfaction": N_("Satisfaction"), "ease": N_("Ease"), "efficiency": N_("Efficiency"),
    "trust": N_("Trust"), "access": N_("Access to information"),
    "procedure": N_("Administrative procedure"), "civil_servant": N_("Civil servants"),
    "result": N_("Result"), "feedback": N_("Handling of feedback"),
    "case_satisfaction": N_("Cases rated satisfied"),
}
STATUS_WORDS = {
    "ok": N_("Enough answers"),
    "low_n": N_("Few answers: the interval is wider than 20 points"),
    "undefined": N_("Not determined: no answers"),
}
PERIOD_WORDS = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}
TREND_TITLES = {
    "month": N_("Satisfied share of the last %(n)s months, %(name)s"),
    "quarter": N_("Satisfied share of the last %(n)s quarters, %(name)s"),
    "year": N_("Satisfied share of the last %(n)s years, %(name)s"),
}


def _status_text(record: dict[str, object], lang: str, minimum: int) -> str:
    """The record's status in words; a hidden value always says why."""
    _ = translations(lang).gettext
    status, scale = record["status"], record["scale"]
    if status == "suppressed":
        if scale == "composite":
            return _("Hidden: a part has fewer than %(n)s answers") % {"n": minimum}
        if scale == "cases":
            return _("Hidden: fewer than %(n)s cases") % {"n": minimum}
        return _("Hidden: fewer than %(n)s answers") % {"n": minimum}
    if status == "undefined" and scale == "composite":
        return _("Not computed: a part has no answers")
    return _(STATUS_WORDS[str(status)])


def _dimension_name(name: str, lang: str) -> str:
    known = DIMENSION_NAMES.get(name)
    return translations(lang).gettext(known) if known else name


def _composite_label(spec: FormSpec, composite_id: str, lang: str) -> str | None:
    raw = spec.definition.get("composite")
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, dict) and item.get("id") == composite_id and item.get("label"):
            label = Text.of(item["label"], spec.languages)
            return label.get(lang) if label else None
    return None


def scale_words(scale: str, lang: str) -> str:
    """A record's scale as officials read it: "5-point scale", "0–10", "yes or no"."""
    _ = translations(lang).gettext
    if found := re.fullmatch(r"likert(\d+)", scale):
        return _("%(n)s-level scale") % {"n": found.group(1)}
    if found := re.fullmatch(r"rating(\d+)", scale):
        return _("rating out of %(n)s") % {"n": found.group(1)}
    words = {"nps": N_("0 to 10 (NPS)"), "yes_no": N_("yes or no"),
             "composite": N_("index of several dimensions"), "cases": N_("cases")}
    return _(words[scale]) if scale in words else scale


def _indicator_row(record: dict[str, object], specs: dict[str, FormSpec], lang: str,
                   minimum: int, names: AgencyNames | None = None) -> dict[str, Any]:
    """One record as the pages show it: names in words, and whether values may show."""
    _ = translations(lang).gettext
    spec = specs.get(str(record["form"])) if record["form"] else None
    indicator = str(record["indicator"])
    if record["scale"] == "composite":
        title = (spec and _composite_label(spec, indicator, lang)) or indicator
    else:
        title = _dimension_name(indicator, lang)
    if record["form"]:
        group = spec.title.get(lang) if spec else str(record["form"])
    elif record["service"] is not None:
        group = str(record["service"]) or _("(no service code)")
    else:
        group = names.name(str(record["agency"]), lang) if names else str(record["agency"])
    questions = [question.label.get(lang) for qid in cast(list[str], record.get("questions")
                                                          or [])
                 if spec and (question := spec.question(qid)) is not None]
    return {"record": record, "title": title, "group": group, "spec": spec,
            "scale_words": scale_words(str(record["scale"]), lang), "questions": questions,
            "parts": [_dimension_name(str(part), lang)
                      for part in cast(list[str], record.get("of") or [])],
            "shown": record["status"] in ("ok", "low_n"),
            "status_text": _status_text(record, lang, minimum)}


KIND_TITLES = {
    "scale": N_("Scales (likert, rating)"), "yes_no": N_("Yes or no"),
    "nps": N_("Net Promoter Score"), "composite": N_("Composite indexes"),
    "cases": N_("Case ratings"),
}


def _kind(scale: object) -> str:
    """How a record is tabled: ``scale`` (likert, rating), ``yes_no``, ``nps``,
    ``composite`` or ``cases``."""
    return str(scale) if scale in ("yes_no", "nps", "composite", "cases") else "scale"


def _by_kind(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped into one table per kind, in order of first appearance."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        tables.setdefault(_kind(row["record"]["scale"]), []).append(row)
    return [{"kind": kind, "title": KIND_TITLES[kind], "rows": found}
            for kind, found in tables.items()]


@signed_in
async def indicators(request: Request) -> Response:
    """Indicators of the forms this official may see, for one period, with their trend."""
    lang = page_language(request)
    _ = translations(lang).gettext
    tz = request.state.tz
    minimum = request.state.settings.indicator_min_n
    measured = sorted((s for s in _visible_forms(request) if dimensions(s)), key=lambda s: s.id)
    form_id = request.query_params.get("form", "")
    specs = [s for s in measured if s.id == form_id] if form_id else measured
    if form_id and not specs:
        raise HTTPException(404)  # unknown, without indicators, or another agency's
    current = period_of(dt.datetime.now(tz).date(), "quarter")
    text = request.query_params.get("period", "").strip() or current.label
    by = request.query_params.get("by") or "form"
    errors: dict[str, str] = {}
    period: Period | None = None
    try:
        period = parse_period(text)
    except ValueError:
        errors["period"] = _("Enter a month such as 2026-11, a quarter such as 2026-Q4 or "
                             "a year such as 2026.")
    if by not in GROUPINGS:
        errors["by"] = _("Choose form, service or agency.")
        by = "form"
    sections: list[dict[str, Any]] = []
    if period is not None and not errors:
        history = recent_periods(period, TREND_PERIODS)
        by_period = {p.label: await reports.indicator_records(specs, p, minimum, by)
                     for p in history}
        sections = _indicator_sections(by_period, history, period, specs, lang, minimum,
                                       request.state.agency_names)
    return await _page(request, "admin/indicators.html", page_context(
        request, sections=sections, period=period, text=text, by=by, errors=errors,
        groupings=GROUPINGS, forms=measured, form_id=form_id, minimum=minimum,
        current=current, period_words=PERIOD_WORDS,
    ), lang=lang, status_code=400 if errors else 200)


def _indicator_sections(by_period: dict[str, list[dict[str, object]]], history: list[Period],
                        period: Period, specs: list[FormSpec], lang: str,
                        minimum: int, names: AgencyNames) -> list[dict[str, Any]]:
    """One section per indicator and scale: its rows (one per form, service or agency),
    each with the trend of its satisfied share over *history*."""
    _ = translations(lang).gettext
    by_id = {spec.id: spec for spec in specs}

    def identity(record: dict[str, object]) -> tuple[object, ...]:
        return tuple(record[name] for name in ("form", "agency", "service", "indicator",
                                               "scale"))

    past = {label: {identity(r): r for r in records} for label, records in by_period.items()}
    sections: dict[tuple[object, object], dict[str, Any]] = {}
    for record in by_period[period.label]:
        row = _indicator_row(record, by_id, lang, minimum, names)
        key = (record["indicator"], record["scale"])
        section = sections.setdefault(key, {"title": row["title"], "scale": record["scale"],
                                            "scale_words": row["scale_words"],
                                            "kind": _kind(record["scale"]), "rows": []})
        value_of = "case_satisfaction_pct" if record["scale"] == "cases" else "top2_pct"
        trend: list[dict[str, Any]] = []
        for p in history:
            then = past[p.label].get(identity(record))
            value = (cast(float, then[value_of])
                     if then is not None and then["status"] in ("ok", "low_n") else None)
            trend.append({"label": p.label, "value": value, "record": then,
                          "status_text": _status_text(then, lang, minimum) if then else ""})
        row["trend"] = trend
        points: list[tuple[str, float | None, str]] = [
            (formatting.period(t["label"], lang), t["value"],
             "–" if t["value"] is None else formatting.percent(t["value"], lang))
            for t in trend]
        floor = charts.axis_floor([t["value"] for t in trend])
        desc = _("A period without a column has no figure: no answers, or too few to show.")
        if floor:
            desc += " " + _("The axis starts at %(floor)s, not at zero, to show the "
                            "differences.") % {"floor": formatting.percent(floor, lang, 0)}
        row["chart"] = charts.column_chart(
            points,
            title=_(TREND_TITLES[period.kind]) % {"n": len(history),
                                                  "name": f"{row['title']} – {row['group']}"},
            desc=desc, floor=floor, floor_display=formatting.percent(floor, lang, 0),
            id_prefix=f"trend-{len(sections)}-{len(section['rows']) + 1}",
            # shares: a full column means everyone
            max_value=100, max_display=formatting.percent(100, lang, 0),
        )
        section["rows"].append(row)
    return list(sections.values())


def _bar_text(count: Any, lang: str) -> str:
    shown = formatting.integers_in(count.display, lang)
    if count.percent is None:
        return shown
    return f"{shown} ({formatting.percent(count.percent, lang)})"


@signed_in
async def text_answers(request: Request) -> Response:
    spec = _form(request)
    question = spec.question(request.path_params["question_id"])
    if question is None or question.type not in TEXT_TYPES:
        raise HTTPException(404)
    lang = page_language(request)
    filters, problems, _versions = await _filters(request, spec)
    page = _page_number(request)
    answers, total = await store.latest_texts(spec.id, question.id, filters, request.state.tz,
                                              page, TEXTS_PER_PAGE)
    few = _too_few(request, filters, total)
    if few:
        answers = []
    if question.personal_data and not await _personal_view(
            request, spec, frozenset(question.columns), len(answers), "text answers"):
        answers = masking.masked_texts(answers)
    return await _page(request, "admin/texts.html", page_context(
        request, spec=spec, question=question, answers=answers, total=total, page=page,
        few=few, minimum=request.state.settings.min_group_size,
        pages=_page_count(total, TEXTS_PER_PAGE), query=urlencode(filters.params()),
    ), lang=lang)


@signed_in
async def responses(request: Request) -> Response:
    spec = _form(request)
    lang = page_language(request)
    filters, problems, versions = await _filters(request, spec)
    page = _page_number(request)
    rows, total = await store.response_page(spec.id, filters, request.state.tz, page,
                                            RESPONSES_PER_PAGE)
    few = _too_few(request, filters, total)
    return await _page(request, "admin/responses.html", page_context(
        request, spec=spec, rows=[] if few else rows, total=total, page=page, filters=filters,
        few=few, minimum=request.state.settings.min_group_size,
        version_names=await _version_names(spec, lang, request.state.tz),
        pages=_page_count(total, RESPONSES_PER_PAGE), query=urlencode(filters.params()),
    ), lang=lang)


def _too_few(request: Request, filters: Filters, total: int) -> bool:
    """Whether a filtered list is too short to show: as on the results page, a group
    smaller than ``VNFORM_MIN_GROUP_SIZE`` could single a citizen out. An account with
    personal-data access sees it."""
    minimum = request.state.settings.min_group_size
    return filters.active and 0 < total < minimum and not request.state.official.personal_data


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
    keys = masking.personal_keys(current, seen)
    given = masking.shown_personal(stored.answers, keys)
    if not await _personal_view(request, spec, keys, 1 if given else 0, "response"):
        stored = masking.masked_response(stored, keys)
    return await _page(request, "admin/response.html", page_context(
        request, spec=spec, seen=seen, stored=stored,
        version_names=await _version_names(spec, lang, request.state.tz),
        reference=references.shown(stored.reference) if stored.reference else None,
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
    # Personal-data columns only when asked for; masked for an account without access.
    versions_seen = await form_versions(spec.id, spec)
    assert versions_seen is not None
    personal = masking.personal_keys(versions_seen[0], *versions_seen[1])
    include = request.query_params.get("personal") == "1" and bool(personal)
    if not include:
        cols = [column for column in cols if column.key not in personal]
    unmasked = include and request.state.official.personal_data
    if spec.kind == "consultation" and request.query_params.get("flagged") != "1":
        cols = [*comment_columns(), *cols]
    labels = lang if request.query_params.get("labels") == "1" else None
    excel = request.query_params.get("excel") == "1"
    # The submissions kept apart as automated, instead of the responses (filters aside).
    flagged = request.query_params.get("flagged") == "1"
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
            batches = export.in_turns(store.iter_flagged(spec.id) if flagged
                                      else store.iter_responses(spec.id, filters, tz,
                                                                batch=EXPORT_BATCH))
            if include and not unmasked:
                batches = _masked_batches(batches, personal)
            if spec.kind == "consultation" and not flagged:  # one row per comment
                batches = comment_rows(spec.id, batches)
            if fmt == "csv":
                stream: AsyncIterator[str | bytes] = export.csv_stream(
                    cols, batches, excel=excel, labels=labels, counted=count)
            elif fmt == "jsonl":
                stream = export.jsonl_stream(cols, batches, labels=labels, counted=count)
            else:
                versions = await store.version_days(spec.id, request.state.tz)
                stream = export.xlsx_stream(cols, batches, labels=labels, counted=count,
                                            dictionary=dictionary_rows(cols, versions))
            async for chunk in stream:
                yield chunk
            complete = True
        finally:
            await store.audit("export", actor=official.email, form_id=spec.id, format=fmt,
                              rows=rows, complete=complete, address=address,
                              **({"personal_data": "shown" if unmasked else "masked"}
                                 if include else {}),
                              **({"flagged": True} if flagged else filters.describe()))

    name = export.file_name(spec.id, dt.datetime.now(tz).date(), fmt,
                            "-flagged" if flagged else "")
    return StreamingResponse(body(), media_type=export.MEDIA_TYPES[fmt],
                             headers=_attachment(name))


async def _masked_batches(batches: AsyncIterator[list[Any]], keys: frozenset[str]
                          ) -> AsyncIterator[list[Any]]:
    """*batches* of responses with their personal-data answers masked."""
    async for batch in batches:
        yield [masking.masked_response(stored, keys) for stored in batch]


async def _personal_view(request: Request, spec: FormSpec, keys: frozenset[str],
                         responses: int, what: str) -> bool:
    """Whether the official sees the personal-data answers of a page unmasked; when they
    do and the page holds any (*responses* of them), an audit row says so."""
    official = request.state.official
    if not official.personal_data:
        return False
    if keys and responses:
        await store.audit("personal_data_viewed", actor=official.email, form_id=spec.id,
                          address=client_address(request), what=what, responses=responses)
    return True


@signed_in
async def dictionary(request: Request) -> Response:
    spec = _form(request)
    found = await export_columns(spec.id, spec)
    assert found is not None
    name = export.file_name(spec.id, dt.datetime.now(request.state.tz).date(), "csv",
                            "-dictionary")
    versions = await store.version_days(spec.id, request.state.tz)
    return Response(dictionary_csv(found[1], versions, excel=True),
                    media_type=export.MEDIA_TYPES["csv"], headers=_attachment(name))


def _survey_url(request: Request, spec: FormSpec) -> str:
    """The address citizens answer *spec* at, absolute: a poster cannot hold a path."""
    return public_url(request, path_for(request, "form", form_id=spec.id))


def _results_url(request: Request, filters: Filters) -> str:
    """The address of this view of the results, its filters included, to pass on."""
    query = urlencode(filters.params())
    return public_url(request, request.url.path + (f"?{query}" if query else ""))


@signed_in
async def qr_code(request: Request) -> Response:
    """The QR code of the survey's address (SVG), for posters at the counters."""
    spec = _form(request)
    url = _survey_url(request, spec)
    return Response(qrcodes.svg(url, title=url), media_type=qrcodes.MEDIA_TYPE,
                    headers=_attachment(f"{spec.id}-qr.svg"))


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
    _ = translations(lang).gettext
    return await _page(request, "admin/audit.html", page_context(
        request, action=action,
        events=[(code, _(words)) for code, words in audit_events.EVENTS.items()],
        entries=[(entry, audit_events.describe_event(entry.action, _),
                  audit_events.describe_details(entry.details, lang,
                                                request.state.agency_names))
                 for entry in entries],
        form_titles={form_id: spec.title for form_id, spec in request.state.registry.forms.items()},
        next_before=entries[-1].id if len(entries) == 100 else None,
    ), lang=lang)
