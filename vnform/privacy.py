"""The personal-data notice of a form and the citizen's consent to it.

A form with personal-data questions (``personal_data: basic | sensitive``) shows its
notice just before the first of them: what is collected, why, who is responsible, how
long it is kept, and the citizen's rights; then an unticked box, ``consent``. Declining
hides the personal-data questions: the citizen answers the rest, and nothing personal is
stored. The answer is kept with the visit's answers under :data:`CONSENT` (a name no
question can take), and stored with the response with the SHA-256 of the notice's text
as the citizen read it (:func:`notice_hash`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vnform.forms.spec import FormSpec, Question
from vnform.i18n import N_

__all__ = [
    "CONSENT", "CONSENT_FIELD", "CONSENT_PAGE", "CONTACT", "CONTACT_FIELD", "DECISION",
    "NOT_ASKED", "Consent", "NoticeLine",
    "consent_of", "first_personal", "notice", "notice_hash", "secret_hash",
]

#: The posted fields of the notice's boxes (question ids cannot take them).
CONSENT_FIELD = "consent"
CONTACT_FIELD = "contact_consent"
#: Where a visit's answers keep them (``_``: no question id starts so).
CONSENT = "_consent"
CONTACT = "_contact"
#: The page where the citizen answered the notice (it shows there again, to change it).
CONSENT_PAGE = "_consent_page"
DECISION = frozenset({CONSENT, CONTACT, CONSENT_PAGE})

CATEGORIES = {"basic": N_("personal data"), "sensitive": N_("sensitive personal data")}


@dataclass(frozen=True)
class Consent:
    """What a response records of the notice: consent given (True), declined (False) or
    not asked (None: no personal data), the notice's hash, and the separate consent to
    be contacted again (None: not asked)."""

    given: bool | None = None
    notice: str | None = None
    contact: bool | None = None


#: A response to a form without personal data: no notice was shown.
NOT_ASKED = Consent()


@dataclass(frozen=True)
class NoticeLine:
    """One line of the notice: a heading and its text."""

    heading: str
    text: str


def first_personal(spec: FormSpec) -> Question | None:
    """The form's first personal-data question, before which the notice shows."""
    return next(iter(spec.personal_questions), None)


def notice(spec: FormSpec, lang: str, gettext: Callable[[str], str],
           label: Callable[[Any], str]) -> list[NoticeLine]:
    """The notice's lines in *lang* (*label* gives a question's label in it)."""
    _ = gettext
    collected = "; ".join(
        f"{label(q.label)} ({_(CATEGORIES[q.personal_data or 'basic'])})"
        for q in spec.personal_questions)
    days = spec.retention_days or 0
    return [
        NoticeLine(_("What we ask for"), collected),
        NoticeLine(_("Why"), spec.purpose.get(lang) if spec.purpose else ""),
        NoticeLine(_("Who is responsible"), spec.controller.get(lang) if spec.controller
                   else ""),
        NoticeLine(_("How long it is kept"), _(
            "%(days)s days after you send your answers; then it is erased. Figures "
            "already counted from all answers stay, without it.") % {"days": days}),
        NoticeLine(_("Your rights"), _(
            "You choose: without your agreement, these questions are skipped and you "
            "answer the rest anonymously. After sending, a private link lets you see "
            "your answers, download them, and delete them; you may also ask the agency "
            "responsible to do so.")),
    ]


def notice_hash(lines: list[NoticeLine]) -> str:
    """The SHA-256 of the notice's text, as stored with a consent."""
    text = "\n".join(f"{line.heading}: {line.text}" for line in lines)
    return hashlib.sha256(text.encode()).hexdigest()


def secret_hash(secret: str) -> str:
    """What is stored of a private link's secret: its SHA-256 (a copy of the database
    opens no link)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def consent_of(answers: Mapping[str, Any]) -> bool | None:
    """The visit's answer to the notice: True, False, or None when not given yet."""
    value = answers.get(CONSENT)
    return None if value is None else value == "yes"
