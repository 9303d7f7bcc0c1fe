"""What publishing a new version does to the answers already given: a question or a
choice that has answers and is dropped (or renamed), a question whose type or scale
changes. Wording changes have no impact. Pure: the caller gives the answer counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vnform.forms.spec import FormSpec, Question

__all__ = ["Impact", "impacts"]


@dataclass(frozen=True)
class Impact:
    """One change that answers are given to: *kind* is ``question_dropped``,
    ``choice_dropped``, ``type_changed`` or ``scale_changed``; *answers* how many."""

    kind: str
    key: str
    answers: int
    value: str = ""
    before: str = ""
    after: str = ""


def impacts(live: FormSpec, draft: FormSpec, answered: Mapping[str, int],
            counts: Mapping[str, Mapping[str, int]]) -> list[Impact]:
    """The impacts of replacing *live* by *draft*, given the answers to each key
    (*answered*: key → responses that answered it; *counts*: key → value → count)."""
    found: list[Impact] = []
    for before in live.questions:
        after = draft.question(before.id)
        keys = before.columns
        given = sum(answered.get(key, 0) for key in keys)
        if not given:
            continue
        if after is None:
            found.append(Impact("question_dropped", before.id, given))
            continue
        if after.type != before.type:
            found.append(Impact("type_changed", before.id, given, before=before.type,
                                after=after.type))
            continue
        if _scale(before) != _scale(after) and before.type in ("rating", "nps", "likert",
                                                                "matrix"):
            found.append(Impact("scale_changed", before.id, given,
                                before=", ".join(_scale(before)),
                                after=", ".join(_scale(after))))
            continue
        kept = {choice.value for choice in after.choices}
        for key in (keys if before.type == "matrix" else (before.id,)):
            for value, n in sorted(counts.get(key, {}).items()):
                if n and before.choices and value not in kept:
                    found.append(Impact("choice_dropped", key, n, value=value))
        if before.type == "matrix":
            rows = {row.id for row in after.rows}
            for row in before.rows:
                key = f"{before.id}.{row.id}"
                if answered.get(key) and row.id not in rows:
                    found.append(Impact("question_dropped", key, answered[key]))
    return found


def _scale(question: Question) -> tuple[str, ...]:
    return tuple(choice.value for choice in question.choices)
