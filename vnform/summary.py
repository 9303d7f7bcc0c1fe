"""Per-question results as the dashboard shows them: pure arithmetic over counts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from vnform.filters import masked
from vnform.forms.spec import NUMBER_TYPES, TEXT_TYPES, FormSpec, Question, Row, Text


@dataclass(frozen=True)
class Count:
    """A count as displayed: None (and a "< N" display) when masked as a small group."""

    value: int | None
    display: str
    percent: float | None = None


@dataclass(frozen=True)
class ChoiceLine:
    value: str
    label: Text
    count: Count


@dataclass(frozen=True)
class ChoiceResult:
    """Counts of each choice of one question (or one matrix row)."""

    key: str
    question: Question
    row: Row | None
    answered: Count
    lines: tuple[ChoiceLine, ...]


def count(n: int, base: int, minimum: int, active: bool) -> Count:
    value, display = masked(n, minimum, active)
    percent = None if value is None or not base else 100 * n / base
    return Count(value, display, percent)


def choice_results(spec: FormSpec, counts: Mapping[str, Mapping[str, int]],
                   answered: Mapping[str, int], minimum: int,
                   active: bool) -> dict[str, ChoiceResult]:
    """Results of every choice question and matrix row, keyed by answer key.

    Percentages are of the responses that answered the question, so a multiple-choice
    question's percentages can add up to more than 100.
    """
    results: dict[str, ChoiceResult] = {}
    for question in spec.questions:
        if not question.choices:
            continue
        rows: list[Row | None] = list(question.rows) if question.type == "matrix" else [None]
        for row in rows:
            key = f"{question.id}.{row.id}" if row else question.id
            base = answered.get(key, 0)
            by_value = counts.get(key, {})
            lines = tuple(
                ChoiceLine(c.value, c.label, count(by_value.get(c.value, 0), base, minimum,
                                                    active))
                for c in question.choices
            )
            results[key] = ChoiceResult(key, question, row, count(base, 0, minimum, active),
                                        lines)
    return results


def kind(question: Question) -> str:
    """How the dashboard summarises a question: 'choice', 'number' or 'text'."""
    if question.choices:
        return "choice"
    if question.type in NUMBER_TYPES:
        return "number"
    if question.type in TEXT_TYPES:
        return "text"
    return "value"  # dates: counted per value like choices, but without a fixed list


@dataclass(frozen=True)
class NumberStats:
    n: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None


def number_stats(histogram: Mapping[str, int]) -> NumberStats:
    """n, mean, median, lowest and highest of a number question, from its exact
    histogram (answers per value as stored)."""
    points = sorted((float(value), n) for value, n in histogram.items() if n > 0)
    total = sum(n for _value, n in points)
    if not total:
        return NumberStats(0, None, None, None, None)
    mean = math.fsum(value * n for value, n in points) / total
    return NumberStats(total, mean, _middle(points, total), points[0][0], points[-1][0])


def _middle(points: list[tuple[float, int]], total: int) -> float:
    """The median: the middle answer, or the mean of the two middle ones."""
    wanted = sorted({(total - 1) // 2, total // 2})
    found: list[float] = []
    seen = 0
    for value, n in points:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


def value_range(histogram: Mapping[str, int]) -> tuple[int, str | None, str | None]:
    """How many answered, and the lowest and highest value (ISO dates sort as text)."""
    given = sorted(value for value, n in histogram.items() if n > 0)
    total = sum(n for n in histogram.values() if n > 0)
    return (total, given[0], given[-1]) if given else (0, None, None)
