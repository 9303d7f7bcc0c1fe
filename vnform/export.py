"""Exports: responses as CSV, XLSX or JSON Lines, streamed batch by batch.

Columns are stable across versions of a form: the current version's answer keys in
order, then keys that only older versions had, so a column never moves because a
later version dropped a question. Every format a spreadsheet opens has formula-like
text neutralised (OWASP CSV injection).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import re
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from vnform.answers import StoredResponse, join_values
from vnform.forms.spec import FormSpec, Question, Row, Text
from vnform.i18n import translations
from vnform.turns import give_way

FIXED_COLUMNS = ("response_id", "submitted_at", "language", "form_version")
BOM = "\ufeff"
FORMATS = ("csv", "xlsx", "jsonl")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
# OWASP "CSV injection": spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def neutralise(cell: str) -> str:
    """Prefix a text cell a spreadsheet would read as a formula with ``'``; numbers stay."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


@dataclass(frozen=True)
class Column:
    """One answer column: its key, the question it comes from, the versions it is in."""

    key: str
    question: Question
    row: Row | None
    versions: tuple[str, ...]

    def label(self, value: str, lang: str) -> str:
        choice = self.question.choice(value)
        return value if choice is None else in_language(choice.label, lang)


def columns(current: FormSpec, older: Sequence[FormSpec] = ()) -> list[Column]:
    """Answer columns of a form across its versions (*older* newest first)."""
    specs = [current, *older]
    found: dict[str, tuple[Question, Row | None]] = {}
    versions: dict[str, list[str]] = {}
    for spec in specs:
        for question in spec.questions:
            rows: list[Row | None] = list(question.rows) if question.type == "matrix" else [None]
            for row in rows:
                key = f"{question.id}.{row.id}" if row else question.id
                found.setdefault(key, (question, row))
                versions.setdefault(key, []).append(spec.version)
    return [Column(key, q, row, tuple(versions[key])) for key, (q, row) in found.items()]


def answer_columns(current: FormSpec, older: Sequence[FormSpec] = ()) -> list[str]:
    return [column.key for column in columns(current, older)]


def _values(response: StoredResponse, column: Column, labels: str | None) -> list[str]:
    values = response.answers.get(column.key, [])
    return [column.label(v, labels) for v in values] if labels else list(values)


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def text_row(response: StoredResponse, cols: Sequence[Column],
             labels: str | None = None) -> list[str]:
    """A response as text cells: fixed columns, then one cell per answer column."""
    cells = [str(response.id), _utc(response.submitted_at), response.language, response.version]
    if labels:
        cells.extend(join_values(_values(response, column, labels)) for column in cols)
    else:  # the codes as stored (the common case, and a hot loop: no copies)
        answers = response.answers
        cells.extend(join_values(answers.get(column.key, ())) for column in cols)
    return cells


Batches = AsyncIterable[list[StoredResponse]]


async def csv_stream(cols: Sequence[Column], batches: Batches, *, excel: bool = False,
                     labels: str | None = None,
                     counted: Callable[[int], None] | None = None) -> AsyncIterator[str]:
    """CSV text, one chunk per batch of responses (memory stays flat)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED_COLUMNS, *(c.key for c in cols)])
    yield (BOM if excel else "") + _drain(buffer)
    async for batch in batches:
        writer.writerows([neutralise(cell) for cell in text_row(r, cols, labels)]
                         for r in batch)
        if counted:
            counted(len(batch))
        yield _drain(buffer)


async def jsonl_stream(cols: Sequence[Column], batches: Batches, *, labels: str | None = None,
                       counted: Callable[[int], None] | None = None) -> AsyncIterator[str]:
    """One JSON object per line and response; multiple choice as a list, unanswered as null.

    JSON Lines is read by programs, not spreadsheets, so values are exact (not neutralised).
    """
    for_key = {c.key: c for c in cols}
    async for batch in batches:
        lines = []
        for response in batch:
            answers: dict[str, object] = {}
            for key, column in for_key.items():
                values = _values(response, column, labels)
                if not values:
                    answers[key] = None
                else:
                    answers[key] = values if column.question.multiple else values[0]
            lines.append(json.dumps({
                "response_id": response.id, "submitted_at": _utc(response.submitted_at),
                "language": response.language, "form_version": response.version,
                "answers": answers,
            }, ensure_ascii=False) + "\n")
        if counted:
            counted(len(batch))
        yield "".join(lines)


async def xlsx_stream(cols: Sequence[Column], batches: Batches, *, labels: str | None = None,
                      sheet_title: str = "responses",
                      dictionary: Sequence[Sequence[str]] = (),
                      counted: Callable[[int], None] | None = None) -> AsyncIterator[bytes]:
    """An XLSX workbook built with openpyxl's write-only mode (rows go to a temporary
    file, not memory), then sent in chunks. Numbers are numeric cells. The rows of a
    *dictionary* (:mod:`vnform.dictionary`) go on a second sheet, "dictionary", so that
    the workbook explains its own columns."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([*FIXED_COLUMNS, *(c.key for c in cols)])
    # Numbers stay numeric cells; a scale's points become text when written as labels.
    numeric = [c.question.numeric and not c.question.multiple
               and not (labels and c.question.choices) for c in cols]
    async for batch in batches:
        for response in batch:
            cells = text_row(response, cols, labels)
            row: list[object] = [response.id, cells[1], cells[2], cells[3]]
            for is_number, text in zip(numeric, cells[4:], strict=True):
                row.append(_number(text) if is_number and _NUMBER.fullmatch(text) else
                           _text_cell(sheet, text, WriteOnlyCell))
            sheet.append(row)
        if counted:
            counted(len(batch))
    if dictionary:
        explained = workbook.create_sheet(title="dictionary")
        for cells in dictionary:
            explained.append([_text_cell(explained, cell, WriteOnlyCell) for cell in cells])
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        # Zipping the sheets takes seconds for a big form: on a thread, so that the
        # event loop goes on serving citizens meanwhile (zlib lets go of the GIL).
        await asyncio.to_thread(workbook.save, spool)
        spool.seek(0)
        while chunk := await asyncio.to_thread(spool.read, 1024 * 1024):
            yield chunk


async def in_turns(batches: Batches, size: int = 100) -> Batches:
    """*batches* cut into slices of at most *size* responses, letting other tasks run
    between slices (citizens' first, :mod:`vnform.turns`): an export formats rows on the
    server's one event loop, and a citizen sending answers then waits for a slice at
    most, not for a whole batch."""
    async for batch in batches:
        for start in range(0, len(batch), size):
            yield batch[start:start + size]
            await asyncio.sleep(0)
            await give_way()


def _number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def _text_cell(sheet: object, text: str, cell_type: type) -> object:
    # openpyxl stores any string starting with "=" as a formula: neutralise, and mark
    # the cell as a string so nothing else is interpreted either.
    cell = cell_type(sheet, value=neutralise(text))
    cell.data_type = "s"
    return cell


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def in_language(text: Text, lang: str) -> str:
    """Form text in *lang*; interface texts (yes/no…) through the catalogue."""
    if not text.values and text.msgid:
        return translations(lang).gettext(text.msgid)
    return text.get(lang)


def file_name(form_id: str, day: dt.date, extension: str, suffix: str = "") -> str:
    """``<form>-<date>[-suffix].<ext>``: sortable, and ASCII because form ids are slugs."""
    return f"{form_id}-{day.isoformat()}{suffix}.{extension}"
