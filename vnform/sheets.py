"""Answer sheets: each response's answers as one row, for segments counted live.

A segment ("only those who answered X") needs two questions' answers together, which
the tallies do not keep. Counted from the answer rows, a segment of half a form's
million responses is 8 million rows to group (seconds of sorting). Kept also as one
row per response, a *sheet*, with a column per mark, the same segment is a sum of
columns over its 460,000 rows, with nothing to sort.

A sheet has three kinds of columns:

- **marks** (0 or 1): one per choice value of each choice question or matrix row (the
  response gave it), and one per answer key (the response answered it);
- **numbers**: the value of each number question (for n, mean, median, lowest, highest);
- **dates**: the value of each date question (ISO text: for the earliest and latest).

A form's *layout* says which column holds what. It grows as versions add questions or
choices and never changes what a column already holds, so every version's sheets are
summed together. A sheet row has ``MARKS`` marks, ``NUMBERS`` numbers and ``DATES``
dates; a form whose layout needs more uses several rows per response (*parts*).
This module is pure: layouts, and the rows of a response's sheet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from vnform.answers import AnswerRow
from vnform.forms.spec import NUMBER_TYPES, FormSpec

MARKS = 96
NUMBERS = 8
DATES = 4
ANSWERED = ""

#: A sheet row: (part, marks, numbers, dates).
SheetRow = tuple[int, list[int], list[float | None], list[str | None]]
#: SQL names of a sheet row's columns (every part has them all: a part is a row).
MARK_COLUMNS = tuple(f"c{i}" for i in range(MARKS))
NUMBER_COLUMNS = tuple(f"x{i}" for i in range(NUMBERS))
DATE_COLUMNS = tuple(f"t{i}" for i in range(DATES))


@dataclass(frozen=True)
class Layout:
    """Which column of a form's sheets holds what: marks as (answer key, choice value,
    or "" for "answered"), numbers and dates as answer keys."""

    marks: tuple[tuple[str, str], ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()

    @property
    def parts(self) -> int:
        """Rows per response (at least one: it holds the response's day and language)."""
        return max(1, -(-len(self.marks) // MARKS), -(-len(self.numbers) // NUMBERS),
                   -(-len(self.dates) // DATES))

    def to_json(self) -> str:
        return json.dumps({"marks": self.marks, "numbers": self.numbers,
                           "dates": self.dates}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Layout:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(tuple((key, value) for key, value in data["marks"]),
                   tuple(data["numbers"]), tuple(data["dates"]))


def extended(layout: Layout, spec: FormSpec) -> Layout:
    """*layout* with a column for every answer of *spec* it lacks, appended in the form's
    order (columns already laid out keep their place)."""
    marks = list(layout.marks)
    numbers = list(layout.numbers)
    dates = list(layout.dates)
    have_marks, have_numbers, have_dates = set(marks), set(numbers), set(dates)

    def add(items: list, seen: set, item: object) -> None:
        if item not in seen:
            seen.add(item)
            items.append(item)

    for question in spec.questions:
        for key in question.columns:
            for choice in question.choices:
                add(marks, have_marks, (key, choice.value))
            add(marks, have_marks, (key, ANSWERED))
            if question.type in NUMBER_TYPES:
                add(numbers, have_numbers, key)
            elif question.type == "date":
                add(dates, have_dates, key)
    return Layout(tuple(marks), tuple(numbers), tuple(dates))


def sheet_rows(layout: Layout, rows: Iterable[AnswerRow]) -> list[SheetRow]:
    """The sheet of a response whose answer rows are *rows*, as *layout* lays it out.
    An answer the layout has no column for (none, when the layout was extended with
    the spec the answers were given to) is left off."""
    mark_at = {mark: i for i, mark in enumerate(layout.marks)}
    number_at = {key: i for i, key in enumerate(layout.numbers)}
    date_at = {key: i for i, key in enumerate(layout.dates)}
    parts = layout.parts
    marks = [0] * (parts * MARKS)
    numbers: list[float | None] = [None] * (parts * NUMBERS)
    dates: list[str | None] = [None] * (parts * DATES)
    for row in rows:
        for mark in ((row.question, ANSWERED), (row.question, row.value)):
            if (i := mark_at.get(mark)) is not None:  # type: ignore[arg-type]
                marks[i] = 1
        if (i := number_at.get(row.question)) is not None:
            numbers[i] = row.number
        if (i := date_at.get(row.question)) is not None:
            dates[i] = row.value
    return [(part, marks[part * MARKS:(part + 1) * MARKS],
             numbers[part * NUMBERS:(part + 1) * NUMBERS],
             dates[part * DATES:(part + 1) * DATES]) for part in range(parts)]

