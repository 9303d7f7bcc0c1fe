"""The data dictionary of a form's exports: what each column holds (and whether it is
personal data: ``basic`` or ``sensitive``), in Vietnamese and in English, with each
figure written as that language writes it (``2.000 ký tự``, ``2,000 characters``; dates
dd/mm/yyyy).

Its ``column`` and ``type`` cells and the version codes are the exports' own machine
values, so that a program can join the dictionary to the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from vnform import formatting
from vnform.export import BOM, Column, in_language, neutralise
from vnform.forms.spec import Question, Text
from vnform.i18n import N_, translations

__all__ = ["DICTIONARY_COLUMNS", "dictionary_csv", "dictionary_rows", "rules_text",
           "version_name"]

DICTIONARY_COLUMNS = ("column", "type", "personal_data", "question_vi", "question_en",
                      "row_vi", "row_en", "choices", "rules_vi", "rules_en", "versions")
LANGUAGES = ("vi", "en")

#: The fixed columns of every export, described in each language.
FIXED = {
    "response_id": ("Số thứ tự phản hồi", "Response number"),
    "submitted_at": ("Thời điểm gửi, giờ UTC (ISO 8601)", "Time submitted, UTC (ISO 8601)"),
    "language": ("Ngôn ngữ biểu mẫu (vi, en)", "Language of the form (vi, en)"),
    "form_version": ("Phiên bản biểu mẫu", "Version of the form definition"),
}

RANGES = {  # (both ends, lowest only, highest only) of each kind of rule
    "value": (N_("from %(low)s to %(high)s"), N_("at least %(low)s"), N_("at most %(high)s")),
    "date": (N_("from %(low)s to %(high)s"), N_("on or after %(low)s"),
             N_("on or before %(high)s")),
    "length": (N_("from %(low)s to %(high)s characters"), N_("at least %(low)s characters"),
               N_("at most %(high)s characters")),
    "choices": (N_("choose from %(low)s to %(high)s"), N_("choose at least %(low)s"),
                N_("choose at most %(high)s")),
}


def version_name(number: int, since: dt.date, lang: str) -> str:
    """A version as officials read it: ``Phiên bản 3 (từ 12/11/2026)``."""
    return translations(lang).gettext("Version %(n)s (from %(date)s)") % {
        "n": formatting.integer(number, lang), "date": formatting.day(since)}


def rules_text(question: Question, lang: str) -> str:
    """What an answer to *question* must be, in words of *lang*: ``bắt buộc; từ 1 đến
    1.000``. Empty when anything goes."""
    _ = translations(lang).gettext
    rules = question.rules
    parts = [_("required")] if question.required else []

    def figure(value: object) -> str:
        if isinstance(value, dt.date):
            return formatting.day(value)
        if isinstance(value, int):
            return formatting.integer(value, lang)
        return formatting.decimal(float(value), lang, 6, trim=True)  # type: ignore[arg-type]

    for kind, low, high in (
            ("date" if isinstance(rules.min, dt.date) or isinstance(rules.max, dt.date)
             else "value", rules.min, rules.max),
            ("length", rules.min_length, rules.max_length),
            ("choices", rules.min_choices, rules.max_choices)):
        both, lowest, highest = RANGES[kind]
        wording = both if low is not None and high is not None else \
            lowest if low is not None else highest if high is not None else None
        if wording:
            parts.append(_(wording) % {"low": "" if low is None else figure(low),
                                       "high": "" if high is None else figure(high)})
    if rules.pattern is not None:
        parts.append(_("matching the pattern %(pattern)s") % {"pattern": rules.pattern.pattern})
    return "; ".join(parts)


def dictionary_rows(cols: Sequence[Column],
                    versions: Sequence[tuple[str, dt.date]] = ()) -> list[list[str]]:
    """The dictionary: a row per column, fixed ones first. *versions* are the form's
    versions, oldest first, with the day each was first served: the ``form_version``
    row names each code ("Phiên bản 2 (từ 20/11/2026)")."""
    rows = [list(DICTIONARY_COLUMNS)]
    named = " | ".join(
        f"{code} = " + " / ".join(version_name(n, since, lang) for lang in LANGUAGES)
        for n, (code, since) in enumerate(versions, 1))
    for name, (vi, en) in FIXED.items():
        rows.append([name, "meta", "", vi, en, "", "", named if name == "form_version" else "",
                     "", "", ""])
    for column in cols:
        q = column.question
        choices = " | ".join(
            f"{c.value} = {_both(c.label)}" + (" (n/a)" if c.not_applicable else "")
            for c in q.choices
        )
        rows.append([
            column.key, q.type, q.personal_data or "", q.label.get("vi"), q.label.get("en"),
            column.row.label.get("vi") if column.row else "",
            column.row.label.get("en") if column.row else "",
            choices, rules_text(q, "vi"), rules_text(q, "en"), " ".join(column.versions),
        ])
    return [[neutralise(cell) for cell in row] for row in rows]


def dictionary_csv(cols: Sequence[Column], versions: Sequence[tuple[str, dt.date]] = (),
                   excel: bool = False) -> str:
    """The dictionary as CSV (*excel*: with a byte-order mark)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(dictionary_rows(cols, versions))
    return (BOM if excel else "") + buffer.getvalue()


def _both(text: Text) -> str:
    vi, en = in_language(text, "vi"), in_language(text, "en")
    return vi if vi == en else f"{vi} / {en}"
