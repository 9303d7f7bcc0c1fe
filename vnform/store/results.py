"""Results for the dashboard: counts and statistics computed in SQL, never by loading
every response into Python."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pypika_tortoise.terms import Function as SqlFunction
from pypika_tortoise.terms import LiteralValue
from tortoise import connections
from tortoise.expressions import Function, Subquery
from tortoise.functions import Avg, Count, Max, Min
from tortoise.queryset import QuerySet

from vnform.answers import StoredResponse
from vnform.filters import Filters
from vnform.models import Answer, Response
from vnform.store.responses import filtered_responses

__all__ = [
    "FormActivity", "NumberStats", "answer_counts", "answered_counts", "filtered_total",
    "form_activity", "latest_texts", "number_stats", "response_detail", "response_page",
    "responses_per_day", "value_range", "version_list",
]


class _SqliteDate(SqlFunction):
    def __init__(self, term: object, modifier: str, alias: str | None = None) -> None:
        super().__init__("date", term, modifier, alias=alias)


class _SqliteLocalDay(Function):
    """The local calendar day of a UTC timestamp: SQLite's ``date(t, '+N minutes')``."""

    database_func = _SqliteDate


class _PostgresDate(SqlFunction):
    def __init__(self, term: object, zone: str, alias: str | None = None) -> None:
        # The zone is written into the SQL, not bound: PostgreSQL would see two bound
        # parameters (select list, GROUP BY) as two different expressions. Zone names
        # come from ZoneInfo and are checked here.
        if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
            raise ValueError(f"unexpected time zone name {zone!r}")
        super().__init__("date", SqlFunction("timezone", LiteralValue(f"'{zone}'"), term),
                         alias=alias)


class _PostgresLocalDay(Function):
    """The local calendar day of a timestamp: PostgreSQL's ``date(timezone(zone, t))``,
    which also follows a zone's daylight-saving changes."""

    database_func = _PostgresDate


def _local_day(tz: ZoneInfo) -> Function:
    if connections.get("default").capabilities.dialect == "postgres":
        return _PostgresLocalDay("submitted_at", tz.key)
    offset = tz.utcoffset(dt.datetime.now()) or dt.timedelta()
    return _SqliteLocalDay("submitted_at", f"{int(offset.total_seconds() // 60):+d} minutes")


def _answers(form_id: str, filters: Filters, tz: ZoneInfo) -> QuerySet[Answer]:
    query = Answer.filter(form_id=form_id)
    if filters.active:
        query = query.filter(
            response_id__in=Subquery(filtered_responses(form_id, filters, tz).values("id"))
        )
    return query


@dataclass(frozen=True)
class FormActivity:
    total: int = 0
    last_7_days: int = 0
    last_at: dt.datetime | None = None


async def form_activity(form_ids: Iterable[str]) -> dict[str, FormActivity]:
    """Responses in all, in the last 7 days, and the latest time, per form: two queries."""
    ids = list(form_ids)
    week_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    totals = await Response.filter(form_id__in=ids).annotate(
        n=Count("id"), last=Max("submitted_at")
    ).group_by("form_id").values_list("form_id", "n", "last")
    recent = dict(await Response.filter(form_id__in=ids, submitted_at__gte=week_ago).annotate(
        n=Count("id")
    ).group_by("form_id").values_list("form_id", "n"))
    return {form_id: FormActivity(n, recent.get(form_id, 0), _aware(last))
            for form_id, n, last in totals}


async def filtered_total(form_id: str, filters: Filters, tz: ZoneInfo) -> int:
    return await filtered_responses(form_id, filters, tz).count()


async def responses_per_day(form_id: str, filters: Filters,
                            tz: ZoneInfo) -> list[tuple[dt.date, int]]:
    """(local day, responses) for each day that has any, oldest first."""
    rows = await filtered_responses(form_id, filters, tz).annotate(
        day=_local_day(tz)
    ).group_by("day").annotate(n=Count("id")).order_by("day").values_list("day", "n")
    return [(dt.date.fromisoformat(str(day)), n) for day, n in rows if day]


async def answer_counts(form_id: str, filters: Filters,
                        tz: ZoneInfo) -> dict[str, dict[str, int]]:
    """Answers per question and value, for every counted question at once."""
    rows = await _answers(form_id, filters, tz).filter(value__isnull=False).annotate(
        n=Count("id")
    ).group_by("question", "value").values_list("question", "value", "n")
    counts: dict[str, dict[str, int]] = {}
    for question, value, n in rows:
        counts.setdefault(question, {})[value] = n
    return counts


async def answered_counts(form_id: str, filters: Filters, tz: ZoneInfo) -> dict[str, int]:
    """Responses that answered each question (multiple choice counts a response once)."""
    rows = await _answers(form_id, filters, tz).annotate(
        n=Count("response_id", distinct=True)
    ).group_by("question").values_list("question", "n")
    return dict(rows)


@dataclass(frozen=True)
class NumberStats:
    n: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None


async def number_stats(form_id: str, question: str, filters: Filters,
                       tz: ZoneInfo) -> NumberStats:
    """n, mean, median, min and max of a numeric question's answers."""
    query = _answers(form_id, filters, tz).filter(question=question, number__isnull=False)
    row = await query.annotate(
        n=Count("id"), mean=Avg("number"), low=Min("number"), high=Max("number")
    ).first().values_list("n", "mean", "low", "high")
    n, mean, low, high = row if row else (0, None, None, None)
    if not n:
        return NumberStats(0, None, None, None, None)
    middle = await query.order_by("number").offset((n - 1) // 2).limit(2 - n % 2).values_list(
        "number", flat=True
    )
    median = sum(middle) / len(middle)
    return NumberStats(n, mean, median, low, high)


async def value_range(form_id: str, question: str, filters: Filters,
                      tz: ZoneInfo) -> tuple[int, str | None, str | None]:
    """How many answered, and the lowest and highest value (ISO dates sort as text)."""
    row = await _answers(form_id, filters, tz).filter(
        question=question, value__isnull=False
    ).annotate(n=Count("id"), low=Min("value"), high=Max("value")).first().values_list(
        "n", "low", "high"
    )
    return row if row and row[0] else (0, None, None)


async def latest_texts(form_id: str, question: str, filters: Filters, tz: ZoneInfo,
                       page: int = 1, per_page: int = 10
                       ) -> tuple[list[tuple[int, str]], int]:
    """A page of free-text answers, newest first, and how many there are."""
    query = _answers(form_id, filters, tz).filter(question=question, text__isnull=False)
    total = await query.count()
    rows = await query.order_by("-response_id").offset((page - 1) * per_page).limit(
        per_page
    ).values_list("response_id", "text")
    return [(response_id, text) for response_id, text in rows], total


async def response_page(form_id: str, filters: Filters, tz: ZoneInfo, page: int = 1,
                        per_page: int = 50) -> tuple[list[tuple[int, dt.datetime, str, str]],
                                                     int]:
    """A page of responses (id, time, language, version), newest first, and the total."""
    query = filtered_responses(form_id, filters, tz)
    total = await query.count()
    rows = await query.order_by("-id").offset((page - 1) * per_page).limit(per_page).values_list(
        "id", "submitted_at", "language", "form_version"
    )
    return [(i, _aware(at), lang, version) for i, at, lang, version in rows], total


async def response_detail(form_id: str, response_id: int) -> StoredResponse | None:
    head = await Response.filter(form_id=form_id, id=response_id).first().values_list(
        "id", "submitted_at", "language", "form_version"
    )
    if head is None:
        return None
    answers: dict[str, list[str]] = {}
    for question, value, text in await Answer.filter(response_id=response_id).order_by(
        "id"
    ).values_list("question", "value", "text"):
        answers.setdefault(question, []).append(value if value is not None else text or "")
    return StoredResponse(head[0], _aware(head[1]), head[2], head[3], answers)


async def version_list(form_id: str) -> list[str]:
    """Versions that have responses, newest first."""
    rows = await Response.filter(form_id=form_id).annotate(first=Min("id")).group_by(
        "form_version"
    ).order_by("-first").values_list("form_version", flat=True)
    return list(rows)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment
