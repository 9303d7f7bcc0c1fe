"""Tallies: the counts that results and indicators read, kept as answers arrive.

Reading a form's results must cost what its figures cost, not what its raw answers
cost. So each stored response adds one to a few counters, in the transaction that
stores it, and every unsegmented figure is a sum of counters. A counter is keyed by

    (form, question, value, day, language, form version)

where *day* is the response's local day in the deployment's time zone, and these keys
have a fixed meaning:

- ``(answer key, code)``: answers with that value (a choice code, a number as typed
  and cleaned, an ISO date). Number and date questions are counted per value, which
  is their exact histogram: mean, median, lowest and highest come from it.
- ``(answer key, "")``: what makes the key's counters add up to the responses that
  answered it. Most answers are one value, counted by its own counter: they add
  nothing here. A free-text answer (no value) adds 1; a multiple-choice answer of *m*
  values adds 1 - *m*. So the responses that answered a key are the sum of all its
  counters, and a submission adds a row here only for the few answers that need one.
- ``("@responses", "")``: responses.
- ``("@cases", "")``: responses that rated a case file (came by invitation);
  ``("@cases", "unsatisfied")``: those with a satisfaction answer in the two lowest
  points of the scale of the form version they answered.

A view sums its form's counters over the days it covers: a few thousand rows per month
of answers, whatever the number of responses. No all-days copy is kept, so that each
submission adds as few rows as it can (one per value it gave, one for itself, and one
per answer of other than one value). Neither an answer key (``[a-z]...``) nor a choice code (never
empty) can take the reserved names. This module is pure: the rows to add for a
response, the day of a moment, and the comparison of kept counters with a recount
(``vnform tallies verify``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from vnform.answers import AnswerRow, Answers
from vnform.forms.spec import FormSpec
from vnform.indicators import dimensions

RESPONSES = "@responses"
CASES = "@cases"
UNSATISFIED = "unsatisfied"
ANSWERED = ""
#: On PostgreSQL a counter is kept in this many rows (shards), so that concurrent
#: submissions to one form add to different rows instead of waiting for one another's
#: commit; a response's shard is its id modulo this. Readers sum them. SQLite has one
#: writer at a time: one row, shard 0.
SHARDS = 8
SATISFACTION = "satisfaction"

#: A counter's key without its form: (question, value, day, language, form version).
Key = tuple[str, str, str, str, str]
#: (form, question, value, day, language, form version, n): a row of the tally table.
Row = tuple[str, str, str, str, str, str, int]


def local_day(moment: dt.datetime, tz: ZoneInfo) -> str:
    """The local calendar day of *moment* in *tz*, as ``YYYY-MM-DD``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(tz).date().isoformat()


@dataclass(frozen=True)
class UnsatisfiedRule:
    """When a response rates its case unsatisfied: an answer to one of *keys* with one
    of *codes* (the two lowest points of the satisfaction scale)."""

    keys: frozenset[str]
    codes: frozenset[str]


def unsatisfied_rule(spec: FormSpec) -> UnsatisfiedRule | None:
    """The rule of *spec*'s satisfaction dimension, or None when it has none."""
    found = next((d for d in dimensions(spec) if d.name == SATISFACTION), None)
    if found is None:
        return None
    return UnsatisfiedRule(frozenset(found.keys), found.scale.bottom2)


def response_counts(rows: Iterable[AnswerRow], case: bool = False,
                    unsatisfied: bool = False) -> Counter[tuple[str, str]]:
    """What one response adds, by (question, value): itself, each value it gave (*rows*:
    :func:`vnform.answers.answer_rows`), for each key it answered with other than one
    value what completes the count of those who answered it, and its case rating when
    it rated one (*unsatisfied*: :func:`rates_unsatisfied`)."""
    counts: Counter[tuple[str, str]] = Counter({(RESPONSES, ANSWERED): 1})
    values: Counter[str] = Counter()  # value rows per answered key (0: free text)
    for row in rows:
        values[row.question] += row.value is not None
        if row.value is not None:
            counts[(row.question, row.value)] += 1
    for key, given in values.items():
        if given != 1:
            counts[(key, ANSWERED)] += 1 - given
    if case:
        counts[(CASES, ANSWERED)] += 1
        if unsatisfied:
            counts[(CASES, UNSATISFIED)] += 1
    return counts


def rates_unsatisfied(spec: FormSpec, answers: Answers) -> bool:
    """Whether *answers* give a satisfaction question of *spec* one of the two lowest
    points of its scale."""
    rule = unsatisfied_rule(spec)
    if rule is None:
        return False
    for key in rule.keys:
        value = answers.get(key)
        values = value if isinstance(value, list) else [value]
        if any(v in rule.codes for v in values):
            return True
    return False


def tally_rows(form_id: str, version: str, day: str, language: str,
               counts: Mapping[tuple[str, str], int]) -> list[Row]:
    """The rows that add *counts* for *day*, sorted by key (so that concurrent writers
    lock shared rows in the same order and never deadlock)."""
    rows = [(form_id, question, value, day, language, version, n)
            for (question, value), n in counts.items() if n]
    rows.sort()
    return rows


def merge(batch: Iterable[tuple[str, str, str, str, Mapping[tuple[str, str], int]]],
          form_id: str) -> list[Row]:
    """The rows adding many responses' counts at once: *batch* holds
    (version, day, language, counts) per response (a bulk load)."""
    total: Counter[Key] = Counter()
    for version, day, language, counts in batch:
        for (question, value), n in counts.items():
            total[(question, value, day, language, version)] += n
    return sorted((form_id, *key, n) for key, n in total.items() if n)


@dataclass(frozen=True)
class Difference:
    """A kept figure that differs from a recount of the raw answers."""

    form_id: str
    what: str
    kept: int | str
    recounted: int | str

    def __str__(self) -> str:
        return f"{self.form_id}: {self.what}: kept {self.kept}, recounted {self.recounted}"


def describe(question: str, value: str, day: str, language: str, version: str) -> str:
    """A counter's key in words, for ``vnform tallies verify``."""
    if question == RESPONSES:
        what = "responses"
    elif question == CASES:
        what = "cases rated unsatisfied" if value == UNSATISFIED else "cases rated"
    elif value == ANSWERED:
        what = f"responses that answered {question}, less the values they gave"
    else:
        what = f"answers {question} = {value!r}"
    return f"{what}, day {day}, language {language}, version {version}"


def differences(kept: Iterable[Row], recounted: Iterable[Row]) -> list[Difference]:
    """Every counter that differs between *kept* (the tally table) and a recount of the
    raw answers, sorted by key."""
    expected: Counter[tuple[str, ...]] = Counter()
    for row in recounted:
        expected[tuple(row[:6])] += row[6]
    have = {tuple(row[:6]): row[6] for row in kept}
    found = []
    for key in sorted(set(expected) | set(have)):
        if have.get(key, 0) != expected.get(key, 0):
            found.append(Difference(key[0], describe(*key[1:]), have.get(key, 0),
                                    expected.get(key, 0)))
    return found
