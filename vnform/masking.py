"""Personal-data answers as officials see them: masked (``•••``) unless their account
has personal-data access (``vnform user add ... --personal-data``, or ``vnform user
allow-personal-data``). Which answer keys hold personal data is the form's to say
(``personal_data: basic | sensitive``), in the version the citizen answered and in the
current one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from vnform.answers import StoredResponse
from vnform.forms.spec import NUMBER_TYPES, FormSpec

__all__ = ["MASK", "masked_response", "masked_texts", "personal_keys", "value_keys"]

#: What stands for a personal-data answer an official may not see.
MASK = "•••"


def personal_keys(*specs: FormSpec) -> frozenset[str]:
    """The answer keys that hold personal data in any of *specs* (versions of a form)."""
    return frozenset(key for spec in specs for key in spec.personal_columns)


def value_keys(*specs: FormSpec) -> frozenset[str]:
    """The personal-data answer keys whose values the counters would keep one by one (a
    number, a date: someone's answer), to be folded into counts of answers on erasure."""
    return frozenset(key for spec in specs for q in spec.personal_questions
                     if q.type in NUMBER_TYPES or q.type == "date" for key in q.columns)


def masked_response(stored: StoredResponse, keys: Iterable[str]) -> StoredResponse:
    """*stored* with each answer to *keys* replaced by :data:`MASK`."""
    hidden = frozenset(keys)
    answers = {key: [MASK] * len(values) if key in hidden else values
               for key, values in stored.answers.items()}
    return replace(stored, answers=answers)


def masked_texts(texts: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Text answers (response id, text) with every text masked."""
    return [(response_id, MASK) for response_id, _text in texts]


def shown_personal(stored: Mapping[str, list[str]], keys: Iterable[str]) -> int:
    """How many personal-data answers *stored* holds (an audit row counts them)."""
    return sum(1 for key in keys if stored.get(key))
