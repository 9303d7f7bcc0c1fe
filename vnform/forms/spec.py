"""The runtime form: frozen, fully resolved, validated once when the form file loads."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vnform.consultation.document import Document
    from vnform.forms.expressions import Expr

TEXT_TYPES = frozenset({"text", "textarea", "email", "phone"})
NUMBER_TYPES = frozenset({"integer", "decimal"})
#: Types answered by picking from `choices` (given in the file or generated).
CHOICE_TYPES = frozenset(
    {"single_choice", "dropdown", "multiple_choice", "yes_no", "likert", "rating", "nps"}
)
#: Types whose answers are points on a numeric scale (when their choice codes are numbers).
SCALE_TYPES = frozenset({"likert", "rating", "nps", "matrix"})
#: Types whose choices come from the file (the others generate theirs).
LISTED_CHOICE_TYPES = frozenset(
    {"single_choice", "dropdown", "multiple_choice", "likert", "matrix"}
)
#: Types whose answers may feed a satisfaction indicator.
INDICATOR_TYPES = frozenset({"likert", "rating", "nps", "yes_no", "matrix"})


def default_max_length(qtype: str) -> int | None:
    """Bound free text so that no single answer can bloat the database."""
    return {"text": 500, "textarea": 5000, "email": 254, "phone": 20}.get(qtype)


@dataclass(frozen=True)
class Text:
    """Text in several languages, or an interface message id translated by the catalogue."""

    values: tuple[tuple[str, str], ...] = ()
    msgid: str | None = None

    @classmethod
    def of(cls, value: str | Mapping[str, str] | None, languages: tuple[str, ...]) -> Text | None:
        if value is None:
            return None
        if isinstance(value, str):
            return cls(tuple((lang, value) for lang in languages))
        return cls(tuple((lang, value[lang]) for lang in languages if lang in value))

    def get(self, lang: str) -> str:
        """The text in *lang*, else in the first language that has it."""
        for code, text in self.values:
            if code == lang:
                return text
        return self.values[0][1] if self.values else (self.msgid or "")


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    not_applicable: bool = False


@dataclass(frozen=True)
class Row:
    id: str
    label: Text
    indicator: str | None = None


@dataclass(frozen=True)
class Rules:
    """Validation rules of one question, with the official's custom messages."""

    min: float | dt.date | None = None
    max: float | dt.date | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    messages: Mapping[str, Text] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: Text
    page_index: int
    hint: Text | None = None
    required: bool = False
    choices: tuple[Choice, ...] = ()
    rows: tuple[Row, ...] = ()
    min_label: Text | None = None
    max_label: Text | None = None
    show_if: Expr | None = None
    indicator: str | None = None
    rules: Rules = Rules()
    autocomplete: str | None = None
    placeholder: Text | None = None
    #: ``basic`` or ``sensitive`` when answers are personal data (else None).
    personal_data: str | None = None

    @property
    def multiple(self) -> bool:
        return self.type == "multiple_choice"

    @cached_property  # read for every answer of every submission
    def columns(self) -> tuple[str, ...]:
        """Answer keys this question produces: its id, or ``id.row`` for each matrix row."""
        if self.type == "matrix":
            return tuple(f"{self.id}.{row.id}" for row in self.rows)
        return (self.id,)

    @cached_property
    def numeric(self) -> bool:
        """Whether answers are numbers (stored in the numeric column too)."""
        if self.type in NUMBER_TYPES:
            return True
        if self.type in SCALE_TYPES:
            return all(_is_int(c.value) for c in self.choices if not c.not_applicable)
        return False

    def choice(self, value: str) -> Choice | None:
        return self._choices_by_value.get(value)

    @cached_property
    def _choices_by_value(self) -> dict[str, Choice]:
        by_value: dict[str, Choice] = {}
        for choice in self.choices:
            by_value.setdefault(choice.value, choice)  # the first, as a scan finds it
        return by_value


@dataclass(frozen=True)
class Page:
    id: str
    index: int
    questions: tuple[Question, ...]
    title: Text | None = None
    description: Text | None = None


@dataclass(frozen=True)
class Consultation:
    """What a consultation adds to a form: the draft split into articles, who may
    comment, whether approved comments are shown, and the revised draft (once there is
    one)."""

    document: Document
    commenters: tuple[str, ...]
    public_comments: bool = False
    revised: Document | None = None

    @property
    def targets(self) -> tuple[str, ...]:
        """What a comment may be on: each article's id, and ``general``."""
        return (*(a.id for a in self.document.articles), "general")

    @property
    def headings(self) -> dict[str, str]:
        """Each article's heading (``Điều 3. Giải thích từ ngữ``) by its id."""
        return {a.id: a.heading for a in self.document.articles}


@dataclass(frozen=True)
class FormSpec:
    """A form as the rest of vnform sees it."""

    id: str
    version: str
    title: Text
    agency: str
    pages: tuple[Page, ...]
    languages: tuple[str, ...]
    definition: Mapping[str, object]
    status: str = "open"
    description: Text | None = None
    service: str | None = None
    opens_at: dt.datetime | dt.date | None = None
    closes_at: dt.datetime | dt.date | None = None
    max_responses: int | None = None
    min_seconds: int | None = None
    rate_limit: int | None = None
    invitation_only: bool = False
    #: Archived by its officials: closed, left out of the forms lists; its answers still
    #: count in results, indicators and open data of the periods they were given in.
    archived: bool = False
    one_response_per: str | None = None
    review: bool = False
    estimated_minutes: int | None = None
    thank_you: Text | None = None
    #: The personal-data notice: why, who is responsible, for how long (days).
    purpose: Text | None = None
    controller: Text | None = None
    retention_days: int | None = None
    #: The wording of the optional consent to be contacted again (None: not asked).
    contact_consent: Text | None = None
    #: ``survey``, or ``consultation`` (then *consultation* is set).
    kind: str = "survey"
    consultation: Consultation | None = None
    source: str = ""

    @cached_property
    def derived(self) -> dict[object, object]:
        """Values other modules compute from this form version once and keep with it
        (say, the hash of its personal-data notice in each language)."""
        return {}

    # Cached: a form version never changes, and every submission reads these.
    @cached_property
    def personal_questions(self) -> tuple[Question, ...]:
        """The questions whose answers are personal data."""
        return tuple(q for q in self.questions if q.personal_data)

    @cached_property
    def personal_columns(self) -> frozenset[str]:
        """The answer keys that hold personal data."""
        return frozenset(key for q in self.personal_questions for key in q.columns)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question, page after page."""
        return tuple(q for page in self.pages for q in page.questions)

    def question(self, question_id: str) -> Question | None:
        return self._questions_by_id.get(question_id)

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        by_id: dict[str, Question] = {}
        for question in self.questions:
            by_id.setdefault(question.id, question)
        return by_id

    @cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(col for q in self.questions for col in q.columns)

    @property
    def minutes(self) -> int:
        """Estimated minutes to complete: the file's figure, else from the questions."""
        if self.estimated_minutes:
            return self.estimated_minutes
        seconds = sum(
            45 if q.type in {"textarea"} else 20 * max(1, len(q.rows)) if q.type == "matrix"
            else 10
            for q in self.questions
        )
        return max(1, round(seconds / 60))


def _is_int(value: str) -> bool:
    return value.lstrip("-").isdigit()
