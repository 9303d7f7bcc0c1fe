"""Exports: responses as CSV, streamed batch by batch, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence

from vnform.answers import join_values
from vnform.spec import FormSpec
from vnform.store import StoredResponse

FIXED_COLUMNS = ("response_id", "submitted_at", "language", "form_version")
BOM = "\ufeff"
# OWASP "CSV injection": spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def neutralise(cell: str) -> str:
    """Prefix a text cell a spreadsheet would read as a formula with ``'``; numbers stay."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def answer_columns(current: FormSpec, older: Iterable[FormSpec] = ()) -> list[str]:
    """Answer columns: the current version's order, then questions later versions retired.

    A column keeps its name across versions, so files of different dates line up.
    """
    columns = list(current.columns)
    seen = set(columns)
    for spec in older:
        for column in spec.columns:
            if column not in seen:
                columns.append(column)
                seen.add(column)
    return columns


def csv_row(response: StoredResponse, columns: Sequence[str]) -> list[str]:
    cells = [
        str(response.id),
        _utc(response.submitted_at),
        response.language,
        response.version,
    ]
    cells.extend(join_values(response.answers.get(column, ())) for column in columns)
    return [neutralise(cell) for cell in cells]


async def csv_stream(
    columns: Sequence[str], batches: AsyncIterable[list[StoredResponse]], excel: bool = False
) -> AsyncIterator[str]:
    """The CSV text, one chunk per batch of responses (memory stays flat)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIXED_COLUMNS, *columns])
    yield (BOM if excel else "") + _drain(buffer)
    async for batch in batches:
        writer.writerows(csv_row(response, columns) for response in batch)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
