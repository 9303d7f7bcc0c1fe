"""Segments ("only those who answered X"), counted live from the raw answers.

A segment's figures need the joint distribution of two questions' answers, which no
counter keeps: adding one per pair of answers would multiply every submission's
writes by the number of questions. So a segmented view is counted when it is asked
for, through the index made for it: ``answer_segment`` (form, question, value,
response) lists the segment's responses without reading the table, and
``answer_response`` (response, question, value) gives each one's answers the same way.
On PostgreSQL the reads run with hash and merge joins off: with the statistics a
server without autovacuum may have, the planner misjudges how many answers a response
has and would rather read the whole answer table.

The pages say that a segmented view is counted live, and how long it took.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from vnform.filters import Filters
from vnform.spec import FormSpec
from vnform.store import reading
from vnform.store.responses import response_where
from vnform.store.tallies import Figures, day_sql

__all__ = ["figures"]

#: Nested loops along the indexes: see the module's docstring.
PLANNER = ("enable_hashjoin = off", "enable_mergejoin = off")


async def figures(spec: FormSpec, filters: Filters, tz: ZoneInfo) -> Figures:
    """The figures of the responses of *spec* in *filters*' segment (and its dates,
    language and version): three statements, as of one moment."""
    assert filters.segment is not None
    question, value = filters.segment
    where, params = response_where(spec.id, Filters(
        filters.since, filters.until, filters.language, filters.version), tz)
    # From the segment's answers (the answer_segment index) to its responses' times,
    # and to their other answers (the answer_response index).
    segment = "s.form_id = ? AND s.question = ? AND s.value = ?"
    segment_params: list[Any] = [spec.id, question, value]
    narrowed = bool(filters.since or filters.until or filters.language or filters.version)
    condition = f"{segment} AND {where}" if narrowed else segment
    condition_params = [*segment_params, *params] if narrowed else segment_params
    answers = ("answer s JOIN answer a ON a.response_id = s.response_id"
               + (" JOIN response r ON r.id = s.response_id" if narrowed else ""))
    multiple = [q.id for q in spec.questions if q.multiple]
    async with reading.snapshot(planner=PLANNER) as read:
        span = await read("SELECT MIN(submitted_at), MAX(submitted_at) FROM response "
                          "WHERE form_id = ?", [spec.id])
        first, last = (_aware(v) for v in span[0]) if span and span[0][0] else (None, None)
        day = day_sql(read.sqlite, tz, first, last)
        days = await read(
            f"SELECT {day} AS day, COUNT(*) FROM answer s JOIN response r "
            f"ON r.id = s.response_id WHERE {segment} AND {where} GROUP BY day ORDER BY day",
            [*segment_params, *params])
        counted = await read(f"SELECT a.question, a.value, COUNT(*) FROM {answers} "
                             f"WHERE {condition} GROUP BY a.question, a.value",
                             condition_params)
        # A multiple-choice answer has a row per value: its respondents are counted apart.
        several = await read(
            f"SELECT a.question, COUNT(DISTINCT a.response_id) FROM {answers} "
            f"WHERE {condition} AND a.question IN ({', '.join('?' * len(multiple))}) "
            "GROUP BY a.question", [*condition_params, *multiple]) if multiple else []
    counts: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    for key, answer, n in counted:
        answered[key] = answered.get(key, 0) + int(n)  # one row per response, or a text
        if answer is not None:
            counts.setdefault(key, {})[answer] = int(n)
    answered.update({key: int(n) for key, n in several})
    per_day = [(dt.date.fromisoformat(str(d)), int(n)) for d, n in days if d]
    return Figures(sum(n for _d, n in per_day), counts, answered, per_day, live=True)


def _aware(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
