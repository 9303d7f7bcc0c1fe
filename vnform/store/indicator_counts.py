"""Counts behind the indicators: one GROUP BY per period for every form at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tortoise.expressions import Subquery
from tortoise.functions import Count, Max

from vnform.models import Answer, Response

__all__ = ["case_counts", "indicator_answer_counts", "latest_response_at",
           "period_response_counts"]


def _in_period(form_ids: list[str], start: dt.datetime, end: dt.datetime):  # noqa: ANN202
    return Response.filter(form_id__in=form_ids, submitted_at__gte=start, submitted_at__lt=end)


async def period_response_counts(form_ids: Iterable[str], start: dt.datetime,
                                 end: dt.datetime) -> dict[str, int]:
    ids = list(form_ids)
    rows = await _in_period(ids, start, end).annotate(n=Count("id")).group_by(
        "form_id").values_list("form_id", "n")
    return dict(rows)


async def indicator_answer_counts(form_keys: dict[str, list[str]], start: dt.datetime,
                                  end: dt.datetime) -> dict[str, dict[str, dict[str, int]]]:
    """Answers per form, question key and code within [start, end): one query serving
    every dimension of every form."""
    ids = list(form_keys)
    keys = sorted({key for keys in form_keys.values() for key in keys})
    if not ids or not keys:
        return {}
    rows = await Answer.filter(
        form_id__in=ids, question__in=keys, value__isnull=False,
        response_id__in=Subquery(_in_period(ids, start, end).values("id")),
    ).annotate(n=Count("id")).group_by("form_id", "question", "value").values_list(
        "form_id", "question", "value", "n")
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for form_id, question, value, n in rows:
        counts.setdefault(form_id, {}).setdefault(question, {})[value] = n
    return counts


async def case_counts(form_id: str, keys: list[str], unsatisfied_codes: list[str],
                      start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """(cases rated, cases rated unsatisfied) of a form within [start, end).

    A case is rated at most once per form (a unique constraint), so counting responses
    with a case code counts cases.
    """
    rated = _in_period([form_id], start, end).filter(case_code__isnull=False)
    cases = await rated.count()
    if not cases or not keys:
        return cases, 0
    unsatisfied = await rated.filter(id__in=Subquery(
        Answer.filter(form_id=form_id, question__in=keys, value__in=unsatisfied_codes)
        .values("response_id")
    )).count()
    return cases, unsatisfied


async def latest_response_at(form_ids: Iterable[str]) -> dt.datetime | None:
    """When the newest response of these forms arrived (for Last-Modified)."""
    row = await Response.filter(form_id__in=list(form_ids)).annotate(
        last=Max("submitted_at")).first().values_list("last", flat=True)
    return row if isinstance(row, dt.datetime) else None
