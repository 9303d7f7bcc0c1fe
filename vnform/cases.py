"""Case codes (mã hồ sơ): checking one, and reading a list of them from a CSV file.

Pure, so the command line and the API accept exactly the same codes.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable

#: The width of ``invitation.case_code`` and ``response.case_code``.
MAX_LENGTH = 100
#: A first row with one of these in its first column names the column and is skipped.
HEADERS = frozenset({"case", "ma_ho_so"})


class CaseCodeError(ValueError):
    """A case code that cannot be stored; the message says why, for the person who typed it."""


def clean_case_code(text: str) -> str:
    """*text* trimmed and in Unicode NFC (so a code typed on two systems matches itself),
    or :class:`CaseCodeError` when it is empty, too long or holds control characters."""
    code = unicodedata.normalize("NFC", text.strip())
    if not code:
        raise CaseCodeError("empty case code")
    if len(code) > MAX_LENGTH:
        raise CaseCodeError(
            f"case code longer than {MAX_LENGTH} characters ({len(code)}): {code[:20]}…")
    # Tabs and line breaks would break the tab-separated output and exported CSV cells.
    if any(unicodedata.category(char) == "Cc" for char in code):
        raise CaseCodeError(f"case code with a control character: {code!r}")
    return code


def read_case_csv(text: str) -> list[str]:
    """The case codes in the first column of a CSV text, in order and cleaned.

    A byte-order mark (as Excel writes) and a header row ``case`` or ``ma_ho_so`` are
    skipped, so are blank lines. A bad code raises :class:`CaseCodeError` naming its line.
    """
    codes: list[str] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    first = True
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if first and row[0].strip().lower() in HEADERS:
            first = False
            continue
        first = False
        try:
            codes.append(clean_case_code(row[0]))
        except CaseCodeError as exc:
            raise CaseCodeError(f"line {reader.line_num}: {exc}") from None
    return codes


def unique(codes: Iterable[str]) -> list[str]:
    """*codes* without repeats, in the order first given."""
    return list(dict.fromkeys(codes))
