"""Turning what a citizen typed into a clean answer, or a message that says how to fix it.

Pure functions: each cleaner takes the raw text and the question's rules and returns
the canonical string to store, or raises :class:`Invalid` with the rule that failed
and the values its message needs. Messages are worded in :mod:`vnform.formbuild`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from vnform.forms.spec import Question, Rules


class Invalid(ValueError):
    """An answer broke *rule*; *params* fill the message."""

    def __init__(self, rule: str, **params: object) -> None:
        super().__init__(rule)
        self.rule = rule
        self.params = params


_INTEGER = re.compile(r"-?\d{1,15}")
_DECIMAL = re.compile(r"-?\d{1,15}(?:[.,]\d{1,10})?")
# A practical address check (HTML's own definition, WHATWG "valid e-mail address").
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+"
)
# Vietnamese numbers after normalising to the national form: mobiles have 10 digits
# (03, 05, 07, 08, 09), landlines 11 (02 + area code + subscriber).
# ASCII digits only: the stored number must be the canonical one, never "09١٢...".
_PHONE = re.compile(r"0(?:[35789]\d{8}|2\d{9})", re.ASCII)
_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# Control characters (NUL, escapes, C1 codes) are never part of an answer; tab and
# line breaks are.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(raw: str, rules: Rules) -> str:
    text = _CONTROL.sub("", raw).strip()
    if not text:
        return ""
    _length(text, rules)
    if rules.pattern is not None and not rules.pattern.fullmatch(text):
        raise Invalid("pattern")
    return text


def clean_integer(raw: str, rules: Rules) -> str:
    compact = raw.replace(" ", "")
    if not _INTEGER.fullmatch(compact):
        raise Invalid("invalid")
    value = int(compact)
    _bounds(value, rules)
    return str(value)


def clean_decimal(raw: str, rules: Rules) -> str:
    compact = raw.replace(" ", "")
    if not _DECIMAL.fullmatch(compact):
        raise Invalid("invalid")
    try:
        value = Decimal(compact.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise Invalid("invalid") from None
    _bounds(value, rules)
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def clean_email(raw: str, rules: Rules) -> str:
    _length(raw, rules)
    if not _EMAIL.fullmatch(raw):
        raise Invalid("invalid")
    local, _, domain = raw.rpartition("@")
    address = f"{local}@{domain.lower()}"
    if rules.pattern is not None and not rules.pattern.fullmatch(address):
        raise Invalid("pattern")
    return address


def clean_phone(raw: str, rules: Rules) -> str:
    _length(raw, rules)
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _PHONE.fullmatch(digits):
        raise Invalid("invalid")
    if rules.pattern is not None and not rules.pattern.fullmatch(digits):
        raise Invalid("pattern")
    return digits


def clean_date(raw: str, rules: Rules) -> str:
    if match := _DATE_ISO.fullmatch(raw):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE_DMY.fullmatch(raw):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise Invalid("invalid")
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise Invalid("invalid") from None
    _bounds(value, rules)
    return value.isoformat()


def clean_choice(raw: str, question: Question) -> str:
    if question.choice(raw) is None:
        raise Invalid("choice")
    return raw


def clean_choices(raw: list[str], question: Question) -> list[str]:
    chosen = [value for value in dict.fromkeys(raw) if value != ""]
    if not chosen:
        return []  # unanswered: only `required` applies, not min_choices
    if any(question.choice(value) is None for value in chosen):
        raise Invalid("choice")
    rules = question.rules
    if rules.min_choices is not None and len(chosen) < rules.min_choices:
        raise Invalid("min_choices", n=rules.min_choices)
    if rules.max_choices is not None and len(chosen) > rules.max_choices:
        raise Invalid("max_choices", n=rules.max_choices)
    # Keep the form's order of choices, whatever order the browser sent.
    order = {c.value: i for i, c in enumerate(question.choices)}
    return sorted(chosen, key=order.__getitem__)


TEXT_CLEANERS: dict[str, Callable[[str, Rules], str]] = {
    "text": clean_text,
    "textarea": clean_text,
    "integer": clean_integer,
    "decimal": clean_decimal,
    "email": clean_email,
    "phone": clean_phone,
    "date": clean_date,
}


def _length(raw: str, rules: Rules) -> None:
    # Browsers post a line break as CR LF but count it as one character, as we do.
    length = len(raw.replace("\r\n", "\n"))
    if rules.min_length is not None and length < rules.min_length:
        raise Invalid("min_length", n=rules.min_length)
    if rules.max_length is not None and length > rules.max_length:
        raise Invalid("max_length", n=rules.max_length, over=length - rules.max_length)


def _bounds(value: Decimal | int | dt.date, rules: Rules) -> None:
    low, high = rules.min, rules.max
    if isinstance(value, dt.date):
        low = low if isinstance(low, dt.date) else None
        high = high if isinstance(high, dt.date) else None
        if low is not None and value < low:
            raise Invalid("min", limit=low)
        if high is not None and value > high:
            raise Invalid("max", limit=high)
        return
    if low is not None and not isinstance(low, dt.date) and value < Decimal(str(low)):
        raise Invalid("min", limit=low)
    if high is not None and not isinstance(high, dt.date) and value > Decimal(str(high)):
        raise Invalid("max", limit=high)
