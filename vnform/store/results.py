"""What officials read about a form's responses: figures, lists, one response.

Figures come from the tallies (:mod:`vnform.store.tallies`), or for a segment from a
live count (:mod:`vnform.store.segments`); lists page through the raw rows by index.
Everything here reads through the officials' connections (:mod:`vnform.store.reading`),
never the one citizens' answers are written through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from vnform.answers import StoredResponse
from vnform.filters import Filters
from vnform.forms.spec import NUMBER_TYPES, FormSpec
from vnform.models import Answer, Response
from vnform.store import reading, segments, tallies
from vnform.store.database import aware
from vnform.store.responses import response_where
from vnform.summary import number_stats, value_range
from vnform.tallying import ANSWERED, RESPONSES
from vnform.trends import trend_keys

__all__ = [
    "FormActivity", "answered_count", "find_reference", "form_activity", "latest_texts",
    "response_detail", "response_page", "results", "version_list",
]


@dataclass(frozen=True)
class FormActivity:
    total: int = 0
    last_7_days: int = 0
    last_at: dt.datetime | None = None


async def form_activity(form_ids: Iterable[str], tz: ZoneInfo) -> dict[str, FormActivity]:
    """Responses in all, on the last 7 local days (today included), and the newest
    time, per form: two small queries on the counters."""
    ids = list(form_ids)
    totals = await tallies.form_totals(ids)
    week = dt.datetime.now(tz).date() - dt.timedelta(days=6)
    recent = await tallies.recent_responses(ids, week)
    return {form_id: FormActivity(total.responses, recent.get(form_id, 0), total.last_at)
            for form_id, total in totals.items()}


async def results(spec: FormSpec, filters: Filters, trends: bool = True) -> tallies.Figures:
    """The figures of a results view, with the answers per day of its scale questions
    (their trends, unless not *trends*): from the counters (numbers and dates from their
    histograms), or counted live for a segment."""
    keys = trend_keys(spec) if trends else []
    if filters.segment:
        return await segments.figures(spec, filters, keys)
    found = await tallies.figures(spec.id, filters, keys)
    return replace(
        found,
        numbers={q.id: number_stats(found.counts.get(q.id, {}))
                 for q in spec.questions if q.type in NUMBER_TYPES},
        dates={q.id: value_range(found.counts.get(q.id, {}))
               for q in spec.questions if q.type == "date"})


def _segment_join(form_id: str, filters: Filters, tz: ZoneInfo) -> tuple[str, str, list[Any]]:
    """FROM and WHERE that start from a segment's answers (the ``answer_segment`` index)
    and reach the other filters' columns by the response's key."""
    assert filters.segment is not None
    question, value = filters.segment
    where, params = response_where(form_id, Filters(
        filters.since, filters.until, filters.language, filters.version), tz)
    return ("answer s JOIN response r ON r.id = s.response_id",
            f"s.form_id = ? AND s.question = ? AND s.value = ? AND {where}",
            [form_id, question, value, *params])


async def answered_count(form_id: str, key: str, filters: Filters, tz: ZoneInfo) -> int:
    """Responses under *filters* that answered *key* (a counter; live for a segment)."""
    if filters.segment:
        joined, where, params = _segment_join(form_id, filters, tz)
        rows = await reading.fetch(
            f"SELECT COUNT(DISTINCT a.response_id) FROM {joined} JOIN answer a "
            f"ON a.response_id = s.response_id AND a.question = ? WHERE {where}",
            [key, *params])
        return int(rows[0][0])
    where, params = tallies.where(form_id, filters)
    rows = await reading.fetch(  # all of a key's counters add up to who answered it
        f"SELECT SUM(n) FROM tally WHERE {where} AND question = ?", [*params, key])
    return int(rows[0][0] or 0)


async def latest_texts(form_id: str, question: str, filters: Filters, tz: ZoneInfo,
                       page: int = 1, per_page: int = 10, total: int | None = None
                       ) -> tuple[list[tuple[int, str]], int]:
    """A page of free-text answers, newest first, and how many there are (*total*, when
    the caller has it already: a results view counted them).

    The answers are read backwards along the ``answer_segment`` index (form, question,
    no value, response), each response checked against the filters by its key: a page
    costs about its rows, not the form's size."""
    if total is None:
        total = await answered_count(form_id, question, filters, tz)
    if not total:
        return [], 0
    sql = "SELECT a.response_id, a.text FROM answer a"
    where = "a.form_id = ? AND a.question = ? AND a.value IS NULL AND a.text IS NOT NULL"
    params: list[Any] = [form_id, question]
    if filters.active:
        covered, more = response_where(form_id, filters, tz)
        sql += " JOIN response r ON r.id = a.response_id"
        where += f" AND {covered}"
        params += more
    rows = await reading.fetch(
        f"{sql} WHERE {where} ORDER BY a.response_id DESC LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page])
    return [(int(response_id), text) for response_id, text in rows], total


async def response_page(form_id: str, filters: Filters, tz: ZoneInfo, page: int = 1,
                        per_page: int = 50) -> tuple[list[tuple[int, dt.datetime, str, str]],
                                                     int]:
    """A page of responses (id, time, language, version), newest first, and the total."""
    if filters.segment:
        joined, where, params = _segment_join(form_id, filters, tz)
        total = int((await reading.fetch(
            f"SELECT COUNT(*) FROM {joined} WHERE {where}", params))[0][0])
    else:
        where, params = tallies.where(form_id, filters)
        total = int((await reading.fetch(
            f"SELECT SUM(n) FROM tally WHERE {where} AND question = ? AND value = ?",
            [*params, RESPONSES, ANSWERED]))[0][0] or 0)
    where, params = response_where(form_id, filters, tz)
    rows = await reading.fetch(
        "SELECT r.id, r.submitted_at, r.language, r.form_version FROM response r "
        f"WHERE {where} ORDER BY r.id DESC LIMIT ? OFFSET ?",
        [*params, per_page, (page - 1) * per_page])
    return [(int(i), aware(at), lang, version) for i, at, lang, version in rows], total


async def response_detail(form_id: str, response_id: int,
                          officials: bool = True) -> StoredResponse | None:
    """One response as stored; *officials* read through their connections, a citizen's
    page (checking a resent form) through the writer's."""
    if not officials:
        head = await Response.filter(form_id=form_id, id=response_id).first().values_list(
            "id", "submitted_at", "language", "form_version")
        rows = await Answer.filter(response_id=response_id).order_by("id").values_list(
            "question", "value", "text") if head else []
    else:
        heads = await reading.fetch(
            "SELECT id, submitted_at, language, form_version, reference_code FROM response "
            "WHERE form_id = ? AND id = ?", [form_id, response_id])
        head = heads[0] if heads else None
        rows = await reading.fetch(
            "SELECT question, value, text FROM answer WHERE response_id = ? ORDER BY id",
            [response_id]) if head else []
    if head is None:
        return None
    answers: dict[str, list[str]] = {}
    for question, value, text in rows:
        answers.setdefault(question, []).append(value if value is not None else text or "")
    return StoredResponse(int(head[0]), aware(head[1]), head[2], head[3], answers,
                          head[4] if len(head) > 4 else None)


#: Responses one lookup of a code reads at most: a code names one response, rarely a few
#: (40 bits among millions), never this many.
MOST_SHARING_A_CODE = 20


async def find_reference(code: str) -> list[tuple[int, str]]:
    """(response id, form id) of the responses stored with reference *code* (as stored:
    :func:`vnform.references.parse`), oldest first, whichever their form: the caller
    keeps those the official may see."""
    rows = await reading.fetch(
        "SELECT id, form_id FROM response WHERE reference_code = ? ORDER BY id LIMIT ?",
        [code, MOST_SHARING_A_CODE])
    return [(int(response_id), str(form_id)) for response_id, form_id in rows]


async def version_list(form_id: str) -> list[str]:
    """Versions that have responses, newest first (from the counters)."""
    rows = await reading.fetch(
        "SELECT t.form_version FROM tally t LEFT JOIN form_version v "
        "ON v.form_id = t.form_id AND v.version = t.form_version "
        "WHERE t.form_id = ? AND t.question = ? AND t.value = ? "
        "GROUP BY t.form_version ORDER BY COALESCE(MAX(v.id), 0) DESC, t.form_version",
        [form_id, RESPONSES, ANSWERED])
    return [row[0] for row in rows]
