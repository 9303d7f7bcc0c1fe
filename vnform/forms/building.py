"""A checked form file → :class:`~vnform.forms.spec.FormSpec`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from vnform.consultation.sources import read_draft
from vnform.forms import expressions, schema
from vnform.forms.spec import (
    Choice,
    Consultation,
    FormSpec,
    Page,
    Question,
    Row,
    Rules,
    Text,
    default_max_length,
)
from vnform.i18n import N_

__all__ = ["QUESTION_KEYS", "build", "build_from_definition", "version_of"]

#: The keys of a form file that hold its questions: a form's version changes with them.
QUESTION_KEYS = ("pages", "questions", "choice_lists")

YES_NO = (Choice("yes", Text(msgid=N_("Yes"))), Choice("no", Text(msgid=N_("No"))))
#: The standard wording of the consent to be contacted again (``contact_consent: true``).
CONTACT_CONSENT = Text(msgid=N_(
    "I agree to be contacted again about my answers, using the contact details I gave."))
NPS_LABELS = (Text(msgid=N_("Not at all likely")), Text(msgid=N_("Extremely likely")))


def build(model: schema.FormFile, data: dict[str, Any], source: str = "") -> FormSpec:
    """Turn a checked file into a :class:`FormSpec`."""
    langs = tuple(model.languages)
    definition = json.loads(json.dumps(data, default=_json_default))
    consultation = _consultation(model, definition, source)
    version = version_of(definition, langs)
    lists = {
        name: tuple(_choice(c, langs) for c in choices)
        for name, choices in model.choice_lists.items()
    }
    pages = tuple(
        Page(
            id=page.id,
            index=i,
            title=Text.of(page.title, langs),
            description=Text.of(page.description, langs),
            questions=tuple(_question(q, i, langs, lists) for q in page.questions),
        )
        for i, page in enumerate(_pages(model))
    )
    return FormSpec(
        id=model.id,
        version=version,
        title=Text.of(model.title, langs) or Text(),
        description=Text.of(model.description, langs),
        agency=model.agency,
        service=model.service,
        status=model.status,
        opens_at=model.opens_at,
        closes_at=model.closes_at,
        max_responses=model.max_responses,
        min_seconds=model.min_seconds,
        rate_limit=model.rate_limit,
        invitation_only=model.invitation_only,
        one_response_per=model.one_response_per,
        languages=langs,
        review=model.review,
        estimated_minutes=model.estimated_minutes,
        thank_you=Text.of(model.thank_you, langs),
        purpose=Text.of(model.purpose, langs),
        controller=Text.of(model.controller, langs),
        retention_days=model.retention_days,
        contact_consent=(CONTACT_CONSENT if model.contact_consent is True
                         else Text.of(model.contact_consent or None, langs)),
        pages=pages,
        definition=definition,
        kind=model.kind,
        consultation=consultation,
        source=source,
    )


def _consultation(model: schema.FormFile, definition: dict[str, Any],
                  source: str) -> Consultation | None:
    """A consultation's draft (and revised draft) read, and kept in *definition* as
    Markdown: a stored version rebuilds without the files they came from."""
    if model.kind != "consultation" or model.document is None:
        return None
    drafts = {}
    for key in ("document", "revised_document"):
        value = getattr(model, key)
        if value is not None:
            draft = read_draft(value, source)
            definition[key] = draft.markdown
            drafts[key] = draft.document
    return Consultation(
        document=drafts["document"],
        commenters=tuple(model.commenters or schema.COMMENTER_TYPES),
        public_comments=bool(model.public_comments),
        revised=drafts.get("revised_document"),
    )


def version_of(definition: dict[str, Any], languages: tuple[str, ...]) -> str:
    """A short hash of what makes the form's questions (:data:`QUESTION_KEYS`, and its
    *languages*): their ids, types, labels, choices, rules and conditions. The form's
    title, status, dates, cap and other settings change without a new version; a
    consultation's draft (``document``) makes one."""
    content = {"languages": list(languages),
               **{key: definition[key] for key in (*QUESTION_KEYS, "document")
                  if definition.get(key)}}
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


def build_from_definition(definition: dict[str, Any]) -> FormSpec:
    """Rebuild a stored version's spec (stored definitions were valid when saved)."""
    return build(schema.FormFile.model_validate(definition), definition, source="(stored)")


def _pages(model: schema.FormFile) -> list[schema.Page]:
    if model.pages:
        return model.pages
    # A consultation may ask no question: its one page is then empty.
    return [schema.Page.model_construct(id="main", title=None, description=None,
                                        questions=model.questions or [])]


def _choice(choice: schema.Choice, langs: tuple[str, ...]) -> Choice:
    return Choice(str(choice.value), Text.of(choice.label, langs) or Text(), choice.not_applicable)


def _question(
    q: schema.Question, page_index: int, langs: tuple[str, ...],
    lists: dict[str, tuple[Choice, ...]],
) -> Question:
    if isinstance(q.choices, str):
        choices = lists[q.choices]
    else:
        choices = tuple(_choice(c, langs) for c in q.choices or ())
    min_label, max_label = Text.of(q.min_label, langs), Text.of(q.max_label, langs)
    if q.type == "yes_no":
        choices = YES_NO
    elif q.type == "rating":
        choices = _numbered(range(1, (q.max or 5) + 1), langs)
    elif q.type == "nps":
        choices = _numbered(range(11), langs)
        min_label, max_label = min_label or NPS_LABELS[0], max_label or NPS_LABELS[1]
    v = q.validate_ or schema.Validate()
    messages = {rule: Text.of(text, langs) for rule, text in v.messages.items()}
    if v.message is not None:
        messages.setdefault("pattern", Text.of(v.message, langs))
    rules = Rules(
        min=v.min, max=v.max, min_length=v.min_length,
        max_length=v.max_length if v.max_length is not None else default_max_length(q.type),
        pattern=re.compile(v.pattern) if v.pattern else None,
        min_choices=v.min_choices, max_choices=v.max_choices,
        messages={k: t for k, t in messages.items() if t is not None},
    )
    return Question(
        id=q.id, type=q.type, label=Text.of(q.label, langs) or Text(), page_index=page_index,
        hint=Text.of(q.hint, langs), required=q.required, choices=choices,
        rows=tuple(Row(r.id, Text.of(r.label, langs) or Text(), r.indicator or q.indicator)
                   for r in q.rows or ()),
        min_label=min_label, max_label=max_label,
        show_if=expressions.parse(q.show_if) if q.show_if else None,
        indicator=q.indicator, rules=rules, autocomplete=q.autocomplete or _autocomplete(q.type),
        placeholder=Text.of(q.placeholder, langs),
        personal_data=q.personal_data if q.personal_data != "none" else None,
    )


def _numbered(numbers: range, langs: tuple[str, ...]) -> tuple[Choice, ...]:
    return tuple(Choice(str(n), Text.of(str(n), langs) or Text()) for n in numbers)


def _autocomplete(qtype: str) -> str | None:
    # WCAG 1.3.5 (identify input purpose): personal fields say what they hold.
    return {"email": "email", "phone": "tel"}.get(qtype)


def _json_default(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a form definition")
