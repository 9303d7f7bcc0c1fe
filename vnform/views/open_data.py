"""Open data: the aggregate indicators of forms marked ``open_data: true``, without
sign-in, as CSV and JSON.

Only aggregates are published, never an answer, and never a figure the minimum group
size hides: a suppressed or undefined record is left out entirely. Periods are of one
kind (``VNFORM_OPEN_DATA_PERIOD``, quarters by default) and over, and a period's record
is suppressed when one of its months is (:func:`vnform.reports.protected_records`): no
published figure can be subtracted from another to reveal a hidden one. Left out too is a
pooled record (by service or agency) when one of the forms pooled into it is suppressed
on its own, since subtracting the published forms from the pool would reveal that
form's figures (a differencing attack).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response

from vnform import reports
from vnform.forms.spec import FormSpec
from vnform.indicators import Period, group_key, period_of
from vnform.views.api import BadQuery, conditional, error, feed_body, feed_query, validators

#: Statuses whose records are never published.
HIDDEN = frozenset({"suppressed", "undefined"})
HEADERS = {
    "Cache-Control": "public, no-cache",
    # Open data: any site may read it from a browser, ETag included.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag",
    "X-Content-Type-Options": "nosniff",
}


def open_forms(request: Request) -> list[FormSpec]:
    """Forms whose files say ``open_data: true`` (drafts are no public forms)."""
    return [spec for spec in request.state.registry.forms.values()
            if spec.definition.get("open_data") is True and spec.status != "draft"]


async def published_records(specs: Sequence[FormSpec], period: Period, minimum: int,
                            by: str) -> list[dict[str, object]]:
    records = await reports.protected_records(specs, period, minimum, by)
    shown = [record for record in records if record["status"] not in HIDDEN]
    if by == "form":
        return shown
    by_id = {spec.id: spec for spec in specs}
    per_form = await reports.protected_records(specs, period, minimum, "form")
    hiding = {(group_key(by_id[str(r["form"])], by), r["indicator"], r["scale"])
              for r in per_form if r["status"] == "suppressed"}
    return [record for record in shown
            if (record[by], record["indicator"], record["scale"]) not in hiding]


def published_period(request: Request, period: Period | None) -> Period:
    """The period open data publishes: of the deployment's one kind
    (``VNFORM_OPEN_DATA_PERIOD``), and over (the latest one over by default). Figures
    of nested periods, or of a period still running, could be subtracted from one
    another to reveal a figure hidden for too few answers."""
    kind = request.state.settings.open_data_period
    today = dt.datetime.now(request.state.tz).date()
    latest = period_of(today, kind).shifted(-1)
    if period is None:
        return latest
    if period.kind != kind or period.after > today:
        raise BadQuery(f"open data is published by {kind}, for each {kind} once it is "
                       f"over: use period={latest.label} (the latest) or an earlier one")
    return period


async def _indicators(request: Request, fmt: str) -> Response:
    try:
        period, by = feed_query(request)
        period = published_period(request, period if request.query_params.get("period")
                                  else None)
    except BadQuery as exc:
        return error(400, "invalid_parameter", str(exc), HEADERS)
    specs = open_forms(request)
    minimum = request.state.settings.indicator_min_n

    async def body() -> tuple[bytes, str]:
        return feed_body(await published_records(specs, period, minimum, by), fmt)

    validated = await validators(specs, "open-data", period.label, by, fmt, minimum)
    return await conditional(request, validated, body, {
        **HEADERS,
        "Content-Disposition": f'inline; filename="indicators-{period.label}.{fmt}"',
    })


async def indicators_csv(request: Request) -> Response:
    """``GET /open-data/indicators.csv``: UTF-8 without a byte-order mark (for programs;
    the officials' exports add one for Excel)."""
    return await _indicators(request, "csv")


async def indicators_json(request: Request) -> Response:
    """``GET /open-data/indicators.json``: ``{"indicators": [...]}``, as the API."""
    return await _indicators(request, "json")
