"""Segments ("only those who answered X"), counted live from the answer sheets.

A segment's figures need two questions' answers together, which no counter keeps:
keeping one per pair of answers would multiply every submission's writes. So a
segmented view is counted when it is asked for, from structures made for it:

- the ``answer_segment`` index (form, question, value, response) lists the segment's
  responses without reading the table;
- each of those responses' *answer sheet* (:mod:`vnform.sheets`: one row, a column per
  choice value, "answered" mark, number and date) is read by its key, and the sheets'
  columns are summed: no row of answers to sort, whatever the segment's size.

Medians need the segment's numbers in order: one small sorted read per number
question. On PostgreSQL the reads run with hash and merge joins off: with the
statistics a server without autovacuum may have, the planner would rather read whole
tables than follow the indexes. The pages say that a segmented view is counted live,
and how long it took.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from vnform.filters import Filters
from vnform.forms.spec import FormSpec
from vnform.sheets import ANSWERED, MARK_COLUMNS, MARKS, Layout
from vnform.store import reading
from vnform.store.sheets import number_column, sums_sql
from vnform.store.tallies import Figures, key_filters
from vnform.summary import NumberStats
from vnform.tallying import RESPONSES

__all__ = ["figures"]

#: Nested loops along the indexes: see the module's docstring.
PLANNER = ("enable_hashjoin = off", "enable_mergejoin = off")


async def figures(spec: FormSpec, filters: Filters, by_day: Sequence[str] = ()) -> Figures:
    """The figures of the responses of *spec* in *filters*' segment (and its dates,
    language and version), with the answers per day of the answer keys *by_day*, as of
    one moment: a few statements, none that sorts the segment's answers."""
    assert filters.segment is not None
    question, value = filters.segment
    clauses, narrowed_params = key_filters(filters, "p.")
    narrowed = "".join(f" AND {clause}" for clause in clauses)
    async with reading.snapshot(planner=PLANNER) as read:
        stored = await read("SELECT layout FROM form_tally WHERE form_id = ? AND shard = 0",
                            [spec.id])
        layout = Layout.from_json(stored[0][0] if stored else None)
        source = await _source(read, spec.id, layout, filters)

        def base(part: int) -> tuple[str, list[Any]]:
            sql, params = source(part)
            return sql + narrowed, [*params, *narrowed_params]

        # The totals in one plain sweep per part; the days, and the trends' answers per
        # day, in a sweep grouped by day that reads only their columns (grouping every
        # column would cost the totals' sweep again).
        derived = _derived_answered(spec)
        wanted = frozenset(by_day)
        totals: list[tuple[str, Any, list[Any]]] = []
        days: list[tuple[Any, ...]] = []
        per_day: dict[str, dict[dt.date, dict[str, int]]] = {}
        for part in range(layout.parts):
            sql, params = base(part)
            marks = _day_marks(layout, part, wanted)
            if part == 0 or marks:
                sums = [f"SUM(p.{column})" for column, _mark in marks]
                rows = await read(f"SELECT {', '.join(['p.day', 'COUNT(*)', *sums])} {sql} "
                                  "GROUP BY p.day ORDER BY p.day", params)
                if part == 0:
                    days = [(day, count) for day, count, *_sums in rows]
                for day, _count, *day_sums in rows:
                    for (_column, (key, value)), n in zip(marks, day_sums, strict=True):
                        if n and day:
                            per_day.setdefault(key, {}).setdefault(
                                dt.date.fromisoformat(str(day)), {})[value] = int(n)
            selects, meaning = sums_sql(layout, part, skip=derived)
            if not selects:
                continue
            (row,) = await read(f"SELECT {', '.join(selects)} {sql}", params)
            values = list(row)
            for kind, what in meaning:
                width = WIDTHS[kind]
                totals.append((kind, what, values[:width]))
                values = values[width:]
        medians = {}
        for kind, key, (count, *_rest) in totals:
            if kind == "number" and count:
                part, column = number_column(layout, key)
                n = int(count)
                sql, params = base(part)
                middle = await read(
                    f"SELECT p.{column} {sql} AND p.{column} IS NOT NULL "
                    f"ORDER BY p.{column} LIMIT ? OFFSET ?", [*params, 2 - n % 2, (n - 1) // 2])
                medians[key] = sum(float(v) for (v,) in middle) / len(middle)
    return replace(_figures(totals, medians, days, derived), by_day=per_day)


WIDTHS = {"mark": 1, "number": 4, "date": 3}


def _day_marks(layout: Layout, part: int, keys: frozenset[str]
               ) -> list[tuple[str, tuple[str, str]]]:
    """The value marks (column, (key, value)) of one part of the sheets that belong to
    *keys*."""
    return [(MARK_COLUMNS[i], mark)
            for i, mark in enumerate(layout.marks[part * MARKS:(part + 1) * MARKS])
            if mark[0] in keys and mark[1] != ANSWERED]


#: From this share of the form's responses on, a segment's sheets are read in one
#: sweep of the form's sheets (in key order) rather than one by one through the index.
SWEEP = 0.25


async def _source(read: Any, form_id: str, layout: Layout,
                  filters: Filters) -> Any:
    """A function giving, for a part of the sheets, the FROM and WHERE that select the
    segment's sheets: a sweep of the form's sheets on the segment's own mark when the
    segment is a large share of the form (and its sheets are one row), else the
    segment's responses from the ``answer_segment`` index, each sheet by its key."""
    from vnform.store.tallies import where

    question, value = filters.segment or ("", "")
    counted, params = where(form_id, Filters(filters.since, filters.until, filters.language,
                                             filters.version))
    share = await read(
        f"SELECT SUM(CASE WHEN question = ? AND value = ? THEN n ELSE 0 END), "
        f"SUM(CASE WHEN question = ? THEN n ELSE 0 END) FROM tally WHERE {counted} "
        "AND question IN (?, ?)", [question, value, RESPONSES, *params, question, RESPONSES])
    members, responses = (int(v or 0) for v in share[0])
    mark = (question, value)
    if layout.parts == 1 and mark in layout.marks and responses \
            and members >= SWEEP * responses:
        column = MARK_COLUMNS[layout.marks.index(mark)]
        return lambda part: ("FROM answer_sheet p WHERE p.form_id = ? AND p.part = ? "
                             f"AND p.{column} = 1", [form_id, part])
    return lambda part: (
        "FROM answer s JOIN answer_sheet p ON p.form_id = s.form_id "
        "AND p.response_id = s.response_id AND p.part = ? WHERE s.form_id = ? "
        "AND s.question = ? AND s.value = ?", [part, form_id, question, value])


def _derived_answered(spec: FormSpec) -> frozenset[str]:
    """Answer keys whose "answered" is the sum of their value marks (one value per
    response): summing their own mark would be one column more to add up."""
    return frozenset(key for q in spec.questions if q.choices and not q.multiple
                     for key in q.columns)


def _figures(totals: list[tuple[str, Any, list[Any]]], medians: dict[str, float],
             days: list[tuple[Any, ...]], derived: frozenset[str]) -> Figures:
    counts: dict[str, dict[str, int]] = {}
    answered: dict[str, int] = {}
    numbers: dict[str, NumberStats] = {}
    dates: dict[str, tuple[int, str | None, str | None]] = {}
    for kind, what, values in totals:
        if kind == "mark":
            key, mark = what
            n = int(values[0] or 0)
            if not n:
                continue
            if mark == ANSWERED:
                answered[key] = n
            else:
                counts.setdefault(key, {})[mark] = n
        elif kind == "number":
            n, total, low, high = values
            numbers[what] = (NumberStats(int(n), float(total) / int(n), medians[what],
                                         float(low), float(high)) if n
                             else NumberStats(0, None, None, None, None))
        else:
            n, low, high = values
            dates[what] = (int(n), low, high) if n else (0, None, None)
    for key in derived:
        if by_value := counts.get(key):
            answered[key] = sum(by_value.values())
    per_day = [(dt.date.fromisoformat(str(day)), int(n)) for day, n in days if day]
    return Figures(sum(n for _day, n in per_day), counts, answered, per_day, live=True,
                   numbers=numbers, dates=dates)
