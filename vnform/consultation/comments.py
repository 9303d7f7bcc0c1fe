"""A citizen's comment on an article, as posted: read, checked, and worded back.

Pure functions: the views post the fields, these say what is wrong in the citizen's
language, and give the comment to keep in the visit's draft.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vnform.formatting import integer
from vnform.forms.spec import Consultation
from vnform.i18n import N_

__all__ = ["ANSWERS", "ANSWER_NAMES", "COMMENTER_NAMES", "FIELDS", "MAX_COMMENT_LENGTH",
           "STANCES", "STANCE_NAMES", "CommentDraft", "Posted", "names", "read_comment"]

STANCES = ("agree", "disagree", "amend")
#: The agency's answer to a comment: accepted (tiếp thu), explained (giải trình), noted.
ANSWERS = ("accepted", "explained", "noted")
MAX_COMMENT_LENGTH = 5000
#: The fields of the comment form, in the order the page shows them.
FIELDS = ("commenter_type", "stance", "proposal", "text")

STANCE_NAMES = {
    "agree": N_("I agree"),
    "disagree": N_("I disagree"),
    "amend": N_("I propose a change"),
}
COMMENTER_NAMES = {
    "individual": N_("An individual"),
    "organisation": N_("An organisation or business"),
    "agency": N_("A state agency"),
}
#: The agency's answer to a comment: accepted (tiếp thu), explained (giải trình), noted.
ANSWER_NAMES = {
    "accepted": N_("Accepted"),
    "explained": N_("Not accepted, explained"),
    "noted": N_("Noted"),
}


def names(gettext: Callable[[str], str]) -> dict[str, dict[str, str]]:
    """Stances, kinds of commenter and the agency's answers by name, in the language of
    *gettext*."""
    return {"stances": {k: gettext(v) for k, v in STANCE_NAMES.items()},
            "commenters": {k: gettext(v) for k, v in COMMENTER_NAMES.items()},
            "answers": {k: gettext(v) for k, v in ANSWER_NAMES.items()}}


@dataclass(frozen=True)
class CommentDraft:
    """A comment a citizen wrote, before it is stored."""

    article: str
    stance: str | None
    commenter_type: str
    text: str
    proposal: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "stance": self.stance,
                "commenter_type": self.commenter_type, "text": self.text,
                "proposal": self.proposal}

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> CommentDraft:
        return cls(str(data["article"]), data.get("stance"), str(data["commenter_type"]),
                   str(data.get("text") or ""), str(data.get("proposal") or ""))


@dataclass
class Posted:
    """What the citizen sent for one comment: the values to show again, and the error
    of each field (none when the comment can be kept)."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    comment: CommentDraft | None = None


def _plain(value: object) -> str:
    """A posted text: NFC (as Vietnamese is compared and stored), without control
    characters other than line breaks, trimmed."""
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc").strip()


def read_comment(data: Mapping[str, object], target: str, consultation: Consultation,
                 gettext: Callable[[str], str], lang: str) -> Posted:
    """Check the comment posted on *target* (an article's id, or ``general``), wording
    the problems in *lang*."""
    values = {name: _plain(data.get(name)) for name in FIELDS}
    if len(consultation.commenters) == 1:
        values["commenter_type"] = consultation.commenters[0]
    errors: dict[str, str] = {}
    general = target == "general"
    if values["commenter_type"] not in consultation.commenters:
        errors["commenter_type"] = gettext("Say whether you comment as an individual, an "
                                           "organisation or a state agency")
        if len(consultation.commenters) == 2:
            errors["commenter_type"] = gettext("Say who you comment as")
        values["commenter_type"] = ""
    stance = values["stance"]
    if stance not in STANCES:
        values["stance"] = stance = ""
        if not general:
            errors["stance"] = gettext(
                "Say whether you agree, disagree or propose a change to this article")
    for name in ("proposal", "text"):
        if len(values[name]) > MAX_COMMENT_LENGTH:
            errors[name] = gettext("Write at most %(n)s characters (you wrote %(m)s)") % {
                "n": integer(MAX_COMMENT_LENGTH, lang), "m": integer(len(values[name]), lang)}
    if stance == "amend" and not values["proposal"] and "proposal" not in errors:
        errors["proposal"] = gettext("Write the wording you propose for this article")
    if stance != "amend":
        values["proposal"] = ""
    if not values["text"] and "text" not in errors:
        if general:
            errors["text"] = gettext("Write your comment on the draft")
        elif stance == "disagree":
            errors["text"] = gettext("Say why you disagree with this article")
    if errors:
        return Posted(values, errors)
    return Posted(values, {}, CommentDraft(target, stance or None, values["commenter_type"],
                                           values["text"], values["proposal"]))
