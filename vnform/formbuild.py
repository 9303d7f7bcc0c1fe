"""A page's answers as posted or as given before, and the wording of every answer error.

A page has one field per answer key: the question id, or ``question.row`` for each
matrix row. A field holds what was posted (or the earlier answer, to show it again)
and its errors; :func:`validate` cleans each with :mod:`vnform.cleaning` and words
failures in the page's language, using the official's custom message where the form
file gives one. The fields are plain objects, not WTForms ones: a submission binds a
page on every post, and binding twenty WTForms fields cost more than checking them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from vnform.cleaning import TEXT_CLEANERS, Invalid, clean_choice, clean_choices
from vnform.forms.spec import Page, Question


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class Field:
    """One answer key's field: its name, its value (text, a list for multiple choice,
    or None) and its errors."""

    __slots__ = ("data", "errors", "name")

    def __init__(self, name: str, data: Any) -> None:
        self.name = name
        self.data = data
        self.errors: list[str] = []


class PageForm:
    """A page's fields by answer key; ``clean`` holds the answers that passed."""

    def __init__(self, fields: dict[str, Field]) -> None:
        self._fields = fields
        self.clean: dict[str, str | list[str]] = {}

    def __getitem__(self, key: str) -> Field:
        return self._fields[key]

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields.values())


def bind(page: Page, formdata: Any | None = None,
         answers: Mapping[str, str | list[str]] | None = None) -> PageForm:
    """A page's fields bound to posted data, or (no data posted) filled with earlier
    answers for display."""
    fields = {}
    for question in page.questions:
        for key in question.columns:
            value = (_posted(question, formdata.getlist(key)) if formdata
                     else _given(question, (answers or {}).get(key)))
            fields[key] = Field(key, value)
    return PageForm(fields)


def _posted(question: Question, values: list[Any]) -> Any:
    """A field's value from the values posted for it: all of them for multiple choice,
    else the first; text as typed, minus surrounding spaces (so that a page shown again
    holds it)."""
    if question.multiple:
        return [str(value) for value in values]
    if not values:
        return None
    return _given(question, values[0])


def _given(question: Question, value: Any) -> Any:
    if value is None:
        return None
    if question.multiple:
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    if question.choices or question.type == "dropdown":
        return str(value)
    return value.strip() if isinstance(value, str) else value


def validate(form: PageForm, questions: Iterable[Question], lang: str,
             translator: Translator) -> bool:
    """Validate the fields of the given (visible) questions; fills ``form.clean``."""
    ok = True
    for question in questions:
        for key in question.columns:
            field = form[key]
            field.errors = []
            try:
                value = _clean(question, field.data)
            except Invalid as problem:
                field.errors.append(message(question, key, problem, lang, translator))
                ok = False
                continue
            if value in (None, "", []):
                if question.required:
                    field.errors.append(
                        message(question, key, Invalid("required"), lang, translator)
                    )
                    ok = False
                continue
            form.clean[key] = value
    return ok


def _clean(question: Question, data: Any) -> str | list[str] | None:
    if question.multiple:
        return clean_choices([str(v) for v in data or []], question)
    if data in (None, ""):
        return None
    text = str(data)
    if question.choices:
        return clean_choice(text, question)
    return TEXT_CLEANERS[question.type](text, question.rules)


def message(question: Question, key: str, problem: Invalid, lang: str,
            translator: Translator) -> str:
    """The error for *problem*: the form's own message for the rule, else ours."""
    custom = question.rules.messages.get(problem.rule)
    if custom is not None:
        return custom.get(lang)
    params = {k: _show(v, lang) for k, v in problem.params.items()}
    if question.type == "matrix":
        row = next(r for r in question.rows if key == f"{question.id}.{r.id}")
        params["row"] = row.label.get(lang)
    return _builtin(question, problem, translator) % params


def _builtin(question: Question, problem: Invalid, translator: Translator) -> str:
    """Our wording: say what to do, GOV.UK style ("Enter…", "Select…")."""
    _, ngettext = translator.gettext, translator.ngettext
    rule, n = problem.rule, int(str(problem.params.get("n", 0)))
    if rule == "required":
        if question.type == "matrix":
            return _("Select an answer for “%(row)s”")
        if question.multiple:
            return _("Select at least one option")
        return _("Select an answer") if question.choices else _("Enter an answer")
    if rule == "invalid":
        return {
            "integer": _("Enter a whole number, like 12"),
            "decimal": _("Enter a number, like 12 or 12.5"),
            "email": _("Enter an email address in the correct format, like name@example.com"),
            "phone": _("Enter a Vietnamese phone number, like 0912 345 678 or 024 3826 1234"),
            "date": _("Enter a real date, like 27/11/2026"),
        }[question.type]
    if rule in ("min", "max") and question.type == "date":
        return (_("Enter a date on or after %(limit)s") if rule == "min"
                else _("Enter a date on or before %(limit)s"))
    if rule in ("min", "max"):
        return (_("Enter a number that is %(limit)s or more") if rule == "min"
                else _("Enter a number that is %(limit)s or less"))
    if rule == "min_length":
        return ngettext("Enter at least %(n)s character", "Enter at least %(n)s characters", n)
    if rule == "max_length":
        return ngettext("Enter %(n)s character or fewer (remove %(over)s)",
                        "Enter %(n)s characters or fewer (remove %(over)s)", n)
    if rule == "pattern":
        return _("Enter the answer in the format asked for")
    if rule == "min_choices":
        return ngettext("Select at least %(n)s option", "Select at least %(n)s options", n)
    if rule == "max_choices":
        return ngettext("Select no more than %(n)s option",
                        "Select no more than %(n)s options", n)
    return _("Select one of the options shown")  # "choice": a value not offered


def _show(value: object, lang: str) -> str:
    """A limit as the citizen writes it: 15 not 15.0, dates as 27/11/2026, and a
    decimal comma in Vietnamese (12,5), as the number messages themselves show."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and lang == "vi":
        return str(value).replace(".", ",")
    return str(value)
