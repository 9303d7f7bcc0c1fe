"""Scale questions side by side: every rating, likert and NPS question (and matrix row)
of a form on a scale of the same number of points, in one table, point by point.

A 5-star rating and a 5-point likert scale measure on five points each: compared by
rank (lowest point first), their answers read side by side even though their choices
are worded differently. Pure arithmetic over counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vnform.forms.spec import FormSpec, Question, Row
from vnform.indicators import scale_of
from vnform.summary import Count, count
from vnform.trends import TREND_TYPES

__all__ = ["Comparison", "ComparedKey", "comparisons"]


@dataclass(frozen=True)
class ComparedKey:
    """One question (or matrix row) of a comparison: its valid answers, the share of
    each point of its scale from the lowest up, the satisfied share (the two highest
    points) and the mean point (1 = lowest; NPS: from 0 to 10); None where the count
    is masked."""

    key: str
    question: Question
    row: Row | None
    answered: Count
    shares: tuple[float | None, ...]
    satisfied: float | None
    mean: float | None


@dataclass(frozen=True)
class Comparison:
    """The keys of one form whose scales have *points* points (NPS: its own table)."""

    points: int
    nps: bool
    keys: tuple[ComparedKey, ...]


def comparisons(spec: FormSpec, counts: Mapping[str, Mapping[str, int]], minimum: int,
                active: bool) -> list[Comparison]:
    """The form's scale questions grouped by the number of points of their scales,
    for each group of two keys or more, in the order the form asks them."""
    groups: dict[tuple[bool, int], list[ComparedKey]] = {}
    for question in spec.questions:
        scale = scale_of(question)
        if scale is None or question.type not in TREND_TYPES:
            continue
        ranked = sorted(scale.values, key=scale.values.__getitem__)
        rows: list[Row | None] = list(question.rows) if question.type == "matrix" else [None]
        for row in rows:
            key = f"{question.id}.{row.id}" if row else question.id
            by_value = counts.get(key, {})
            valid = sum(by_value.get(code, 0) for code in ranked)
            answered = count(valid, 0, minimum, active)
            shown = answered.value is not None and valid > 0
            # A point chosen by a small group is masked, as the bar charts mask it; the
            # figures made from it go with it (share × answers would give it back).
            small = {code for code in ranked
                     if count(by_value.get(code, 0), 0, minimum, active).value is None}
            shares = tuple(100 * by_value.get(code, 0) / valid
                           if shown and code not in small else None for code in ranked)
            shown = shown and not small
            satisfied = (100 * sum(by_value.get(code, 0) for code in scale.top2) / valid
                         if shown else None)
            points = ({code: scale.values[code] for code in ranked} if scale.kind == "nps"
                      else {code: float(rank) for rank, code in enumerate(ranked, 1)})
            mean = (sum(points[code] * by_value.get(code, 0) for code in ranked) / valid
                    if shown else None)
            groups.setdefault((scale.kind == "nps", len(ranked)), []).append(
                ComparedKey(key, question, row, answered, shares, satisfied, mean))
    return [Comparison(points, nps, tuple(keys))
            for (nps, points), keys in groups.items() if len(keys) > 1]
