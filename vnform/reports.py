"""Indicator reports: the counts from the database turned into records, per form, service
or agency and period. Shared by the command line, the API, open data and the dashboard."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from vnform import store
from vnform.export import neutralise
from vnform.forms.spec import FormSpec
from vnform.indicators import (
    Period,
    Tally,
    case_satisfaction,
    composite,
    composites_of,
    dimensions,
    figures,
    group_key,
    period_of,
    rounded,
    tally,
)
from vnform.tallying import ANSWERED, CASES, RESPONSES, UNSATISFIED

#: Every record has these fields, in this order (the CSV columns).
FIELDS = ("period", "form", "agency", "service", "indicator", "questions", "scale",
          "n_valid", "n_skip", "n_na", "mean", "top2_pct", "bottom2_pct", "score_0_100",
          "ci95_low", "ci95_high", "status", "promoters_pct", "detractors_pct", "nps",
          "of", "cases", "case_satisfaction_pct")
SATISFACTION = "satisfaction"


async def indicator_records(specs: Sequence[FormSpec], period: Period, minimum: int,
                            by: str = "form") -> list[dict[str, object]]:
    """Every indicator record of *specs* in *period* (local days), grouped *by* form,
    service or agency: sums of the tallies, one statement whatever the number of forms,
    days and responses.

    Forms pool into a group's record when they measure the same dimension on the same
    scale; a dimension measured on two scales gives one record per scale.
    """
    dims = {spec.id: dimensions(spec) for spec in specs}
    keys = {spec.id: [k for d in dims[spec.id] for k in d.keys] for spec in specs}
    found = await store.period_counts(keys, period.first, period.after)
    # Answers per key and code (the "answered" counters, value "", are not codes).
    counts = {form_id: {key: {code: n for code, n in by_code.items() if code != ANSWERED}
                        for key, by_code in by_key.items() if key not in (RESPONSES, CASES)}
              for form_id, by_key in found.items()}
    responses = {form_id: by_key.get(RESPONSES, {}).get(ANSWERED, 0)
                 for form_id, by_key in found.items()}

    groups: dict[tuple[str, str, str], tuple[list[FormSpec], Tally, list[str]]] = {}
    for spec in specs:
        for dim in dims[spec.id]:
            t = tally(dim, counts.get(spec.id, {}), responses.get(spec.id, 0))
            group = (group_key(spec, by), dim.name, dim.scale.name)
            if group not in groups:
                groups[group] = ([], Tally(dim.scale), [])
            forms, total, questions = groups[group]
            forms.append(spec)
            total.add(t)
            questions.extend(dim.keys if by == "form" else (f"{spec.id}:{k}" for k in dim.keys))

    records: list[dict[str, object]] = []
    for (key, name, _scale), (forms, total, questions) in groups.items():
        records.append(_record(period, by, key, forms, name, questions) | figures(total, minimum))
    if by == "form":
        records.extend(_form_extras(specs, period, records, found, minimum))
    return [{name: record.get(name) for name in FIELDS} for record in records]


#: The fields that carry a figure (not a count): left empty in a suppressed record.
FIGURE_FIELDS = ("mean", "top2_pct", "bottom2_pct", "score_0_100", "ci95_low", "ci95_high",
                 "promoters_pct", "detractors_pct", "nps", "case_satisfaction_pct")
GROUP_FIELDS = {"form": "form", "service": "service", "agency": "agency"}


async def protected_records(specs: Sequence[FormSpec], period: Period, minimum: int,
                            by: str = "form") -> list[dict[str, object]]:
    """:func:`indicator_records` of *period*, safe from differencing across nested
    periods: a quarter's or a year's record is suppressed when the record of one of its
    months is, since the period's figure less the other months' would give that month's
    (docs/indicators.md, "Nested periods"). A composite index goes with any of its
    parts."""
    records = await indicator_records(specs, period, minimum, by)
    if period.kind == "month":
        return records
    field = GROUP_FIELDS[by]
    hidden: set[tuple[object, object, object]] = set()
    for month in months_of(period):
        for record in await indicator_records(specs, month, minimum, by):
            if record["status"] == "suppressed":
                hidden.add((record[field], record["indicator"], record["scale"]))
    parts_hidden = {(group, indicator) for group, indicator, _scale in hidden}
    protected = []
    for record in records:
        group = record[field]
        nested = (group, record["indicator"], record["scale"]) in hidden or (
            record["scale"] == "composite" and any(
                (group, part) in parts_hidden for part in record["of"] or ()))  # type: ignore[union-attr]
        if nested and record["status"] != "suppressed":
            record = record | dict.fromkeys(FIGURE_FIELDS) | {"status": "suppressed"}
        protected.append(record)
    return protected


def months_of(period: Period) -> list[Period]:
    """The months of a quarter or a year."""
    found, month = [], period_of(period.first, "month")
    while month.first < period.after:
        found.append(month)
        month = month.shifted(1)
    return found


def _record(period: Period, by: str, key: str, forms: list[FormSpec], indicator: str,
            questions: list[str]) -> dict[str, object]:
    first = forms[0]
    return {
        "period": period.label,
        "form": first.id if by == "form" else None,
        "agency": first.agency if by in ("form", "agency") else None,
        "service": (first.service if by == "form" else key) if by != "agency" else None,
        "indicator": indicator,
        "questions": questions,
    }


def _form_extras(specs: Sequence[FormSpec], period: Period, records: list[dict[str, object]],
                 found: dict[str, dict[str, dict[str, int]]],
                 minimum: int) -> list[dict[str, object]]:
    """Composite indexes and per-case satisfaction, which are defined per form.

    A case counts as rated unsatisfied by the satisfaction questions of the form
    version it answered (see :mod:`vnform.tallying`)."""
    extras: list[dict[str, object]] = []
    for spec in specs:
        own = {str(r["indicator"]): r for r in records if r["form"] == spec.id}
        for composite_id, of, weights in composites_of(spec):
            extras.append(_record(period, "form", spec.id, [spec], composite_id, [])
                          | composite(own, of, weights))
        if not any(d.name == SATISFACTION for d in dimensions(spec)):
            continue
        rated = found.get(spec.id, {}).get(CASES, {})
        cases, unsatisfied = rated.get(ANSWERED, 0), rated.get(UNSATISFIED, 0)
        if cases:
            enough = cases >= minimum
            extras.append(_record(period, "form", spec.id, [spec], "case_satisfaction", [])
                          | {"scale": "cases", "cases": cases,
                             "case_satisfaction_pct":
                                 case_satisfaction(cases, unsatisfied) if enough else None,
                             "status": "ok" if enough else "suppressed"})
    return extras


def as_json(records: Sequence[dict[str, object]]) -> dict[str, object]:
    """``{"indicators": [...]}``, values rounded to 2 decimals (only at output)."""
    return {"indicators": [rounded(record) for record in records]}


def as_csv(records: Sequence[dict[str, object]]) -> str:
    """The same records as CSV: the JSON fields as columns, lists joined with ``;``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for record in records:
        shown = rounded(record)
        writer.writerow(neutralise(_cell(shown[name])) for name in FIELDS)
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)
