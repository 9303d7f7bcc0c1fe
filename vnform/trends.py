"""Trends of scale questions over time: the satisfied share (or the NPS) per week or
per month, chosen by the span of the data. Pure arithmetic over answers per day; each
period's figure comes from :func:`vnform.indicators.figures`, the indicators' own
formulas, so a trend and an indicator never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vnform.forms.spec import FormSpec
from vnform.indicators import Scale, Tally, figures, scale_of

__all__ = ["TREND_TYPES", "Step", "TrendPoint", "scale_for", "steps", "trend", "trend_keys"]

#: Question types that get a trend: those whose answers are points on a scale.
TREND_TYPES = ("rating", "likert", "nps", "matrix")
#: Data spanning up to this many days is shown week by week; longer, month by month.
WEEKLY_UP_TO_DAYS = 12 * 7


@dataclass(frozen=True)
class Step:
    """One period of a trend: a week (Monday to Sunday) or a calendar month."""

    kind: str  # week | month
    first: dt.date
    after: dt.date  # the day after the last

    @property
    def label(self) -> str:
        """``2026-11`` for a month (as :mod:`vnform.indicators` names it), the first
        day (``2026-11-23``) for a week."""
        return self.first.strftime("%Y-%m") if self.kind == "month" else self.first.isoformat()


@dataclass(frozen=True)
class TrendPoint:
    """A period's figure: *value* is the satisfied share in percent (NPS: the NPS),
    None when the period has fewer valid answers than the minimum."""

    step: Step
    n_valid: int
    value: float | None
    low: float | None
    high: float | None


def trend_keys(spec: FormSpec) -> list[str]:
    """The answer keys of *spec* that get a trend: rating, likert and NPS questions and
    each matrix row."""
    keys = []
    for question in spec.questions:
        if question.type not in TREND_TYPES or not question.choices:
            continue
        if question.type == "matrix":
            keys += [f"{question.id}.{row.id}" for row in question.rows]
        else:
            keys.append(question.id)
    return keys


def steps(first: dt.date, last: dt.date) -> list[Step]:
    """The weeks (data over up to 12 weeks) or months (longer) from *first* to *last*,
    consecutive, none left out even when it has no answers."""
    if first > last:
        return []
    found = []
    if (last - first).days < WEEKLY_UP_TO_DAYS:
        start = first - dt.timedelta(days=first.weekday())
        while start <= last:
            found.append(Step("week", start, start + dt.timedelta(days=7)))
            start += dt.timedelta(days=7)
        return found
    start = first.replace(day=1)
    while start <= last:
        after = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        found.append(Step("month", start, after))
        start = after
    return found


def trend(scale: Scale, by_day: Mapping[dt.date, Mapping[str, int]], periods: Sequence[Step],
          minimum: int) -> list[TrendPoint]:
    """The figure of each period from the answers per day and value: the satisfied share
    (the two highest points; yes for yes/no) or, on an NPS scale, the NPS, with its 95%
    interval. "Does not apply" answers are no valid answer."""
    points = []
    for step in periods:
        tally = Tally(scale)
        for day, counts in by_day.items():
            if step.first <= day < step.after:
                for code, n in counts.items():
                    if code in scale.values:
                        tally.counts[code] = tally.counts.get(code, 0) + n
                    else:
                        tally.n_na += n
        record = figures(tally, minimum)
        value = record["nps" if scale.kind == "nps" else "top2_pct"]
        low, high = record["ci95_low"], record["ci95_high"]
        points.append(TrendPoint(step, tally.n_valid, _float(value), _float(low), _float(high)))
    return points


def scale_for(spec: FormSpec, key: str) -> Scale | None:
    """The scale of answer key *key* (a question, or a matrix row) of *spec*."""
    question = spec.question(key.split(".", 1)[0])
    return scale_of(question) if question is not None else None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
