"""Trends of scale questions over time, and scale questions side by side, on the
results page.

The arithmetic is checked on its own (periods, shares, NPS, "does not apply"), then
through the page: citizens answer the real form, their answers are moved to other days
(as another clock would have written them), and the figures read in both languages
are the ones worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from conftest import Citizen, errors, sign_in

from vnform.comparison import comparisons
from vnform.forms.loader import load_text
from vnform.indicators import scale_of
from vnform.trends import Step, steps, trend, trend_keys

OFFICIAL = "xu.huong@so.gov.vn"
URL = "/admin/forms/xu-huong"

FORM = """
id: xu-huong
title: {vi: Khảo sát xu hướng, en: Trend survey}
agency: so-thu
languages: [vi, en]
questions:
  - id: hai_long
    type: likert
    label: {vi: Mức độ hài lòng, en: Satisfaction}
    choices:
      - {value: rat_khong, label: {vi: Rất không hài lòng, en: Very dissatisfied}}
      - {value: khong, label: {vi: Không hài lòng, en: Dissatisfied}}
      - {value: binh_thuong, label: {vi: Bình thường, en: Neutral}}
      - {value: hai_long, label: {vi: Hài lòng, en: Satisfied}}
      - {value: rat_hai_long, label: {vi: Rất hài lòng, en: Very satisfied}}
      - {value: na, label: {vi: Không áp dụng, en: Does not apply}, not_applicable: true}
  - id: sao
    type: rating
    label: {vi: Chấm điểm, en: Stars}
  - id: gioi_thieu
    type: nps
    label: {vi: "Giới thiệu cho người khác?", en: "Recommend it?"}
  - id: kenh
    type: single_choice
    label: {vi: Kênh, en: Channel}
    choices:
      - {value: quay, label: {vi: Tại quầy, en: At the counter}}
      - {value: mang, label: {vi: Trực tuyến, en: Online}}
"""

# Six citizens: three in September 2026, three in December 2026 (local days), the last
# of them a week after the two others.
ANSWERS = [
    ({"hai_long": "rat_hai_long", "sao": "5", "gioi_thieu": "10", "kenh": "quay"},
     "2026-09-10 03:00:00+00:00"),
    ({"hai_long": "hai_long", "sao": "4", "gioi_thieu": "9", "kenh": "quay"},
     "2026-09-11 03:00:00+00:00"),
    ({"hai_long": "khong", "sao": "2", "gioi_thieu": "3", "kenh": "mang"},
     "2026-09-12 03:00:00+00:00"),
    ({"hai_long": "rat_khong", "sao": "1", "gioi_thieu": "0", "kenh": "mang"},
     "2026-12-01 03:00:00+00:00"),
    ({"hai_long": "na", "sao": "3", "gioi_thieu": "8", "kenh": "quay"},
     "2026-12-02 03:00:00+00:00"),
    ({"hai_long": "hai_long", "sao": "5", "gioi_thieu": "10", "kenh": "quay"},
     "2026-12-09 03:00:00+00:00"),
]


def form(text: str = FORM) -> Any:
    loaded = load_text(text, "xu-huong.yaml")
    assert loaded.spec is not None, loaded.problems
    return loaded.spec


def spec() -> Any:
    return form()


# --- periods and figures -------------------------------------------------------------

def test_answers_over_less_than_twelve_weeks_are_shown_week_by_week() -> None:
    weeks = steps(dt.date(2026, 11, 25), dt.date(2026, 12, 9))
    assert [(s.kind, s.first, s.after) for s in weeks] == [
        ("week", dt.date(2026, 11, 23), dt.date(2026, 11, 30)),
        ("week", dt.date(2026, 11, 30), dt.date(2026, 12, 7)),
        ("week", dt.date(2026, 12, 7), dt.date(2026, 12, 14))]


def test_answers_over_twelve_weeks_or_more_are_shown_month_by_month() -> None:
    months = steps(dt.date(2026, 9, 10), dt.date(2026, 12, 3))
    assert [s.label for s in months] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert months[-1].after == dt.date(2027, 1, 1)


def test_a_month_without_answers_is_still_a_period_of_the_trend() -> None:
    scale = scale_of(spec().question("sao"))
    points = trend(scale, {dt.date(2026, 9, 1): {"5": 2}, dt.date(2026, 11, 1): {"1": 2}},
                   steps(dt.date(2026, 9, 1), dt.date(2026, 11, 30)), minimum=1)
    assert [(p.step.label, p.n_valid, p.value) for p in points] == [
        ("2026-09", 2, 100.0), ("2026-10", 0, None), ("2026-11", 2, 0.0)]


def test_the_satisfied_share_of_a_period_leaves_out_does_not_apply() -> None:
    scale = scale_of(spec().question("hai_long"))
    (point,) = trend(scale, {dt.date(2026, 12, 1): {"hai_long": 1, "khong": 2, "na": 5}},
                     [Step("month", dt.date(2026, 12, 1), dt.date(2027, 1, 1))], minimum=1)
    assert point.n_valid == 3
    assert point.value == pytest.approx(100 / 3)
    assert point.low == pytest.approx(6.149, abs=0.001)  # Wilson, as the indicators
    assert point.high == pytest.approx(79.234, abs=0.001)


def test_the_trend_of_an_nps_question_is_its_nps() -> None:
    scale = scale_of(spec().question("gioi_thieu"))
    (point,) = trend(scale, {dt.date(2026, 12, 1): {"10": 3, "8": 1, "2": 1}},
                     [Step("month", dt.date(2026, 12, 1), dt.date(2027, 1, 1))], minimum=1)
    assert point.value == pytest.approx(40.0)  # (3 promoters − 1 detractor) / 5


def test_a_period_with_fewer_answers_than_the_minimum_has_no_figure() -> None:
    scale = scale_of(spec().question("sao"))
    (point,) = trend(scale, {dt.date(2026, 12, 1): {"5": 29}},
                     [Step("month", dt.date(2026, 12, 1), dt.date(2027, 1, 1))], minimum=30)
    assert (point.n_valid, point.value, point.low) == (29, None, None)


def test_rating_likert_nps_questions_and_matrix_rows_have_trends() -> None:
    matrix = form(FORM.replace("  - id: kenh", """  - id: chat_luong
    type: matrix
    label: Chất lượng
    choices: [{value: 1, label: Tệ}, {value: 2, label: Tốt}]
    rows: [{id: thu_tuc, label: Thủ tục}, {id: can_bo, label: Cán bộ}]
  - id: kenh"""))
    assert trend_keys(matrix) == ["hai_long", "sao", "gioi_thieu", "chat_luong.thu_tuc",
                                "chat_luong.can_bo"]


def test_a_rating_and_a_likert_of_five_points_are_compared_point_by_point() -> None:
    counts = {"hai_long": {"rat_khong": 1, "hai_long": 2, "rat_hai_long": 1, "na": 3},
              "sao": {"1": 2, "5": 2}}
    (compared,) = comparisons(spec(), counts, minimum=5, active=False)
    assert (compared.points, compared.nps) == (5, False)
    likert, rating = compared.keys
    assert (likert.key, likert.answered.value) == ("hai_long", 4)
    assert likert.shares == (25.0, 0.0, 0.0, 50.0, 25.0)
    assert (likert.satisfied, likert.mean) == (75.0, 3.5)
    assert rating.shares == (50.0, 0.0, 0.0, 0.0, 50.0)
    assert (rating.satisfied, rating.mean) == (50.0, 3.0)


def test_a_small_group_in_a_filtered_view_is_masked_in_the_comparison() -> None:
    counts = {"hai_long": {"hai_long": 2}, "sao": {"5": 9}}
    likert, rating = comparisons(spec(), counts, minimum=5, active=True)[0].keys
    assert (likert.answered.display, likert.shares, likert.mean) == ("< 5", (None,) * 5, None)
    assert rating.answered.display == "9"


def test_a_lone_scale_question_has_nothing_to_be_compared_with() -> None:
    assert comparisons(spec(), {}, minimum=5, active=False)[0].points == 5  # the two 5s
    lone = form(FORM.replace("    type: rating", "    type: rating\n    max: 10"))
    assert comparisons(lone, {}, minimum=5, active=False) == []


# --- through the results page --------------------------------------------------------

@pytest.fixture
def results(write_form, forms_dir, add_official, make_client, rows) -> Any:
    """The six citizens on their days; a getter of the results page for a query."""
    write_form(FORM)
    add_official(OFFICIAL)
    client = make_client(forms_dir, indicator_min_n=1, min_group_size=1)
    for answers, _at in ANSWERS:
        client.cookies.clear()
        citizen = Citizen(client)
        assert citizen.open("/f/xu-huong").status_code == 200
        assert citizen.post("/f/xu-huong", answers).status_code == 303, errors(citizen.page)
    for response_id, (_answers, at) in enumerate(ANSWERS, 1):
        rows("update response set submitted_at = ? where id = ?", at, response_id)
    client.cookies.clear()
    assert sign_in(client, OFFICIAL).status_code == 303
    return lambda query="": client.get(f"{URL}?{query}")


def trend_table(page: Any, question_id: str) -> list[list[str]]:
    """The rows of a question's trend table, as read."""
    block = page.text.split(f'id="result-{question_id}"', 1)[1].split("</section>", 1)[0]
    table = block.split('class="result-part question-trend"', 1)[1]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1])]


def comparison_rows(page: Any) -> list[list[str]]:
    table = page.text.split('class="table comparison-table"', 1)[1].split("</table>", 1)[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)]


def test_the_trend_of_a_likert_question_reads_month_by_month_in_vietnamese(results) -> None:
    page = results("lang=vi")
    assert page.status_code == 200
    assert "Theo từng tháng, vì các câu trả lời trải dài từ 12 tuần trở lên." in page.text
    assert trend_table(page, "hai_long") == [
        ["Tháng 9/2026", "3", "66,7\u00a0%", "20,8\u00a0% đến 93,9\u00a0%"],
        ["Tháng 10/2026", "0", "–", "–"],
        ["Tháng 11/2026", "0", "–", "–"],
        ["Tháng 12/2026", "2", "50,0\u00a0%", "9,5\u00a0% đến 90,5\u00a0%"],
    ]


def test_the_trend_reads_in_english_with_english_figures(results) -> None:
    rows = trend_table(results("lang=en"), "sao")
    assert rows[0] == ["September 2026", "3", "66.7%", "20.8% to 93.9%"]
    assert rows[-1] == ["December 2026", "3", "33.3%", "6.1% to 79.2%"]


def test_the_trend_of_an_nps_question_shows_its_nps_with_a_sign(results) -> None:
    rows = trend_table(results("lang=vi"), "gioi_thieu")
    assert [row[:3] for row in (rows[0], rows[-1])] == [
        ["Tháng 9/2026", "3", "+33,3"], ["Tháng 12/2026", "3", "0,0"]]


def test_the_trend_chart_is_an_image_named_for_its_question(results) -> None:
    page = results("lang=vi")
    block = page.text.split('id="result-hai_long"', 1)[1].split("</section>", 1)[0]
    assert 'role="img"' in block
    assert "Tỷ lệ hài lòng theo tháng, Mức độ hài lòng" in html.unescape(block)
    assert ">09/2026</text>" in block and ">12/2026</text>" in block


def test_answers_within_twelve_weeks_are_shown_by_week(results) -> None:
    page = results("lang=vi&since=01/12/2026")
    assert "Theo từng tuần, vì các câu trả lời trải dài chưa đến 12 tuần." in page.text
    assert [row[:3] for row in trend_table(page, "hai_long")] == [
        ["Tuần từ 30/11/2026", "1", "0,0\u00a0%"], ["Tuần từ 07/12/2026", "1", "100,0\u00a0%"]]


def test_answers_in_a_single_week_say_that_the_trend_comes_later(results) -> None:
    page = results("lang=en&since=01/12/2026&until=02/12/2026")
    block = page.text.split('id="result-sao"', 1)[1].split("</section>", 1)[0]
    assert "All answers so far fall in one week (Week of 30/11/2026)" in html.unescape(block)
    assert "<table" not in block.split("question-trend", 1)[1]


def test_a_segment_counts_its_trends_when_asked(results) -> None:
    page = results("lang=en&segment=kenh:quay")
    block = page.text.split('id="result-sao"', 1)[1].split("</section>", 1)[0]
    assert "Count the trends of this group" in block and "<table" not in block.split(
        "question-trend", 1)[1]
    assert "trends=1" in block


def test_a_segment_has_its_own_trend_counted_live(results) -> None:
    rows = trend_table(results("lang=en&segment=kenh:quay&trends=1"), "sao")
    assert [row[:3] for row in rows] == [
        ["September 2026", "2", "100.0%"], ["October 2026", "0", "–"],
        ["November 2026", "0", "–"], ["December 2026", "2", "50.0%"]]


def test_the_rating_and_the_likert_question_are_side_by_side(results) -> None:
    page = results("lang=vi")
    assert "Các câu hỏi thang đo 5 mức, đặt cạnh nhau" in html.unescape(page.text)
    assert comparison_rows(page) == [
        ["Mức độ hài lòng", "5", "20,0\u00a0%", "20,0\u00a0%", "0,0\u00a0%", "40,0\u00a0%",
         "20,0\u00a0%", "60,0\u00a0%", "3,20"],
        ["Chấm điểm", "6", "16,7\u00a0%", "16,7\u00a0%", "16,7\u00a0%", "16,7\u00a0%",
         "33,3\u00a0%", "50,0\u00a0%", "3,33"],
    ]


def test_a_point_of_a_small_group_is_masked_in_a_filtered_comparison() -> None:
    counts = {"hai_long": {"rat_khong": 1, "hai_long": 9}, "sao": {"5": 9}}
    likert, _rating = comparisons(spec(), counts, minimum=5, active=True)[0].keys
    assert likert.answered.display == "10"
    assert likert.shares == (None, 0.0, 0.0, 90.0, 0.0)  # the lone "1" is hidden
    assert (likert.satisfied, likert.mean) == (None, None)
