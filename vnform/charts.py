"""Accessible SVG charts drawn on the server, for the results dashboard.

Charts are pictures of numbers that the page also shows in a table, so every chart is
one image to assistive technology: ``role="img"`` named by its own ``<title>`` (and
``<desc>``), with no JavaScript. Each chart scales to its container (``width="100%"``
and a ``viewBox``, no fixed pixel size), so it fits a 320 px screen; give the
``vnf-chart`` class a ``max-width`` in CSS so it does not grow huge on wide screens.

Values are never shown by colour alone: each bar carries its value as text. Bars use
one dark blue (#1d70b8, 5.2:1 against white) and text is near-black (#0b0c0c).

Empty data gives an empty ``Markup``: the template shows its own (translated)
"no data" message instead of a blank picture.
"""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "axis_floor", "bar_chart", "column_chart", "x_label_indices"]

WIDTH = 360  # viewBox width in user units; ~0.8 px per unit on a 320 px phone
FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
    "'Noto Sans', sans-serif"
)
BAR_FILL = "#1d70b8"
TEXT_FILL = "#0b0c0c"
GRID_STROKE = "#505a5f"

LABEL_MAX_CHARS = 60  # longer bar labels are cut with an ellipsis
LABEL_LINE_CHARS = 36  # characters per label line in the bar chart
X_LABEL_MAX_CHARS = 12  # column-chart x labels
MAX_X_LABELS = 12

_CHAR_EM = 0.6  # rough average glyph width, in em, for estimating text width
_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
# Characters XML 1.0 does not allow (and lone surrogates, which cannot be encoded).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart; ``value=None`` means masked: no bar, only ``display``."""

    label: str
    value: float | None
    display: str


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    id_prefix: str,
    desc: str | None = None,
    max_value: float | None = None,
) -> Markup:
    """Horizontal bars, one row per Bar: label line(s) above, value text after the bar.

    Bar length is ``value / scale`` of the bar area, where ``scale`` is ``max_value``
    when given (e.g. 100 for percentages) or else the largest value; bars never go
    past the scale. Negative values count as 0. Returns empty Markup for no bars.
    """
    if not bars:
        return Markup("")
    values = [_number(bar.value) for bar in bars]
    displays = [_clean(bar.display) for bar in bars]
    scale = _number(max_value)
    if not scale:
        scale = max((v for v in values if v is not None), default=0.0)

    label_size, line_height, bar_height, row_gap = 16, 20, 22, 14
    text_gap = 6
    widest = max((_text_width(d, label_size) for d in displays), default=0.0)
    bar_area = max(WIDTH / 2, WIDTH - widest - text_gap - 2)

    rows: list[str] = []
    y = 4.0
    for bar, value, display in zip(bars, values, displays, strict=True):
        label = _clean(bar.label)
        lines = _wrap(_truncate(label, LABEL_MAX_CHARS), LABEL_LINE_CHARS) or [""]
        parts = [f'<g class="vnf-bar-row"><title>{escape(label)}</title>']
        for line in lines:
            y += line_height
            parts.append(f'<text x="0" y="{_n(y - 4)}">{escape(line)}</text>')
        bar_y = y + 4
        width = 0.0
        if value and scale > 0:
            width = max(1.0, bar_area * min(value / scale, 1.0))
            parts.append(
                f'<rect class="vnf-bar" x="0" y="{_n(bar_y)}" width="{_n(width)}" '
                f'height="{bar_height}" fill="{BAR_FILL}"/>'
            )
        text_x = width + text_gap if width else 0
        text_y = bar_y + bar_height / 2 + label_size * 0.35
        parts.append(
            f'<text class="vnf-value" x="{_n(text_x)}" y="{_n(text_y)}">'
            f"{escape(display)}</text></g>"
        )
        rows.append("".join(parts))
        y = bar_y + bar_height + row_gap
    height = y - row_gap + 4
    return _svg(
        "".join(rows),
        title=title,
        desc=desc,
        id_prefix=id_prefix,
        height=height,
        kind="vnf-bar-chart",
        font_size=label_size,
    )


def column_chart(
    points: Sequence[tuple[str, float | None, str]],
    *,
    title: str,
    id_prefix: str,
    desc: str | None = None,
    max_value: float | None = None,
    max_display: str | None = None,
    floor: float = 0.0,
    floor_display: str | None = None,
) -> Markup:
    """Vertical columns over time, e.g. responses per day as ("27/11", 12, "12").

    With *max_value* (e.g. 100 for percentages) the columns are drawn against that top,
    labelled *max_display*, rather than against the largest value. With a *floor* other
    than zero the axis starts there (labelled *floor_display*; the caller says so in
    *desc*), so that close values show their differences; under zero (an NPS), a line
    marks zero and negative values are drawn from the floor up.

    Draws a baseline, a dashed gridline at the largest value labelled with that point's
    ``display`` text, and at most ``MAX_X_LABELS`` x labels, evenly thinned so they never
    overlap. Values are written above the columns when there is room for them; a
    ``None`` value draws no column. Returns empty Markup for no points.
    """
    if not points:
        return Markup("")
    labels = [_truncate(_clean(label), X_LABEL_MAX_CHARS) for label, _, _ in points]
    values = [_number(value, signed=floor < 0) for _, value, _ in points]
    displays = [_clean(display) for _, _, display in points]
    n = len(points)

    axis_size, value_size = 14, 14
    top, plot_height = 24.0, 160.0
    baseline = top + plot_height
    if max_value is not None and max_value > 0:
        peak, peak_display = float(max_value), _clean(max_display or _n(max_value))
    else:
        peak = max((v for v in values if v is not None), default=0.0)
        peak_display = displays[values.index(peak)] if peak > 0 else ""

    floor = min(float(floor), peak) if peak > 0 else 0.0
    floor_text = _clean(floor_display or _n(floor)) if floor else "0"
    # Room for the longer axis label, measured generously: a cut label misleads.
    axis_width = max(_text_width(peak_display, axis_size),
                     _text_width(floor_text, axis_size)) * 1.15 + 10
    label_width = max(_text_width(label, axis_size) for label in labels)
    left = max(axis_width, label_width / 2)
    right = WIDTH - label_width / 2
    pitch = (right - left) / n
    column_width = min(pitch * 0.8 if pitch >= 3 else pitch, 48.0)

    parts = [
        f'<text class="vnf-axis" x="{_n(axis_width - 6)}" y="{_n(baseline + 5)}" '
        f'font-size="{axis_size}" text-anchor="end">{escape(floor_text)}</text>'
    ]
    if peak > 0:
        parts.append(
            f'<line class="vnf-grid" x1="{_n(axis_width)}" y1="{_n(top)}" x2="{WIDTH}" '
            f'y2="{_n(top)}" stroke="{GRID_STROKE}" stroke-width="1" '
            f'stroke-dasharray="4 3"/>'
            f'<text class="vnf-axis" x="{_n(axis_width - 6)}" y="{_n(top + 5)}" '
            f'font-size="{axis_size}" text-anchor="end">{escape(peak_display)}</text>'
        )

    widest = max((_text_width(d, value_size) for d in displays), default=0.0)
    show_values = pitch >= widest + 4
    for i, (value, display) in enumerate(zip(values, displays, strict=True)):
        centre = left + pitch * (i + 0.5)
        span = peak - floor
        height = (plot_height * (min(value, peak) - floor) / span
                  if value is not None and span > 0 and value > floor else 0.0)
        if value is not None and (value > 0 or floor < 0) and height < 1:
            height = 1.0  # a value at (or under) the floor still shows as a sliver
        if height:
            parts.append(
                f'<rect class="vnf-column" x="{_n(centre - column_width / 2)}" '
                f'y="{_n(baseline - height)}" width="{_n(column_width)}" '
                f'height="{_n(height)}" fill="{BAR_FILL}">'
                f"<title>{escape(labels[i])}: {escape(display)}</title></rect>"
            )
        if show_values:
            parts.append(
                f'<text class="vnf-value" x="{_n(centre)}" y="{_n(baseline - height - 5)}" '
                f'font-size="{value_size}" text-anchor="middle">{escape(display)}</text>'
            )

    parts.append(
        f'<line class="vnf-baseline" x1="{_n(axis_width)}" y1="{_n(baseline)}" '
        f'x2="{WIDTH}" y2="{_n(baseline)}" stroke="{TEXT_FILL}" stroke-width="1.5"/>'
    )
    if floor < 0 < peak:  # an axis from below zero (an NPS): where zero is
        zero = baseline - plot_height * -floor / (peak - floor)
        parts.append(
            f'<line class="vnf-zero" x1="{_n(axis_width)}" y1="{_n(zero)}" x2="{WIDTH}" '
            f'y2="{_n(zero)}" stroke="{TEXT_FILL}" stroke-width="1"/>'
            f'<text class="vnf-axis" x="{_n(axis_width - 6)}" y="{_n(zero + 5)}" '
            f'font-size="{axis_size}" text-anchor="end">0</text>'
        )
    for i in x_label_indices(n, label_width, right - left):
        parts.append(
            f'<text class="vnf-x-label" x="{_n(left + pitch * (i + 0.5))}" '
            f'y="{_n(baseline + 20)}" font-size="{axis_size}" text-anchor="middle">'
            f"{escape(labels[i])}</text>"
        )
    return _svg(
        "".join(parts),
        title=title,
        desc=desc,
        id_prefix=id_prefix,
        height=baseline + 28,
        kind="vnf-column-chart",
        font_size=axis_size,
    )


def axis_floor(values: Sequence[float | None], bottom: float = 0.0) -> float:
    """Where a trend's axis starts: a round ten under the lowest value, so that 55–66 %
    is not drawn as columns of one height; zero when a value is low anyway (from 0 to
    30) or there is none; under zero (an NPS, whose *bottom* is −100) a round ten
    under the lowest value."""
    shown = [value for value in values if value is not None]
    if not shown or 0 <= min(shown) < 30:
        return 0.0
    return float(max(bottom, (min(shown) - 10) // 10 * 10))


def x_label_indices(count: int, label_width: float, plot_width: float) -> list[int]:
    """Indices of the points to label: evenly spaced, never overlapping, at most 12."""
    if count <= 0:
        return []
    fits = int(plot_width // (label_width + 8)) if label_width > 0 else count
    most = max(1, min(MAX_X_LABELS, fits, count))
    step = math.ceil(count / most)
    return list(range(0, count, step))


def _svg(
    body: str,
    *,
    title: str,
    desc: str | None,
    id_prefix: str,
    height: float,
    kind: str,
    font_size: int,
) -> Markup:
    """Wrap chart content in an accessible, scalable ``<svg>`` element."""
    if not _ID_RE.match(id_prefix):
        raise ValueError(f"id_prefix must be a simple HTML id, got {id_prefix!r}")
    title_id = f"{id_prefix}-title"
    desc_text = _clean(desc) if desc is not None else ""
    desc_id = f"{id_prefix}-desc" if desc_text else ""
    labelledby = f"{title_id} {desc_id}" if desc_id else title_id
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="vnf-chart {kind}" role="img" '
        f'aria-labelledby="{labelledby}" focusable="false" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="{FONT_FAMILY}" '
        f'font-size="{font_size}" fill="{TEXT_FILL}">',
        f'<title id="{title_id}">{escape(_clean(title))}</title>',
    ]
    if desc_id:
        head.append(f'<desc id="{desc_id}">{escape(desc_text)}</desc>')
    return Markup("".join(head) + body + "</svg>")


def _clean(text: str) -> str:
    """NFC text on one line, without characters XML cannot carry."""
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(_XML_BAD.sub("", text).split())


def _truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, at a word if possible, with "…"."""
    if len(text) <= limit:
        return text
    cut = limit - 1
    space = text.rfind(" ", 0, cut + 1)
    if space > limit * 2 // 3:
        cut = space
    # Never leave a combining mark without its letter.
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + "…"


def _wrap(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` characters."""
    return textwrap.wrap(text, width, break_on_hyphens=False)


def _text_width(text: str, font_size: float) -> float:
    """Rough rendered width of ``text`` in user units."""
    return len(text) * font_size * _CHAR_EM


def _number(value: float | None, signed: bool = False) -> float | None:
    """A finite float, non-negative unless *signed*, or None for masked or unusable
    values."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    return number if signed else max(number, 0.0)


def _n(number: float) -> str:
    """Format a coordinate compactly (at most two decimals)."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
