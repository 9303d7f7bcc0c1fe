"""Clean answers: which questions are shown, and how answers become stored rows.

An *answers* mapping holds the citizen's clean answers by key (question id, or
``question.row`` for a matrix row): a string, or a list of strings for multiple
choice. It is what drafts keep, what conditions read and what is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vnform.forms.spec import TEXT_TYPES, FormSpec, Question
from vnform.privacy import consent_of

Answers = Mapping[str, "str | list[str]"]


def visible_questions(spec: FormSpec, answers: Answers) -> list[Question]:
    """The questions shown for *answers*, in form order.

    Conditions are evaluated in order, and a hidden question's answer counts as
    unanswered for the conditions after it (a condition only names earlier questions).
    Personal-data questions are hidden once the citizen declined the form's notice.
    """
    seen: dict[str, str | list[str]] = {}
    shown: list[Question] = []
    declined = consent_of(answers) is False
    for question in spec.questions:
        if declined and question.personal_data:
            continue
        if question.show_if is None or question.show_if.evaluate(seen):
            shown.append(question)
            for key in question.columns:
                if key in answers:
                    seen[key] = answers[key]
    return shown


def keep_visible(spec: FormSpec, answers: Answers) -> dict[str, str | list[str]]:
    """*answers* without those of hidden questions (they are dropped, never stored)."""
    keys = {key for q in visible_questions(spec, answers) for key in q.columns}
    return {key: value for key, value in answers.items() if key in keys}


@dataclass(frozen=True)
class AnswerRow:
    question: str
    value: str | None
    number: float | None
    text: str | None


def answer_rows(spec: FormSpec, answers: Answers) -> list[AnswerRow]:
    """The rows to store for *answers*: one per answered key, one per chosen value."""
    rows: list[AnswerRow] = []
    for question in spec.questions:
        for key in question.columns:
            value = answers.get(key)
            if value in (None, "", []):
                continue
            values = value if isinstance(value, list) else [value]
            rows.extend(_row(question, key, v) for v in values)
    return rows


def _row(question: Question, key: str, value: str) -> AnswerRow:
    if question.type in TEXT_TYPES:
        return AnswerRow(key, None, None, value)
    number = None
    choice = question.choice(value) if question.choices else None
    if choice is not None and choice.not_applicable:
        # "Does not apply" is no point on the scale, whatever its code.
        return AnswerRow(key, value, None, None)
    if question.numeric:
        try:
            number = float(value)
        except ValueError:
            number = None  # a "does not apply" choice on a numeric scale
    return AnswerRow(key, value, number, None)


def join_values(values: Iterable[str]) -> str:
    """How a multiple-choice answer reads in one export cell."""
    return ";".join(values)


@dataclass(frozen=True)
class StoredResponse:
    """A response as read back: answers by key, each a list (one value, or several
    for multiple choice)."""

    id: int
    submitted_at: dt.datetime
    language: str
    version: str
    answers: dict[str, list[str]]
    #: The code its citizen was shown (vnform.references), where it was read (one
    #: response's page) and stored (not on rows written without it).
    reference: str | None = None
