"""Satisfaction indicators: exact, documented arithmetic over answer counts.

The database counts answers per question and value (SQL GROUP BY); everything here is
pure arithmetic on those counts, so each formula is tested against hand-computed
vectors. ``docs/indicators.md`` explains every figure with worked examples.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast
from zoneinfo import ZoneInfo

from vnform.forms.spec import FormSpec, Question

#: Wilson interval at 95%: the normal quantile, to the precision the figures need.
Z95 = 1.959964
#: An interval wider than this (percentage points) marks a figure as `low_n`.
WIDE_INTERVAL = 20.0
SCALE_TYPES = ("likert", "rating", "nps", "yes_no")


@dataclass(frozen=True)
class Scale:
    """The answer scale of an indicator question: numeric points and their ends."""

    kind: str  # likert | rating | nps | yes_no
    values: Mapping[str, float]  # answer code -> point on the scale (valid answers only)
    not_applicable: frozenset[str]
    low: float
    high: float

    @property
    def name(self) -> str:
        """``likert5``, ``rating10``, ``nps`` or ``yes_no``: dimensions pool one scale."""
        if self.kind in ("nps", "yes_no"):
            return self.kind
        return f"{self.kind}{len(self.values)}"

    @property
    def top2(self) -> frozenset[str]:
        """Satisfied answers: the two highest points (K and K−1); for yes/no, yes."""
        if self.kind == "yes_no":
            return frozenset({"yes"})
        ranked = sorted(self.values, key=self.values.__getitem__)
        return frozenset(ranked[-2:])

    @property
    def bottom2(self) -> frozenset[str]:
        """Dissatisfied answers: the two lowest points; for yes/no, no."""
        if self.kind == "yes_no":
            return frozenset({"no"})
        ranked = sorted(self.values, key=self.values.__getitem__)
        return frozenset(ranked[:2])


def scale_of(question: Question) -> Scale | None:
    """The scale of a likert, rating, NPS, yes/no or matrix question (None otherwise).

    Points are the choice codes when they are whole numbers, else the choices' positions
    (1..K); "does not apply" choices are no point of the scale.
    """
    kind = "likert" if question.type == "matrix" else question.type
    if kind not in SCALE_TYPES:
        return None
    if kind == "yes_no":
        return Scale("yes_no", {"yes": 1.0, "no": 0.0}, frozenset(), 0.0, 1.0)
    points = [c for c in question.choices if not c.not_applicable]
    na = frozenset(c.value for c in question.choices if c.not_applicable)
    if all(re.fullmatch(r"-?\d+", c.value) for c in points):
        values = {c.value: float(c.value) for c in points}
    else:
        values = {c.value: float(i) for i, c in enumerate(points, 1)}
    if kind == "nps":
        return Scale("nps", values, na, 0.0, 10.0)
    return Scale(kind, values, na, min(values.values()), max(values.values()))


@dataclass(frozen=True)
class Dimension:
    """Answer keys of one form that measure one dimension, on one scale."""

    name: str
    scale: Scale
    keys: tuple[str, ...]


def dimensions(spec: FormSpec) -> list[Dimension]:
    """The form's indicator dimensions, in order of first appearance.

    A matrix row takes its own `indicator`, else its question's. Keys of one dimension
    share a scale (`vnform check` refuses a dimension that mixes scales).
    """
    found: dict[str, tuple[Scale, list[str]]] = {}
    for question in spec.questions:
        scale = scale_of(question)
        if scale is None:
            continue
        if question.type == "matrix":
            pairs = [(row.indicator, f"{question.id}.{row.id}") for row in question.rows]
        else:
            pairs = [(question.indicator, question.id)]
        for name, key in pairs:
            if name:
                found.setdefault(name, (scale, []))[1].append(key)
    return [Dimension(name, scale, tuple(keys)) for name, (scale, keys) in found.items()]


@dataclass
class Tally:
    """Counts of one dimension: valid answers per code, "does not apply", and skips."""

    scale: Scale
    counts: dict[str, int] = field(default_factory=dict)
    n_na: int = 0
    n_skip: int = 0

    @property
    def n_valid(self) -> int:
        return sum(self.counts.values())

    def add(self, other: Tally) -> None:
        """Pool *other* into this tally. Another form's scale of the same name may use
        other codes (``1``..``5`` here, ``rat_hai_long``.. there): its answers are
        counted at the point of the same rank on this tally's scale."""
        recode = _recode(other.scale, self.scale)
        for code, n in other.counts.items():
            mine = recode.get(code, code)
            self.counts[mine] = self.counts.get(mine, 0) + n
        self.n_na += other.n_na
        self.n_skip += other.n_skip


def _recode(source: Scale, target: Scale) -> dict[str, str]:
    """Codes of *source* mapped to the codes of the same rank on *target*."""
    if source.values == target.values:
        return {}
    if source.name != target.name:
        raise ValueError(f"cannot pool a {source.name} scale into a {target.name} scale")
    ranked = [sorted(s.values, key=s.values.__getitem__) for s in (source, target)]
    return dict(zip(*ranked, strict=True))


def tally(dimension: Dimension, counts: Mapping[str, Mapping[str, int]],
          responses: int) -> Tally:
    """Pool a dimension's answers (counts per key and code) over its questions.

    Pooled dimensions count answers, not means of questions. Each response that did
    not answer a question of the dimension (skipped, or hidden by a condition) is a skip.
    """
    result = Tally(dimension.scale)
    for key in dimension.keys:
        answered = 0
        for code, n in counts.get(key, {}).items():
            answered += n
            if code in dimension.scale.values:
                result.counts[code] = result.counts.get(code, 0) + n
            else:  # "does not apply" (or a code no longer on the scale)
                result.n_na += n
        result.n_skip += max(responses - answered, 0)
    return result


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion, as fractions."""
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At p = 0 or 1 one end is exactly 0 or 1; floating point would give 0.9999999999999999.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


FIGURES = ("mean", "top2_pct", "bottom2_pct", "score_0_100", "ci95_low", "ci95_high")
NPS_FIGURES = ("promoters_pct", "detractors_pct", "nps")


def figures(t: Tally, minimum: int) -> dict[str, object]:
    """Every figure of one tally, with its status; values are null, never 0, when the
    dimension is undefined (no valid answer) or suppressed (fewer than *minimum*)."""
    scale, n = t.scale, t.n_valid
    record: dict[str, object] = {
        "scale": scale.name, "n_valid": n, "n_skip": t.n_skip, "n_na": t.n_na,
        **dict.fromkeys(FIGURES), **(dict.fromkeys(NPS_FIGURES) if scale.kind == "nps" else {}),
    }
    if n == 0:
        return record | {"status": "undefined"}
    if n < minimum:
        return record | {"status": "suppressed"}
    mean = sum(scale.values[code] * count for code, count in t.counts.items()) / n
    top2 = sum(c for code, c in t.counts.items() if code in scale.top2)
    bottom2 = sum(c for code, c in t.counts.items() if code in scale.bottom2)
    record |= {
        "mean": mean,
        "top2_pct": 100 * top2 / n,
        "bottom2_pct": 100 * bottom2 / n,
        "score_0_100": 100 * (mean - scale.low) / (scale.high - scale.low),
    }
    if scale.kind == "nps":
        # From whole counts, not from summed shares: 0.5 − (0.1 + 0.2) is not 0.2 in
        # floating point, and NPS +20 must be 20.0, not 19.999999999999996.
        promoters = sum(c for code, c in t.counts.items() if scale.values[code] >= 9)
        detractors = sum(c for code, c in t.counts.items() if scale.values[code] <= 6)
        p_plus, p_minus = promoters / n, detractors / n
        nps = 100 * (promoters - detractors) / n
        se = math.sqrt(max(p_plus + p_minus - (p_plus - p_minus) ** 2, 0) / n)
        low, high = max(-100.0, nps - 100 * Z95 * se), min(100.0, nps + 100 * Z95 * se)
        record |= {"promoters_pct": 100 * promoters / n, "detractors_pct": 100 * detractors / n,
                   "nps": nps, "ci95_low": low, "ci95_high": high}
    else:
        low, high = wilson(top2, n)
        record |= {"ci95_low": 100 * low, "ci95_high": 100 * high}
    wide = float(record["ci95_high"]) - float(record["ci95_low"])  # type: ignore[arg-type]
    return record | {"status": "low_n" if wide > WIDE_INTERVAL else "ok"}


def composite(records: Mapping[str, Mapping[str, object]], of: Sequence[str],
              weights: Mapping[str, float] | None = None) -> dict[str, object]:
    """A composite index: the (weighted) mean of its dimensions' satisfied shares.

    Undefined when any dimension is missing or undefined, suppressed when any is
    suppressed: never a partial mean.
    """
    parts = [records.get(name) for name in of]
    status = "ok"
    if any(part is None or part["status"] == "undefined" for part in parts):
        status = "undefined"
    elif any(part["status"] == "suppressed" for part in parts):  # type: ignore[index]
        status = "suppressed"
    if status != "ok":
        return {"scale": "composite", "of": list(of), "top2_pct": None, "status": status}
    w = {name: (weights or {}).get(name, 1.0) for name in of}
    shares = {name: cast(float, records[name]["top2_pct"]) for name in of}
    value = sum(w[name] * shares[name] for name in of) / sum(w.values())
    low_n = any(records[name]["status"] == "low_n" for name in of)
    return {"scale": "composite", "of": list(of), "top2_pct": value,
            "status": "low_n" if low_n else "ok"}


def case_satisfaction(cases: int, unsatisfied: int) -> float | None:
    """(cases − cases rated unsatisfied) / cases, in percent; None without cases."""
    return None if cases == 0 else 100 * (cases - unsatisfied) / cases


_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    """A month (``2026-11``), quarter (``2026-Q4``) or year (``2026``), in local days."""

    label: str
    first: dt.date
    after: dt.date  # the day after the last

    def window(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC."""
        start = dt.datetime.combine(self.first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        end = dt.datetime.combine(self.after, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        return start, end

    @property
    def kind(self) -> str:
        """``month``, ``quarter`` or ``year``."""
        months = (self.after.year - self.first.year) * 12 + self.after.month - self.first.month
        return {1: "month", 3: "quarter"}.get(months, "year")

    def shifted(self, steps: int) -> Period:
        """The period of the same kind *steps* earlier (negative) or later (positive)."""
        index = self.first.year * 12 + self.first.month - 1 + steps * _MONTHS[self.kind]
        return period_of(dt.date(index // 12, index % 12 + 1, 1), self.kind)


def period_of(day: dt.date, kind: str = "quarter") -> Period:
    """The month, quarter or year that contains *day* (a local date)."""
    if kind == "month":
        return parse_period(f"{day.year:04d}-{day.month:02d}")
    if kind == "quarter":
        return parse_period(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
    if kind == "year":
        return parse_period(f"{day.year:04d}")
    raise ValueError(f"not a kind of period: {kind!r}; use month, quarter or year")


def recent_periods(last: Period, count: int) -> list[Period]:
    """Up to *count* consecutive periods of *last*'s kind, oldest first, ending with *last*
    (fewer when the calendar starts sooner)."""
    periods = []
    for step in range(1 - count, 1):
        try:
            periods.append(last.shifted(step))
        except ValueError:  # before year 1
            continue
    return periods


def parse_period(text: str) -> Period:
    """Read a period; ValueError with a message that says what is accepted."""
    text = text.strip()
    try:
        if m := re.fullmatch(r"([0-9]{4})-([0-9]{2})", text):
            year, month = int(m[1]), int(m[2])
            if 1 <= month <= 12:
                first = dt.date(year, month, 1)
                after = dt.date(year + month // 12, month % 12 + 1, 1)
                return Period(text, first, after)
        elif m := re.fullmatch(r"([0-9]{4})-[Qq]([1-4])", text):
            year, quarter = int(m[1]), int(m[2])
            first = dt.date(year, 3 * quarter - 2, 1)
            after = (dt.date(year + 1, 1, 1) if quarter == 4
                     else dt.date(year, 3 * quarter + 1, 1))
            return Period(f"{year:04d}-Q{quarter}", first, after)
        elif re.fullmatch(r"[0-9]{4}", text):
            year = int(text)
            return Period(text, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    except ValueError:  # year 0000, or 9999 (whose end is past the calendar)
        pass
    raise ValueError(f"not a period: {text!r}; use a month (2026-11), a quarter (2026-Q4) "
                     "or a year (2026)")


def rounded(record: Mapping[str, object], places: int = 2) -> dict[str, object]:
    """A record for output: floats rounded to *places* (only here, never in between)."""
    return {key: round(value, places) if isinstance(value, float) else value
            for key, value in record.items()}


def group_key(spec: FormSpec, by: str) -> str:
    if by == "form":
        return spec.id
    if by == "service":
        return spec.service or ""
    if by == "agency":
        return spec.agency
    raise ValueError(f"cannot group by {by!r}; use form, service or agency")


def composites_of(spec: FormSpec) -> list[tuple[str, list[str], dict[str, float] | None]]:
    raw = spec.definition.get("composite")
    items: Iterable[object] = raw if isinstance(raw, list) else ([raw] if raw else [])
    result = []
    for item in items:
        if isinstance(item, dict):
            result.append((str(item["id"]), list(item["of"]), item.get("weights")))
    return result
