"""The form file format, as pydantic models: the source of the published JSON Schema.

These models describe what an official may write in ``forms/*.yaml``. They check
shapes and simple bounds only; cross-references (choice lists, ``show_if`` names,
translations) are checked by :mod:`vnform.forms.loader`, which also turns a valid file
into the runtime :class:`vnform.forms.spec.FormSpec`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StringConstraints

LANGUAGES = ("vi", "en")
QUESTION_TYPES = (
    "text", "textarea", "integer", "decimal", "email", "phone", "date",
    "single_choice", "dropdown", "multiple_choice", "yes_no",
    "likert", "rating", "nps", "matrix",
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Language = Literal["vi", "en"]
Localized = Annotated[
    str | dict[Language, str],
    Field(description="Text, either one string for every language or one per language code."),
]


def _date_or_time(value: object) -> object:
    """Read ``YYYY-MM-DD`` text as a date (not midnight), and refuse numbers, which
    pydantic would read as seconds since 1970."""
    if isinstance(value, int | float):
        raise ValueError("write a date as YYYY-MM-DD, or a date and time as YYYY-MM-DD HH:MM")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # pydantic words the error
    return value


DateOrTime = Annotated[dt.datetime | dt.date, BeforeValidator(_date_or_time)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Model):
    """One answer option."""

    value: Annotated[str, StringConstraints(min_length=1, max_length=100)] | StrictInt = Field(
        description="Code stored and exported for this choice."
    )
    label: Localized
    not_applicable: bool = Field(
        False, description="Marks a 'does not apply' option, counted apart in indicators."
    )


class Row(_Model):
    """One row of a matrix question."""

    id: Identifier
    label: Localized
    indicator: Identifier | None = None


class Validate(_Model):
    """Validation rules for one question."""

    min: float | DateOrTime | None = Field(None, description="Smallest number or earliest date.")
    max: float | DateOrTime | None = Field(None, description="Largest number or latest date.")
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=1)
    pattern: str | None = Field(None, description="Regular expression the whole answer matches.")
    message: Localized | None = Field(None, description="Message shown when `pattern` fails.")
    min_choices: int | None = Field(None, ge=0)
    max_choices: int | None = Field(None, ge=1)
    messages: dict[
        Literal["required", "min", "max", "min_length", "max_length", "pattern",
                "min_choices", "max_choices", "invalid"],
        Localized,
    ] = Field(default_factory=dict, description="Custom messages, per rule.")


class Question(_Model):
    """One question; which keys apply depends on `type`."""

    id: Identifier
    type: Literal[QUESTION_TYPES]  # type: ignore[valid-type]
    label: Localized
    hint: Localized | None = None
    required: bool = False
    choices: list[Choice] | Identifier | None = Field(
        None, description="Options (or a scale for likert/matrix), or the name of a choice list."
    )
    rows: list[Row] | None = Field(None, description="Rows of a matrix question.")
    max: int | None = Field(None, ge=2, le=10, description="Top of a rating scale (default 5).")
    min_label: Localized | None = Field(None, description="Label of the low end (rating, nps).")
    max_label: Localized | None = Field(None, description="Label of the high end (rating, nps).")
    show_if: str | None = Field(None, description="Condition on earlier answers.")
    indicator: Identifier | None = Field(None, description="Indicator dimension it measures.")
    validate_: Validate | None = Field(None, alias="validate")
    autocomplete: str | None = Field(None, description="HTML autocomplete token, e.g. email.")
    personal_data: Literal["none", "basic", "sensitive"] | None = Field(
        None, description="Whether answers are personal data: basic (contact details, case "
        "codes, identifiers), sensitive (health, beliefs, ethnicity and the like) or none. "
        "`vnform check` warns on free text without it.")
    placeholder: Localized | None = None


class Page(_Model):
    """One page of questions."""

    id: Slug
    title: Localized | None = None
    description: Localized | None = None
    questions: list[Question] = Field(min_length=1)


class Composite(_Model):
    """An index made of several indicator dimensions (e.g. SIPAS)."""

    id: Identifier
    of: list[Identifier] = Field(min_length=2, description="The dimensions it combines.")
    weights: dict[Identifier, Annotated[float, Field(gt=0)]] | None = Field(
        None, description="Weight of each dimension (default: all equal)."
    )
    label: Localized | None = None


COMMENTER_TYPES = ("individual", "organisation", "agency")


class FormFile(_Model):
    """A whole form file."""

    id: Slug
    kind: Literal["survey", "consultation"] = Field(
        "survey", description="survey (questions), or consultation (comments on a draft "
        "policy, article by article, with optional questions).")
    title: Localized
    description: Localized | None = None
    agency: Slug = Field(description="Code of the owning agency.")
    service: str | None = Field(None, description="Public-service procedure code.")
    status: Literal["draft", "open", "closed"] = "open"
    opens_at: DateOrTime | None = None
    closes_at: DateOrTime | None = None
    max_responses: int | None = Field(None, ge=1)
    languages: list[Language] = Field(default_factory=lambda: ["vi"], min_length=1)
    review: bool = Field(False, description="Show a check-your-answers page before submitting.")
    invitation_only: bool = Field(
        False, description="Only people holding an invitation link (vnform invite, or the "
        "invitations API) may answer; the form is not listed.")
    one_response_per: Literal["device"] | None = Field(
        None, description="device: one answer from each browser (a cookie); a soft limit "
        "that a new browser or cleared cookies get around.")
    rate_limit: int | None = Field(
        None, ge=0, le=10000, description="Submissions one address may send to this form per "
        "minute (0: no limit). Default: the deployment's VNFORM_RATE_LIMIT (10).")
    min_seconds: int | None = Field(
        None, ge=1, le=3600, description="Submissions sent sooner than this after the form "
        "was first shown are kept apart as automated (off unless set).")
    estimated_minutes: int | None = Field(None, ge=1, le=120)
    thank_you: Localized | None = Field(None, description="Message on the thank-you page.")
    open_data: bool = Field(
        False, description="Publish this form's aggregate indicators as open data."
    )
    composite: Composite | list[Composite] | None = Field(
        None, description="Composite indexes over the form's indicator dimensions."
    )
    purpose: Localized | None = Field(
        None, description="Why the form's personal data is collected, per language (shown "
        "to citizens before those questions); needed when a question has personal_data.")
    controller: Localized | None = Field(
        None, description="The agency responsible for the personal data (its name).")
    retention_days: int | None = Field(
        None, ge=1, le=36500, description="Days personal-data answers are kept; then "
        "`vnform purge` (and the daily job of `vnform serve`) erases them.")
    contact_consent: bool | Localized | None = Field(
        None, description="Ask a separate, optional consent to be contacted again (never "
        "pre-ticked): true for the standard wording, or the wording per language.")
    document: str | None = Field(
        None, description="A consultation's draft: its Markdown, or the name of a .md or "
        ".docx file beside the form file. Split at 'Chương I', 'Mục 1', 'Điều 1.' and "
        "numbered clauses.")
    revised_document: str | None = Field(
        None, description="The revised draft (Markdown, or a .md or .docx file), shown beside "
        "the original, article by article, once the synthesis is published.")
    commenters: list[Literal[COMMENTER_TYPES]] | None = Field(  # type: ignore[valid-type]
        None, description="Who may comment on a consultation (default: all three).")
    public_comments: bool | None = Field(
        None, description="Show a consultation's approved comments under their articles "
        "(without personal data); comments then wait for moderation.")
    choice_lists: dict[Identifier, list[Choice]] = Field(default_factory=dict)
    pages: list[Page] | None = None
    questions: list[Question] | None = Field(
        None, description="Shorthand for a one-page form (instead of `pages`)."
    )


def json_schema() -> dict:
    """The JSON Schema of form files, for editors (published as docs/form.schema.json)."""
    schema = FormFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "vnform form file"
    return schema
