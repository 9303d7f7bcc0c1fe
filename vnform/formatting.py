"""Figures as a reader of the page's language writes them, from Babel's CLDR data:
``3,64``, ``58,8 %``, ``3.004``, ``Quý IV/2026`` in Vietnamese; ``3.64``, ``58.8%``,
``3,004``, ``Q4 2026`` in English. Dates read ``dd/mm/yyyy`` in both.

Only what people read goes through here (pages, the human parts of exports). Machine
outputs (CSV values, JSON, the API) keep their plain machine formats."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from babel.dates import format_date
from babel.numbers import format_decimal

__all__ = ["day", "decimal", "integer", "integers_in", "percent", "period", "stored_number"]

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")
_DIGITS = re.compile(r"\d+")


def _locale(lang: str) -> str:
    return "vi" if lang == "vi" else "en"


def decimal(value: float, lang: str, digits: int = 2, *, sign: bool = False,
            trim: bool = False) -> str:
    """*value* with *digits* decimals (*trim*: without trailing zeros), grouped, and
    rounded half up as on paper (25,05 → 25,1), not to even as Babel does by default."""
    places = "#" * digits if trim else "0" * digits
    pattern = "#,##0" + (f".{places}" if digits else "")
    if sign:
        pattern = f"+{pattern};-{pattern}"
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        text = format_decimal(value, format=pattern, locale=_locale(lang))
    if text[:1] in "+-" and not any(c in "123456789" for c in text):
        return text[1:]  # a value that rounds to zero has no sign, even a change
    return text


def integer(value: int, lang: str) -> str:
    """A count, grouped: ``3.004`` (vi), ``3,004`` (en)."""
    return format_decimal(value, format="#,##0", locale=_locale(lang))


def integers_in(text: str, lang: str) -> str:
    """Every run of digits of *text* as a grouped count (``< 5``, ``12345``)."""
    return _DIGITS.sub(lambda found: integer(int(found.group()), lang), text)


def percent(value: float, lang: str, digits: int = 1, *, sign: bool = False) -> str:
    """A share in percentage points: ``58,8 %`` (vi, a no-break space), ``58.8%`` (en)."""
    number = decimal(value, lang, digits, sign=sign)
    return f"{number}\u00a0%" if lang == "vi" else f"{number}%"


def stored_number(text: str, lang: str) -> str:
    """A number as answers store it (``1500000``, ``12.5``) as the reader writes it
    (``1.500.000``, ``12,5``), every digit kept; any other text is kept as it is."""
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        return str(text)
    if not number.is_finite():
        return str(text)
    digits = max(0, -number.as_tuple().exponent)  # type: ignore[operator]
    return decimal(number, lang, digits, trim=True)  # type: ignore[arg-type]


def day(value: dt.date | str | None) -> str:
    """A date as ``dd/mm/yyyy`` (an ISO text is read first; anything else is kept)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def period(label: str, lang: str) -> str:
    """An indicator period (``2026-Q4``, ``2026-11``, ``2026``) in words:
    ``Quý IV/2026``, ``Tháng 11/2026``, ``Năm 2026`` (vi); ``Q4 2026``,
    ``November 2026``, ``2026`` (en). Anything else is kept as it is."""
    if found := _QUARTER.fullmatch(label):
        year, quarter = found.group(1), int(found.group(2))
        return f"Quý {_ROMAN[quarter]}/{year}" if lang == "vi" else f"Q{quarter} {year}"
    if (found := _MONTH.fullmatch(label)) and 1 <= int(found.group(2)) <= 12:
        year, month = int(found.group(1)), int(found.group(2))
        if lang == "vi":
            return f"Tháng {month}/{year}"
        return format_date(dt.date(year, month, 1), "MMMM yyyy", locale="en")
    if _YEAR.fullmatch(label):
        return f"Năm {label}" if lang == "vi" else label
    return label
