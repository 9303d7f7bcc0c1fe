"""The trend of each scale question on the results page: a chart of the satisfied share
(or NPS) per week or month and its table, in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from vnform import charts, formatting
from vnform.filters import masked
from vnform.forms.spec import FormSpec
from vnform.i18n import translations
from vnform.store.tallies import Figures
from vnform.trends import Step, scale_for, steps, trend, trend_keys

__all__ = ["TrendLine", "TrendView", "question_trends"]


@dataclass(frozen=True)
class TrendLine:
    """A row of a trend's table, as shown."""

    period: str
    answers: str
    value: str
    interval: str


@dataclass(frozen=True)
class TrendView:
    """A question's trend: *single* names the one period all its answers fall in (no
    trend to draw yet); else the chart and its table."""

    nps: bool
    kind: str  # week | month
    single: str = ""
    chart: Markup = Markup("")
    lines: tuple[TrendLine, ...] = ()


def question_trends(spec: FormSpec, found: Figures, lang: str, *, min_n: int, minimum: int,
                    active: bool, label: dict[str, str]) -> dict[str, TrendView]:
    """The trend of each rating, likert and NPS question (and matrix row) of *spec*,
    by week or month after the span of the responses in *found*. A period's figure
    needs *min_n* valid answers, as an indicator does; its count is masked below
    *minimum* in a filtered view. *label* names each answer key in the chart titles."""
    _ = translations(lang).gettext
    if not found.days:
        return {}
    periods = steps(found.days[0][0], found.days[-1][0])
    views = {}
    for key in trend_keys(spec):
        scale = scale_for(spec, key)
        if scale is None:
            continue
        nps = scale.kind == "nps"
        kind = periods[0].kind
        if len(periods) < 2:
            views[key] = TrendView(nps, kind, single=_period_name(periods[0], lang))
            continue
        points = trend(scale, found.by_day.get(key, {}), periods, min_n)
        lines = []
        for point in points:
            shown = masked(point.n_valid, minimum, active)[1]
            lines.append(TrendLine(
                _period_name(point.step, lang), formatting.integers_in(shown, lang),
                _figure(point.value, nps, lang),
                "" if point.low is None or point.high is None else
                _("%(low)s to %(high)s") % {"low": _figure(point.low, nps, lang),
                                            "high": _figure(point.high, nps, lang)}))
        values = [point.value for point in points]
        floor = charts.axis_floor(values, bottom=-100.0 if nps else 0.0)
        desc = _("A period without a column has fewer than %(n)s valid answers: too few "
                 "for a figure.") % {"n": formatting.integer(min_n, lang)}
        if floor:
            desc += " " + _("The axis starts at %(floor)s, not at zero, to show the "
                            "differences.") % {"floor": _figure(floor, nps, lang, 0)}
        title = (_("NPS per week, %(name)s") if nps and kind == "week"
                 else _("NPS per month, %(name)s") if nps
                 else _("Satisfied share per week, %(name)s") if kind == "week"
                 else _("Satisfied share per month, %(name)s")) % {"name": label[key]}
        chart = charts.column_chart(
            [(_short_name(point.step), point.value,
              "–" if point.value is None else _figure(point.value, nps, lang))
             for point in points],
            title=title, desc=desc, floor=floor,
            floor_display=_figure(floor, nps, lang, 0),
            id_prefix=f"trend-{key.replace('.', '-').replace('_', '-')}",
            max_value=100, max_display=_figure(100, nps, lang, 0))
        views[key] = TrendView(nps, kind, chart=chart, lines=tuple(lines))
    return views


def _figure(value: float | None, nps: bool, lang: str, digits: int = 1) -> str:
    """A share as ``58,8 %``, an NPS as ``+12,5``; a dash for none."""
    if value is None:
        return "–"
    if nps:
        return formatting.decimal(value, lang, digits, sign=True)
    return formatting.percent(value, lang, digits)


def _period_name(step: Step, lang: str) -> str:
    """``Tuần từ 23/11/2026`` / ``Week of 23/11/2026``; ``Tháng 11/2026``."""
    if step.kind == "month":
        return formatting.period(step.label, lang)
    return translations(lang).gettext("Week of %(day)s") % {"day": formatting.day(step.first)}


def _short_name(step: Step) -> str:
    """A chart's x label: ``23/11`` (the week's Monday) or ``11/2026``."""
    return step.first.strftime("%d/%m" if step.kind == "week" else "%m/%Y")
