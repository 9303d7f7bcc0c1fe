"""WTForms forms built from a form's pages, and the wording of every answer error.

A page's form has one field per answer key: the question id, or
``question.row`` for each matrix row. Fields only bind what was posted; each one's
validator cleans it with :mod:`vnform.cleaning` and words failures in the page's
language, using the official's custom message where the form file gives one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm

from vnform.cleaning import TEXT_CLEANERS, Invalid, clean_choice, clean_choices
from vnform.forms.spec import Page, Question


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class PageForm(BaseForm):
    """A page's fields by answer key; ``clean`` holds the answers that passed.

    Fields are reached as ``form[key]`` only, never as attributes, so a question id
    such as ``meta`` or ``process`` cannot shadow the form's own methods.
    """

    clean: dict[str, str | list[str]]


def page_fields(page: Page) -> list[tuple[str, UnboundField]]:
    """The fields of one page: one per answer key, named by that key."""
    return [(key, _field(question)) for question in page.questions for key in question.columns]


def _field(question: Question) -> UnboundField:
    # Choices are checked by our cleaner (with our wording), not by WTForms.
    choices = [SelectChoice(c.value) for c in question.choices]
    if question.multiple:
        return SelectMultipleField(choices=choices, validate_choice=False)
    if question.type == "dropdown":
        return SelectField(choices=[SelectChoice(""), *choices], validate_choice=False)
    if question.choices:
        return RadioField(choices=choices, validate_choice=False)
    # Text is kept as typed (minus surrounding spaces) so a re-shown page holds it.
    return StringField(filters=[lambda value: value.strip() if isinstance(value, str) else value])


def bind(page: Page, formdata: Any | None = None,
         answers: dict[str, str | list[str]] | None = None) -> PageForm:
    """A page form bound to posted data, or filled with earlier answers for display."""
    form = PageForm(page_fields(page))
    form.process(formdata, data=None if formdata else answers)
    form.clean = {}
    return form


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
