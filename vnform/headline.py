"""The figures at the top of a form's results page: its satisfied share with the 95%
interval, its score from 0 to 100 and its NPS for a period, each with the change against
the period before. Pure: indicator records (as :mod:`vnform.reports` computes them) in,
figures out; a hidden record gives no figure, and no change is made up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Figure", "headline"]

Record = Mapping[str, Any]
SHOWN = ("ok", "low_n")


@dataclass(frozen=True)
class Figure:
    """One headline figure: ``share`` (percent), ``score`` (0–100) or ``nps`` (-100 to
    100); ``change`` is in points against the period before (None: no figure then)."""

    kind: str
    indicator: str
    value: float
    low: float | None = None
    high: float | None = None
    change: float | None = None
    few: bool = False  # few answers: the interval is wider than 20 points


def headline(now: Sequence[Record], before: Sequence[Record]) -> list[Figure]:
    """The satisfied share and score of the main scale dimension ("satisfaction" when
    the form has it), and the NPS when the form asks for one."""
    figures: list[Figure] = []
    main = _main_scale(now)
    if main is not None:
        then = _same(main, before)
        figures.append(Figure("share", str(main["indicator"]), float(main["top2_pct"]),
                              _number(main.get("ci95_low")), _number(main.get("ci95_high")),
                              _change(main, then, "top2_pct"), main["status"] == "low_n"))
        if main.get("score_0_100") is not None:
            figures.append(Figure("score", str(main["indicator"]),
                                  float(main["score_0_100"]),
                                  change=_change(main, then, "score_0_100")))
    nps = next((r for r in now if r["scale"] == "nps" and r["status"] in SHOWN
                and r.get("nps") is not None), None)
    if nps is not None:
        figures.append(Figure("nps", str(nps["indicator"]), float(nps["nps"]),
                              _number(nps.get("ci95_low")), _number(nps.get("ci95_high")),
                              _change(nps, _same(nps, before), "nps"),
                              nps["status"] == "low_n"))
    return figures


def _main_scale(records: Sequence[Record]) -> Record | None:
    scales = [r for r in records if str(r["scale"]).startswith(("likert", "rating"))
              and r["status"] in SHOWN and r.get("top2_pct") is not None]
    return next((r for r in scales if r["indicator"] == "satisfaction"),
                scales[0] if scales else None)


def _same(record: Record, records: Sequence[Record]) -> Record | None:
    return next((r for r in records if r["indicator"] == record["indicator"]
                 and r["scale"] == record["scale"] and r["status"] in SHOWN), None)


def _change(now: Record, then: Record | None, name: str) -> float | None:
    if then is None or then.get(name) is None or now.get(name) is None:
        return None
    return float(now[name]) - float(then[name])


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
