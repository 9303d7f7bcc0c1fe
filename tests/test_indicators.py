"""The indicator formulas (vnform.indicators), against vectors computed by hand.

Pure arithmetic: no database, no HTTP. Each expected value is worked out in the comment
next to it (and in docs/indicators.md), never by calling the code under test. Scales
come from real form definitions through the loader, as in production.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from vnform import reports
from vnform.forms.loader import load_text
from vnform.forms.spec import FormSpec
from vnform.indicators import (
    Dimension,
    Tally,
    composite,
    dimensions,
    figures,
    parse_period,
    period_of,
    recent_periods,
    rounded,
    scale_of,
    tally,
    wilson,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_MIN = 30  # VNFORM_INDICATOR_MIN_N's default
CLOSE = 1e-4  # percentages and means are compared to 4 decimals

HL5 = """\
    - {value: 1, label: Rất không hài lòng}
    - {value: 2, label: Không hài lòng}
    - {value: 3, label: Bình thường}
    - {value: 4, label: Hài lòng}
    - {value: 5, label: Rất hài lòng}
"""


def form(questions: str, extra: str = "") -> FormSpec:
    """A one-page form of *questions* (YAML), loaded as the app would load it."""
    text = ("id: chi-so\ntitle: Chỉ số\nagency: so-thu\n" + extra + "questions:\n"
            + textwrap.indent(textwrap.dedent(questions).strip("\n"), "  ") + "\n")
    loaded = load_text(text)
    assert loaded.spec is not None, [str(p) for p in loaded.problems]
    return loaded.spec


def likert(extra_choice: str = "") -> FormSpec:
    """One likert question on the five-point satisfaction scale (plus *extra_choice*)."""
    return form("- id: hai_long\n  type: likert\n  label: Mức độ hài lòng\n"
                "  indicator: satisfaction\n  choices:\n"
                + textwrap.indent(textwrap.dedent(HL5 + extra_choice), "    "))


def only_dimension(spec: FormSpec) -> Dimension:
    (dimension,) = dimensions(spec)
    return dimension


def answers(*values: object) -> dict[str, int]:
    """Counts per answer code, as the database's GROUP BY returns them."""
    return dict(Counter(str(v) for v in values))


NA = "    - {value: na, label: Không áp dụng, not_applicable: true}\n"


# --- the issue's vector: [5, 4, 4, 3, 2, 1, 5, skipped, n/a] ------------------------------

@pytest.fixture
def issue_vector() -> Tally:
    """Nine responses: seven valid answers, one skipped, one "does not apply"."""
    dimension = only_dimension(likert(NA))
    counts = {"hai_long": answers(5, 4, 4, 3, 2, 1, 5, "na")}
    return tally(dimension, counts, responses=9)


def test_issue_vector_counts_valid_skipped_and_not_applicable_apart(issue_vector) -> None:
    record = figures(issue_vector, minimum=1)
    assert (record["n_valid"], record["n_skip"], record["n_na"]) == (7, 1, 1)


def test_issue_vector_mean_top2_bottom2_and_score(issue_vector) -> None:
    record = figures(issue_vector, minimum=1)
    # mean = (5+4+4+3+2+1+5)/7 = 24/7 = 3.428571
    assert record["mean"] == pytest.approx(3.428571, abs=CLOSE)
    # top two (4 and 5): 4, 4, 5, 5 → 4/7 = 57.1429%
    assert record["top2_pct"] == pytest.approx(57.142857, abs=CLOSE)
    # bottom two (1 and 2): 2, 1 → 2/7 = 28.5714%
    assert record["bottom2_pct"] == pytest.approx(28.571429, abs=CLOSE)
    # score = (3.428571 − 1)/(5 − 1) × 100 = 60.7143
    assert record["score_0_100"] == pytest.approx(60.714286, abs=CLOSE)


def test_issue_vector_wilson_interval_of_top2(issue_vector) -> None:
    record = figures(issue_vector, minimum=1)
    # p = 4/7, z² = 3.841459, d = 1 + z²/7 = 1.548780
    # centre = (0.571429 + z²/14)/d = 0.546119
    # half = z·√(p(1−p)/7 + z²/196)/d = 1.959964 × 0.233632 / 1.548780 = 0.295661
    assert record["ci95_low"] == pytest.approx(25.0458, abs=CLOSE)
    assert record["ci95_high"] == pytest.approx(84.1780, abs=CLOSE)


def test_issue_vector_is_suppressed_at_the_default_minimum(issue_vector) -> None:
    record = figures(issue_vector, minimum=DEFAULT_MIN)
    assert record["status"] == "suppressed"
    assert record["n_valid"] == 7
    values = ("mean", "top2_pct", "bottom2_pct", "score_0_100", "ci95_low", "ci95_high")
    assert [record[name] for name in values] == [None] * 6


def test_issue_vector_is_low_n_at_minimum_one(issue_vector) -> None:
    # the interval is 84.18 − 25.05 = 59.13 points wide, more than 20
    assert figures(issue_vector, minimum=1)["status"] == "low_n"


def test_issue_vector_rounds_to_the_issue_figures_at_output(issue_vector) -> None:
    shown = rounded(figures(issue_vector, minimum=1))
    assert (shown["top2_pct"], shown["mean"], shown["score_0_100"]) == (57.14, 3.43, 60.71)
    assert (shown["ci95_low"], shown["ci95_high"]) == (25.05, 84.18)


# --- NPS ---------------------------------------------------------------------------------

def nps_form() -> FormSpec:
    return form("""
        - id: gioi_thieu
          type: nps
          label: Giới thiệu cho người khác?
          indicator: recommend
    """)


def nps_of(*scores: int, minimum: int = 1) -> dict[str, object]:
    dimension = only_dimension(nps_form())
    return figures(tally(dimension, {"gioi_thieu": answers(*scores)}, len(scores)), minimum)


ISSUE_NPS = (10, 9, 9, 8, 7, 6, 5, 10, 2, 9)


def test_nps_of_the_issue_vector_is_plus_20_exactly() -> None:
    record = nps_of(*ISSUE_NPS)
    # promoters (9–10): 10, 9, 9, 10, 9 → 5/10; detractors (0–6): 6, 5, 2 → 3/10
    assert record["promoters_pct"] == 50.0
    assert record["detractors_pct"] == 30.0
    assert record["nps"] == 20.0  # 50 − 30, exactly: computed from counts, not shares


def test_nps_interval_uses_the_standard_error_of_a_difference() -> None:
    record = nps_of(*ISSUE_NPS)
    # se = √((0.5 + 0.3 − (0.5 − 0.3)²)/10) = √(0.076) = 0.275681
    # half width = 100 × 1.959964 × 0.275681 = 54.0325
    assert record["ci95_low"] == pytest.approx(20 - 54.0325, abs=CLOSE)
    assert record["ci95_high"] == pytest.approx(20 + 54.0325, abs=CLOSE)
    assert record["status"] == "low_n"


def test_nps_record_also_has_the_scale_figures() -> None:
    record = nps_of(*ISSUE_NPS)
    # mean = 75/10 = 7.5 on 0..10; score = 7.5/10 × 100; top two = 9–10; bottom two = 0–1
    assert (record["scale"], record["mean"], record["score_0_100"]) == ("nps", 7.5, 75.0)
    assert (record["top2_pct"], record["bottom2_pct"]) == (50.0, 0.0)


def test_nps_interval_is_clipped_to_plus_100() -> None:
    record = nps_of(*[10] * 9, 8)
    # NPS 90; se = √((0.9 − 0.81)/10) = 0.094868; 90 ± 18.5939 → [71.4061, 108.59] → 100
    assert record["nps"] == 90.0
    assert record["ci95_low"] == pytest.approx(71.4061, abs=CLOSE)
    assert record["ci95_high"] == 100.0


def test_nps_interval_is_clipped_to_minus_100() -> None:
    record = nps_of(*[0] * 9, 7)
    assert record["nps"] == -90.0
    assert record["ci95_low"] == -100.0
    assert record["ci95_high"] == pytest.approx(-71.4061, abs=CLOSE)


def test_records_of_other_scales_have_no_nps_fields() -> None:
    dimension = only_dimension(likert())
    record = figures(tally(dimension, {"hai_long": answers(5)}, 1), 1)
    assert "nps" not in record and "promoters_pct" not in record


# --- yes/no, rating, likert codes --------------------------------------------------------

def test_yes_no_top2_is_the_share_of_yes_with_its_wilson_interval() -> None:
    spec = form("""
        - id: tin_tuong
          type: yes_no
          label: Ông/Bà có tin tưởng không?
          indicator: trust
    """)
    dimension = only_dimension(spec)
    record = figures(tally(dimension, {"tin_tuong": {"yes": 24, "no": 16}}, 40), DEFAULT_MIN)
    assert record["scale"] == "yes_no"
    # 24 yes of 40 → 60%; no → 40%; mean 0.6 on 0..1 → score 60
    assert (record["top2_pct"], record["bottom2_pct"]) == (60.0, 40.0)
    assert record["mean"] == pytest.approx(0.6) and record["score_0_100"] == pytest.approx(60)
    # d = 1 + z²/40 = 1.096037; centre = (0.6 + z²/80)/d = 0.591239
    # half = z·√(0.24/40 + z²/6400)/d = 1.959964 × 0.081242 / 1.096037 = 0.145279
    assert record["ci95_low"] == pytest.approx(44.5959, abs=CLOSE)
    assert record["ci95_high"] == pytest.approx(73.6517, abs=CLOSE)
    assert record["status"] == "low_n"  # 29.06 points wide


def test_rating_on_ten_points_has_nine_and_ten_as_its_top_two() -> None:
    spec = form("""
        - id: diem
          type: rating
          max: 10
          label: Chấm điểm
          indicator: satisfaction
    """)
    dimension = only_dimension(spec)
    assert dimension.scale.name == "rating10"
    assert dimension.scale.top2 == {"9", "10"} and dimension.scale.bottom2 == {"1", "2"}
    record = figures(tally(dimension, {"diem": answers(10, 9, 8, 7, 10, 3, 9, 9, 1, 5)}, 10), 1)
    # top two: 10, 9, 10, 9, 9 → 50%; bottom two: 1 → 10%
    assert (record["top2_pct"], record["bottom2_pct"]) == (50.0, 10.0)
    # mean = 71/10 = 7.1; score = (7.1 − 1)/(10 − 1) × 100 = 67.7778
    assert record["mean"] == pytest.approx(7.1)
    assert record["score_0_100"] == pytest.approx(67.7778, abs=CLOSE)


def test_likert_with_word_codes_takes_positions_one_to_k() -> None:
    spec = form("""
        - id: hai_long
          type: likert
          label: Mức độ hài lòng
          indicator: satisfaction
          choices:
            - {value: rk, label: Rất không hài lòng}
            - {value: k, label: Không hài lòng}
            - {value: bt, label: Bình thường}
            - {value: hl, label: Hài lòng}
            - {value: rhl, label: Rất hài lòng}
    """)
    dimension = only_dimension(spec)
    assert dict(dimension.scale.values) == {"rk": 1, "k": 2, "bt": 3, "hl": 4, "rhl": 5}
    record = figures(tally(dimension, {"hai_long": answers(
        "rhl", "rhl", "rhl", "hl", "bt", "rk")}, 6), 1)
    # mean = (5+5+5+4+3+1)/6 = 23/6 = 3.8333; top two (hl, rhl) = 4/6 = 66.6667%
    assert record["mean"] == pytest.approx(3.833333, abs=CLOSE)
    assert record["top2_pct"] == pytest.approx(66.666667, abs=CLOSE)
    assert record["score_0_100"] == pytest.approx(70.833333, abs=CLOSE)  # 2.8333/4


def test_not_applicable_choice_is_no_point_of_the_scale() -> None:
    dimension = only_dimension(likert(NA))
    assert dimension.scale.name == "likert5"
    assert dimension.scale.top2 == {"4", "5"}  # not {"5", "na"}
    assert dimension.scale.not_applicable == {"na"}


def test_not_applicable_answers_leave_numerator_and_denominator() -> None:
    dimension = only_dimension(likert(NA))
    record = figures(tally(dimension, {"hai_long": answers(5, 5, 4, "na", "na", 1)}, 6), 1)
    # valid: 5, 5, 4, 1 → n 4, top two 3/4 = 75%, mean 15/4 = 3.75
    assert (record["n_valid"], record["n_na"], record["n_skip"]) == (4, 2, 0)
    assert (record["top2_pct"], record["mean"]) == (75.0, 3.75)


def test_scale_of_a_text_question_is_none() -> None:
    spec = form("""
        - id: y_kien
          type: text
          label: Ý kiến
    """)
    assert scale_of(spec.questions[0]) is None
    assert dimensions(spec) == []


# --- pooling -------------------------------------------------------------------------------

TWO_QUESTIONS = """
    - id: hl_1
      type: likert
      label: Câu 1
      indicator: satisfaction
      choices: hl5
    - id: hl_2
      type: likert
      label: Câu 2
      indicator: satisfaction
      choices: hl5
"""


def test_one_dimension_pools_the_answers_of_its_questions() -> None:
    spec = form(TWO_QUESTIONS, extra="choice_lists:\n  hl5:\n" + textwrap.indent(
        textwrap.dedent(HL5), "    "))
    dimension = only_dimension(spec)
    assert dimension.keys == ("hl_1", "hl_2")
    # Six responses: all answered hl_2 (1 each), two answered hl_1 (5 each).
    t = tally(dimension, {"hl_1": answers(5, 5), "hl_2": answers(1, 1, 1, 1, 1, 1)}, 6)
    record = figures(t, 1)
    # pooled: mean = (5+5+1+1+1+1+1+1)/8 = 16/8 = 2.0; top two = 2/8 = 25%
    assert (record["n_valid"], record["n_skip"]) == (8, 4)
    assert (record["mean"], record["top2_pct"]) == (2.0, 25.0)
    # per question: means 5.0 and 1.0 → their mean 3.0; top two 100% and 0% → 50%.
    # The pooled figures weigh each answer once, so they differ.
    per_question = [figures(tally(Dimension("q", dimension.scale, (key,)), t_counts, 6), 1)
                    for key, t_counts in (("hl_1", {"hl_1": answers(5, 5)}),
                                          ("hl_2", {"hl_2": answers(*[1] * 6)}))]
    assert sum(float(r["mean"]) for r in per_question) / 2 == 3.0
    assert sum(float(r["top2_pct"]) for r in per_question) / 2 == 50.0


def test_matrix_rows_measure_their_own_dimensions() -> None:
    spec = form("""
        - id: chat_luong
          type: matrix
          label: Chất lượng
          indicator: result
          choices: [{value: 1, label: Tệ}, {value: 2, label: Được}, {value: 3, label: Tốt}]
          rows:
            - {id: thu_tuc, label: Thủ tục, indicator: procedure}
            - {id: can_bo, label: Cán bộ, indicator: civil_servant}
            - {id: ket_qua, label: Kết quả}
    """)
    found = {d.name: d.keys for d in dimensions(spec)}
    assert found == {"procedure": ("chat_luong.thu_tuc",),
                     "civil_servant": ("chat_luong.can_bo",), "result": ("chat_luong.ket_qua",)}
    assert {d.scale.name for d in dimensions(spec)} == {"likert3"}


def test_pooling_two_forms_maps_word_codes_to_the_same_rank() -> None:
    numbers = only_dimension(likert())
    words = only_dimension(form("""
        - id: hai_long
          type: likert
          label: Mức độ hài lòng
          indicator: satisfaction
          choices:
            - {value: rk, label: Rất không hài lòng}
            - {value: k, label: Không hài lòng}
            - {value: bt, label: Bình thường}
            - {value: hl, label: Hài lòng}
            - {value: rhl, label: Rất hài lòng}
    """))
    pooled = tally(numbers, {"hai_long": answers(5)}, 1)
    pooled.add(tally(words, {"hai_long": answers("rhl", "rhl", "rk")}, 3))
    record = figures(pooled, 1)
    # 5, 5 (rhl), 5 (rhl), 1 (rk) → mean 16/4 = 4.0, top two 3/4 = 75%
    assert (record["n_valid"], record["mean"], record["top2_pct"]) == (4, 4.0, 75.0)


# --- undefined, suppressed, low_n, ok ------------------------------------------------------

@pytest.mark.parametrize("minimum", [0, 1, DEFAULT_MIN])
def test_zero_answers_are_undefined_with_null_values_never_zero(minimum: int) -> None:
    dimension = only_dimension(likert(NA))
    record = figures(tally(dimension, {"hai_long": answers("na")}, 3), minimum)
    assert record["status"] == "undefined"
    assert (record["n_valid"], record["n_na"], record["n_skip"]) == (0, 1, 2)
    values = ("mean", "top2_pct", "bottom2_pct", "score_0_100", "ci95_low", "ci95_high")
    assert [record[name] for name in values] == [None] * 6


def test_zero_nps_answers_leave_the_nps_null() -> None:
    record = nps_of()
    assert record["status"] == "undefined"
    assert (record["nps"], record["promoters_pct"], record["detractors_pct"]) == (None,) * 3


def test_exactly_the_minimum_is_not_suppressed() -> None:
    dimension = only_dimension(likert())
    record = figures(tally(dimension, {"hai_long": answers(*[5] * 30)}, 30), DEFAULT_MIN)
    assert record["status"] != "suppressed" and record["top2_pct"] == 100.0


def half_satisfied(n: int) -> dict[str, object]:
    dimension = only_dimension(likert())
    return figures(tally(dimension, {"hai_long": {"5": n // 2, "1": n - n // 2}}, n), 1)


def test_an_interval_wider_than_20_points_is_low_n() -> None:
    record = half_satisfied(92)
    # p = 0.5, n = 92: width = 2·z·√(0.25/92 + z²/(4·92²))/(1 + z²/92) = 20.0203 points
    assert float(record["ci95_high"]) - float(record["ci95_low"]) == pytest.approx(
        20.0203, abs=CLOSE)
    assert record["status"] == "low_n"


def test_an_interval_of_20_points_or_less_is_ok() -> None:
    record = half_satisfied(94)
    # p = 0.5, n = 94: width = 19.8147 points
    assert float(record["ci95_high"]) - float(record["ci95_low"]) == pytest.approx(
        19.8147, abs=CLOSE)
    assert record["status"] == "ok"


def test_wilson_of_all_or_nothing_stays_within_zero_and_one() -> None:
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.277533, abs=1e-6)  # z²/(n + z²)
    low, high = wilson(10, 10)
    assert high == 1.0 and low == pytest.approx(0.722467, abs=1e-6)


# --- composites --------------------------------------------------------------------------

def part(top2: float | None, status: str = "ok") -> dict[str, object]:
    return {"top2_pct": top2, "status": status}


SIPAS = ("access", "procedure", "civil_servant")


def test_composite_is_the_unweighted_mean_of_satisfied_shares() -> None:
    records = {"access": part(80.0), "procedure": part(60.0), "civil_servant": part(70.0)}
    result = composite(records, SIPAS)
    assert result["top2_pct"] == 70.0  # (80 + 60 + 70)/3
    assert result["status"] == "ok" and result["of"] == list(SIPAS)


def test_composite_with_weights_is_the_weighted_mean() -> None:
    records = {"access": part(80.0), "procedure": part(60.0), "civil_servant": part(70.0)}
    result = composite(records, SIPAS, {"access": 2.0})
    assert result["top2_pct"] == 72.5  # (2×80 + 60 + 70)/(2 + 1 + 1) = 290/4


def test_composite_is_low_n_when_a_part_is() -> None:
    records = {"access": part(80.0), "procedure": part(60.0, "low_n"),
               "civil_servant": part(70.0)}
    assert composite(records, SIPAS)["status"] == "low_n"


def test_composite_is_undefined_when_a_part_is_undefined() -> None:
    records = {"access": part(80.0), "procedure": part(None, "undefined"),
               "civil_servant": part(70.0)}
    result = composite(records, SIPAS)
    assert (result["status"], result["top2_pct"]) == ("undefined", None)


def test_composite_is_undefined_when_a_part_has_no_record() -> None:
    result = composite({"access": part(80.0), "procedure": part(60.0)}, SIPAS)
    assert (result["status"], result["top2_pct"]) == ("undefined", None)


def test_composite_is_suppressed_when_a_part_is_suppressed() -> None:
    records = {"access": part(80.0), "procedure": part(None, "suppressed"),
               "civil_servant": part(70.0)}
    result = composite(records, SIPAS)
    assert (result["status"], result["top2_pct"]) == ("suppressed", None)


# --- periods -------------------------------------------------------------------------------

def test_month_period() -> None:
    period = parse_period("2026-11")
    assert (period.label, period.first, period.after) == (
        "2026-11", dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert period.kind == "month"


def test_december_ends_on_the_first_of_january() -> None:
    assert parse_period("2026-12").after == dt.date(2027, 1, 1)


def test_quarter_period_accepts_a_lowercase_q() -> None:
    period = parse_period(" 2026-q4 ")
    assert (period.label, period.first, period.after) == (
        "2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert parse_period("2026-Q1").after == dt.date(2026, 4, 1)
    assert period.kind == "quarter"


def test_year_period() -> None:
    period = parse_period("2026")
    assert (period.first, period.after, period.kind) == (
        dt.date(2026, 1, 1), dt.date(2027, 1, 1), "year")


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-11-01", "26", "",
                                  "quý 4", "0000", "9999", "２０２６"])
def test_bad_period_says_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_period(text)
    assert str(raised.value) == (f"not a period: {text!r}; use a month (2026-11), "
                                 "a quarter (2026-Q4) or a year (2026)")


def test_month_window_is_in_local_time() -> None:
    start, end = parse_period("2026-11").window(HCM)
    assert start == dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC)  # 1/11 00:00 at UTC+7
    assert end == dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)


def test_a_response_at_1730_utc_on_31_october_belongs_to_november() -> None:
    moment = dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.UTC)  # 1/11 00:30 in Hà Nội
    november, october = (parse_period(p).window(HCM) for p in ("2026-11", "2026-10"))
    assert november[0] <= moment < november[1]
    assert not october[0] <= moment < october[1]


def test_the_period_of_a_day() -> None:
    day = dt.date(2026, 11, 27)
    assert [period_of(day, kind).label for kind in ("month", "quarter", "year")] == [
        "2026-11", "2026-Q4", "2026"]


def test_recent_periods_end_with_the_chosen_one_and_cross_years() -> None:
    assert [p.label for p in recent_periods(parse_period("2026-Q1"), 8)] == [
        "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert [p.label for p in recent_periods(parse_period("2026-02"), 3)] == [
        "2025-12", "2026-01", "2026-02"]
    assert [p.label for p in recent_periods(parse_period("2026"), 2)] == ["2025", "2026"]


# --- rounding only at output ---------------------------------------------------------------

def test_figures_are_not_rounded_until_output() -> None:
    dimension = only_dimension(likert())
    record = figures(tally(dimension, {"hai_long": answers(5, 4, 4, 3, 2, 1, 5)}, 7), 1)
    assert record["mean"] == 24 / 7  # 3.4285714285714284, as computed
    assert rounded(record)["mean"] == 3.43


def test_rounding_leaves_counts_text_and_nulls_alone() -> None:
    record = {"n_valid": 7, "status": "ok", "mean": None, "top2_pct": 57.142857142857146,
              "questions": ["a", "b"]}
    assert rounded(record) == {"n_valid": 7, "status": "ok", "mean": None, "top2_pct": 57.14,
                               "questions": ["a", "b"]}


def test_json_output_rounds_every_record() -> None:
    out = reports.as_json([{"mean": 3.4285714285714284, "nps": 19.999999}])
    assert out == {"indicators": [{"mean": 3.43, "nps": 20.0}]}
