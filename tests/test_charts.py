"""Server-drawn SVG charts: well-formed, accessible, escaped, proportional."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from vnform.charts import Bar, axis_floor, bar_chart, column_chart, x_label_indices

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def rows(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "vnf-bar-row"]


def texts(element: ET.Element, cls: str | None = None) -> list[str]:
    return [
        t.text or ""
        for t in element.iter(f"{SVG}text")
        if cls is None or t.get("class") == cls
    ]


def rect_widths(element: ET.Element) -> list[float]:
    return [float(r.get("width", "nan")) for r in element.iter(f"{SVG}rect")]


def days(count: int) -> list[tuple[str, float | None, str]]:
    return [(f"{i % 28 + 1}/{i // 28 % 12 + 1}", float(i % 9), str(i % 9)) for i in range(count)]


SAMPLE = [Bar("Có", 30, "30 (60%)"), Bar("Không", 20, "20 (40%)")]


def test_bar_chart_returns_markup() -> None:
    assert isinstance(bar_chart(SAMPLE, title="Kết quả", id_prefix="q1"), Markup)
    assert isinstance(column_chart(days(3), title="Theo ngày", id_prefix="d1"), Markup)


def test_bar_chart_is_well_formed_svg() -> None:
    svg = parse(bar_chart(SAMPLE, title="Kết quả", id_prefix="q1"))
    assert svg.tag == f"{SVG}svg"


def test_svg_is_an_image_named_by_its_own_title_and_desc() -> None:
    svg = parse(bar_chart(SAMPLE, title="Kết quả", id_prefix="q1", desc="Câu 1, 50 trả lời"))
    assert svg.get("role") == "img"
    assert svg.get("focusable") == "false"
    assert svg.get("aria-labelledby") == "q1-title q1-desc"
    title, desc = svg[0], svg[1]
    assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", "q1-title", "Kết quả")
    assert (desc.tag, desc.get("id"), desc.text) == (f"{SVG}desc", "q1-desc", "Câu 1, 50 trả lời")


def test_without_desc_aria_labelledby_names_only_the_title() -> None:
    svg = parse(column_chart(days(3), title="Theo ngày", id_prefix="d1"))
    assert svg.get("aria-labelledby") == "d1-title"
    assert svg.find(f"{SVG}desc") is None


def test_two_charts_on_one_page_have_distinct_ids() -> None:
    first = parse(bar_chart(SAMPLE, title="A", id_prefix="q1"))
    second = parse(bar_chart(SAMPLE, title="B", id_prefix="q2"))
    ids = {e.get("id") for svg in (first, second) for e in svg.iter() if e.get("id")}
    assert ids == {"q1-title", "q2-title"}


def test_invalid_id_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        bar_chart(SAMPLE, title="A", id_prefix='x" onload="alert(1)')


def test_svg_scales_to_its_container_without_fixed_pixel_size() -> None:
    for markup in (
        bar_chart(SAMPLE, title="A", id_prefix="q1"),
        column_chart(days(30), title="B", id_prefix="d1"),
    ):
        svg = parse(markup)
        assert svg.get("width") == "100%"
        assert svg.get("height") is None
        assert svg.get("preserveAspectRatio") == "xMinYMin meet"
        x, y, width, height = map(float, svg.get("viewBox", "").split())
        assert (x, y) == (0, 0) and width > 0 and height > 0


def test_text_uses_system_fonts_and_dark_colours() -> None:
    svg = parse(bar_chart(SAMPLE, title="A", id_prefix="q1"))
    assert "system-ui" in svg.get("font-family", "")
    assert svg.get("fill") == "#0b0c0c"
    assert float(svg.get("font-size", "0")) >= 14
    assert {r.get("fill") for r in svg.iter(f"{SVG}rect")} == {"#1d70b8"}


def test_hostile_labels_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & <b>'
    markup = bar_chart(
        [Bar(hostile, 1, "<i>1</i> & co")], title="<img src=x>&", id_prefix="q1", desc="a<b"
    )
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup and "&amp;" in markup
    svg = parse(markup)
    assert svg[0].text == "<img src=x>&"
    assert hostile in texts(svg)
    assert "<i>1</i> & co" in texts(svg, "vnf-value")


def test_hostile_labels_are_escaped_in_column_chart() -> None:
    markup = column_chart([("<b>&", 1, "<1>")], title="x</title><script>", id_prefix="d1")
    assert "<script" not in markup and "<b>" not in markup
    svg = parse(markup)
    assert svg[0].text == "x</title><script>"
    assert "<b>&" in texts(svg, "vnf-x-label")


def test_characters_xml_cannot_carry_are_dropped() -> None:
    svg = parse(bar_chart([Bar("a\x00b\x1bc\nd", 1, "1")], title="t\x0c", id_prefix="q1"))
    assert "abc d" in texts(svg)


def test_bar_widths_are_proportional_to_values() -> None:
    svg = parse(bar_chart([Bar("a", 40, "40"), Bar("b", 20, "20"), Bar("c", 10, "10")],
                          title="t", id_prefix="q1"))
    widths = rect_widths(svg)
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.02)
    assert widths[1] == pytest.approx(2 * widths[2], abs=0.02)


def test_max_value_sets_the_scale_and_bars_never_pass_it() -> None:
    chart = bar_chart(
        [Bar("a", 50, "50%"), Bar("b", 25, "25%"), Bar("c", 150, "150%"), Bar("d", 100, "100%")],
        title="t", id_prefix="q1", max_value=100,
    )
    half, quarter, over, full = rect_widths(parse(chart))
    assert over == full
    assert half == pytest.approx(full / 2, abs=0.02)
    assert quarter == pytest.approx(full / 4, abs=0.02)


def test_bars_stay_inside_the_viewbox() -> None:
    svg = parse(bar_chart([Bar("a", 1_000_000, "1.000.000 (100%)")], title="t", id_prefix="q1"))
    width = float(svg.get("viewBox", "").split()[2])
    (rect,) = svg.iter(f"{SVG}rect")
    (value,) = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "vnf-value"]
    assert float(rect.get("width", "0")) < width
    assert float(value.get("x", "0")) > float(rect.get("width", "0"))


def test_every_bar_shows_its_value_as_text() -> None:
    svg = parse(bar_chart(SAMPLE, title="t", id_prefix="q1"))
    assert texts(svg, "vnf-value") == ["30 (60%)", "20 (40%)"]


def test_masked_bar_draws_no_rect_but_shows_its_text() -> None:
    svg = parse(bar_chart([Bar("Có", 30, "30"), Bar("Khác", None, "< 5")],
                          title="t", id_prefix="q1"))
    shown, masked = rows(svg)
    assert len(list(shown.iter(f"{SVG}rect"))) == 1
    assert list(masked.iter(f"{SVG}rect")) == []
    assert texts(masked, "vnf-value") == ["< 5"]


def test_zero_value_draws_no_bar_but_shows_zero() -> None:
    svg = parse(bar_chart([Bar("Có", 3, "3"), Bar("Không", 0, "0")], title="t", id_prefix="q1"))
    _, zero = rows(svg)
    assert list(zero.iter(f"{SVG}rect")) == []
    assert texts(zero, "vnf-value") == ["0"]


def test_all_zero_bars_do_not_divide_by_zero() -> None:
    svg = parse(bar_chart([Bar("a", 0, "0"), Bar("b", 0, "0")], title="t", id_prefix="q1"))
    assert rect_widths(svg) == []
    assert texts(svg, "vnf-value") == ["0", "0"]


def test_all_masked_bars_do_not_divide_by_zero() -> None:
    svg = parse(bar_chart([Bar("a", None, "< 5")], title="t", id_prefix="q1", max_value=0))
    assert rect_widths(svg) == []


def test_tiny_nonzero_value_stays_visible() -> None:
    svg = parse(bar_chart([Bar("a", 100_000, "100000"), Bar("b", 1, "1")],
                          title="t", id_prefix="q1"))
    assert rect_widths(svg)[1] >= 1


def test_empty_data_gives_empty_markup() -> None:
    assert bar_chart([], title="t", id_prefix="q1") == Markup("")
    assert column_chart([], title="t", id_prefix="d1") == Markup("")


def test_vietnamese_text_is_preserved() -> None:
    label = "Đà Nẵng – rất hài lòng, ưu tiên"
    svg = parse(bar_chart([Bar(label, 1, "1 người")], title="Mức độ hài lòng", id_prefix="q1"))
    assert label in texts(svg)
    assert "1 người" in texts(svg)
    assert svg[0].text == "Mức độ hài lòng"


def test_decomposed_vietnamese_is_normalised_to_composed() -> None:
    label = unicodedata.normalize("NFD", "Hài lòng")
    svg = parse(bar_chart([Bar(label, 1, "1")], title="t", id_prefix="q1"))
    assert "Hài lòng" in texts(svg)


def test_long_label_is_truncated_with_full_text_in_row_title() -> None:
    label = ("Thủ tục hành chính được giải quyết đúng hẹn và cán bộ hướng dẫn "
             "đầy đủ, dễ hiểu cho người dân")
    (row,) = rows(parse(bar_chart([Bar(label, 5, "5")], title="t", id_prefix="q1")))
    assert row.findtext(f"{SVG}title") == label
    shown = " ".join(t.text or "" for t in row.findall(f"{SVG}text")
                     if t.get("class") is None)
    assert shown.endswith("…")
    assert len(shown) <= 61
    assert label.startswith(shown[:-1].rstrip())


def test_long_label_wraps_onto_lines_that_fit() -> None:
    label = "Thời gian chờ đợi tại bộ phận tiếp nhận và trả kết quả hồ sơ"
    (row,) = rows(parse(bar_chart([Bar(label, 5, "5")], title="t", id_prefix="q1")))
    lines = [t.text or "" for t in row.findall(f"{SVG}text") if t.get("class") is None]
    assert len(lines) >= 2
    assert all(len(line) <= 36 for line in lines)


def test_long_word_label_is_still_cut() -> None:
    label = "x" * 200
    (row,) = rows(parse(bar_chart([Bar(label, 5, "5")], title="t", id_prefix="q1")))
    lines = [t.text or "" for t in row.findall(f"{SVG}text") if t.get("class") is None]
    assert sum(len(line) for line in lines) <= 60
    assert row.findtext(f"{SVG}title") == label


def test_truncation_never_splits_a_letter_from_its_mark() -> None:
    label = "a" * 58 + "x\u0301yz"  # x with acute has no composed form, even after NFC
    (row,) = rows(parse(bar_chart([Bar(label, 5, "5")], title="t", id_prefix="q1")))
    shown = "".join(t.text or "" for t in row.findall(f"{SVG}text") if t.get("class") is None)
    assert shown == "a" * 58 + "…"


def test_column_chart_is_well_formed_with_baseline_and_gridline_label() -> None:
    svg = parse(column_chart([("27/11", 4, "4"), ("28/11", 9, "9")], title="t", id_prefix="d1"))
    classes = [e.get("class") for e in svg.iter()]
    assert "vnf-baseline" in classes and "vnf-grid" in classes
    assert "9" in texts(svg, "vnf-axis")


def test_column_heights_are_proportional() -> None:
    svg = parse(column_chart([("a", 2, "2"), ("b", 8, "8"), ("c", 4, "4")],
                             title="t", id_prefix="d1"))
    heights = [float(r.get("height", "0")) for r in svg.iter(f"{SVG}rect")]
    assert heights[1] == pytest.approx(4 * heights[0], abs=0.02)
    assert heights[1] == pytest.approx(2 * heights[2], abs=0.02)


def test_column_chart_with_a_single_point() -> None:
    svg = parse(column_chart([("27/11", 12, "12")], title="t", id_prefix="d1"))
    (rect,) = svg.iter(f"{SVG}rect")
    width = float(svg.get("viewBox", "").split()[2])
    assert 0 < float(rect.get("width", "0")) < width / 2
    assert texts(svg, "vnf-x-label") == ["27/11"]
    assert texts(svg, "vnf-value") == ["12"]


def test_column_chart_with_many_points() -> None:
    svg = parse(column_chart(days(400), title="t", id_prefix="d1"))
    width = float(svg.get("viewBox", "").split()[2])
    rects = list(svg.iter(f"{SVG}rect"))
    assert len(rects) == sum(1 for _, value, _ in days(400) if value)
    for rect in rects:
        x, w = float(rect.get("x", "-1")), float(rect.get("width", "0"))
        assert x >= 0 and w > 0 and x + w <= width
    assert texts(svg, "vnf-value") == []  # no room: values are in the table


def test_column_chart_x_labels_are_thinned_and_never_overlap() -> None:
    svg = parse(column_chart(days(400), title="t", id_prefix="d1"))
    labels = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "vnf-x-label"]
    assert 2 <= len(labels) <= 12
    xs = [float(t.get("x", "0")) for t in labels]
    widest = max(len(t.text or "") for t in labels) * 14 * 0.6
    assert all(b - a >= widest for a, b in zip(xs, xs[1:], strict=False))
    assert labels[0].text == days(400)[0][0]


def test_x_label_indices_are_evenly_spaced() -> None:
    assert x_label_indices(1, 30, 300) == [0]
    assert x_label_indices(5, 30, 300) == [0, 1, 2, 3, 4]
    picked = x_label_indices(100, 30, 1000)
    assert len(picked) <= 12
    steps = {b - a for a, b in zip(picked, picked[1:], strict=False)}
    assert len(steps) == 1


def test_column_chart_masked_point_draws_no_column_but_shows_text() -> None:
    svg = parse(column_chart([("27/11", 8, "8"), ("28/11", None, "< 5")],
                             title="t", id_prefix="d1"))
    assert len(list(svg.iter(f"{SVG}rect"))) == 1
    assert texts(svg, "vnf-value") == ["8", "< 5"]


def test_column_chart_all_zero_does_not_divide_by_zero() -> None:
    svg = parse(column_chart([("a", 0, "0"), ("b", None, "< 5")], title="t", id_prefix="d1"))
    assert list(svg.iter(f"{SVG}rect")) == []
    assert not [e for e in svg.iter() if e.get("class") == "vnf-grid"]
    assert "vnf-baseline" in [e.get("class") for e in svg.iter()]


def test_column_chart_keeps_vietnamese_labels() -> None:
    svg = parse(column_chart([("Thứ hai", 3, "3 lượt")], title="Lượt trả lời", id_prefix="d1"))
    assert texts(svg, "vnf-x-label") == ["Thứ hai"]
    assert "3 lượt" in texts(svg, "vnf-value")


# --- no information by colour alone (WCAG 1.4.1) ------------------------------------------

def fills(element: ET.Element) -> set[str]:
    return {r.get("fill", "") for r in element.iter(f"{SVG}rect")}


def test_every_bar_is_drawn_in_one_colour_and_says_its_label_and_value_in_words() -> None:
    bars = [Bar("Rất hài lòng", 12, "12 (40%)"), Bar("Hài lòng", 9, "9 (30%)"),
            Bar("Bình thường", 6, "6 (20%)"), Bar("Không hài lòng", 3, "3 (10%)")]
    chart = ET.fromstring(str(bar_chart(bars, title="Mức độ hài lòng", id_prefix="c")))
    assert len(fills(chart)) == 1  # colour tells nothing apart
    words = " ".join(texts(chart))
    for bar in bars:
        assert bar.label in words and bar.display in words


def test_every_column_is_drawn_in_one_colour_and_says_its_value_in_words() -> None:
    points = [("01/11", 4.0, "4"), ("02/11", 7.0, "7"), ("03/11", 2.0, "2")]
    chart = ET.fromstring(str(column_chart(points, title="Theo ngày", id_prefix="d")))
    assert len(fills(chart)) == 1
    assert {"4", "7", "2"} <= set(texts(chart, "vnf-value"))


def test_a_column_chart_may_start_its_axis_above_zero() -> None:
    svg = str(column_chart([("Q1", 55.0, "55%"), ("Q2", 66.0, "66%")], title="t",
                                  id_prefix="c", max_value=100, max_display="100%",
                                  floor=50, floor_display="50%"))
    assert ">50%</text>" in svg and ">0</text>" not in svg
    heights = [float(h) for h in re.findall(r'class="vnf-column"[^>]*height="([\d.]+)"', svg)]
    assert heights[1] > 1.5 * heights[0]  # 55 and 66 no longer look the same


@pytest.mark.parametrize(("values", "floor"), [
    ([55.0, 66.0, None], 40.0), ([61.0], 50.0), ([25.0, 90.0], 0.0), ([None], 0.0), ([], 0.0)])
def test_a_trend_of_shares_starts_at_a_round_ten_under_its_lowest(values, floor) -> None:
    assert axis_floor(values) == floor


@pytest.mark.parametrize(("values", "floor"), [
    ([-35.0, 12.0], -50.0), ([-95.0], -100.0), ([5.0, 20.0], 0.0), ([45.0], 30.0)])
def test_a_trend_of_nps_starts_under_zero_only_when_a_value_is(values, floor) -> None:
    assert axis_floor(values, bottom=-100) == floor


def test_a_column_chart_under_zero_marks_where_zero_is() -> None:
    svg = str(column_chart([("10/2026", -30.0, "−30"), ("11/2026", 0.0, "0"),
                            ("12/2026", 20.0, "+20")], title="NPS", id_prefix="n",
                           max_value=100, max_display="+100", floor=-50, floor_display="−50"))
    chart = ET.fromstring(svg)
    assert {"−50", "0", "+100"} <= set(texts(chart, "vnf-axis"))
    assert len(chart.findall(".//{*}line[@class='vnf-zero']")) == 1
    heights = [float(h) for h in re.findall(r'class="vnf-column"[^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 3 and heights[0] < heights[1] < heights[2]  # a zero NPS is drawn
