"""/admin/indicators and the indicator section of a form's results page.

Citizens answer through the pages; officials read the figures. The page must show what
`reports.indicator_records` computes (the same records the command line, the API and
open data publish), only for the official's agencies, and never a hidden value as a number.
Submission times are rewritten in the database file so that periods are fixed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import Citizen, sign_in
from starlette.testclient import TestClient

from vnform import formatting, reports, store
from vnform.app import create_app
from vnform.forms.registry import Registry
from vnform.indicators import parse_period, period_of

ADMIN = "quan.tri@so.gov.vn"
ANALYST = "phan.tich@so-a.gov.vn"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
IN_NOVEMBER = "2026-11-10 03:00:00+00:00"  # 10/11/2026 10:00 in Hà Nội

FORM_A = """
id: chi-so
title: {vi: Khảo sát chỉ số, en: Indicator survey}
agency: so-a
service: "1.001"
languages: [vi, en]
composite: {id: chung, of: [satisfaction, trust], label: {vi: Chỉ số chung, en: Overall index}}
questions:
  - id: hl
    type: likert
    label: {vi: Hài lòng, en: Satisfied}
    indicator: satisfaction
    choices:
      - {value: 1, label: {vi: Rất không hài lòng, en: Very dissatisfied}}
      - {value: 2, label: {vi: Không hài lòng, en: Dissatisfied}}
      - {value: 3, label: {vi: Bình thường, en: Neutral}}
      - {value: 4, label: {vi: Hài lòng, en: Satisfied}}
      - {value: 5, label: {vi: Rất hài lòng, en: Very satisfied}}
      - {value: na, label: {vi: Không áp dụng, en: Does not apply}, not_applicable: true}
  - {id: tin, type: yes_no, label: {vi: Tin tưởng, en: Trust}, indicator: trust}
  - {id: gt, type: nps, label: {vi: Giới thiệu, en: Recommend}, indicator: recommend}
"""
FORM_B = """
id: chi-so-b
title: {vi: Khảo sát B, en: Survey B}
agency: so-a
service: "1.001"
languages: [vi, en]
questions:
  - {id: diem, type: rating, label: {vi: Chấm điểm, en: Stars}, indicator: satisfaction}
"""
FORM_C = """
id: chi-so-c
title: {vi: Khảo sát của sở khác, en: Another agency's survey}
agency: so-b
service: "1.001"
languages: [vi, en]
questions:
  - {id: diem, type: rating, label: {vi: Chấm điểm, en: Stars}, indicator: satisfaction}
"""
PLAIN = """
id: khong-chi-so
title: {vi: Không có chỉ số, en: No indicators}
agency: so-a
languages: [vi, en]
questions:
  - {id: y_kien, type: text, label: {vi: Ý kiến, en: Comments}}
"""

# The issue's vector on chi-so: [5, 4, 4, 3, 2, 1, 5, skipped, n/a]; trust and NPS too.
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("chi-so", {"hl": "5", "tin": "yes", "gt": "10"}),
    ("chi-so", {"hl": "4", "tin": "yes", "gt": "9"}),
    ("chi-so", {"hl": "4", "tin": "no", "gt": "9"}),
    ("chi-so", {"hl": "3", "tin": "yes", "gt": "8"}),
    ("chi-so", {"hl": "2", "tin": "no", "gt": "7"}),
    ("chi-so", {"hl": "1", "tin": "yes", "gt": "6"}),
    ("chi-so", {"hl": "5", "tin": "yes", "gt": "5"}),
    ("chi-so", {"tin": "no", "gt": "10"}),
    ("chi-so", {"hl": "na", "gt": "2"}),
    ("chi-so-b", {"diem": "5"}),
    ("chi-so-b", {"diem": "2"}),
    ("chi-so-c", {"diem": "4"}),
]


@pytest.fixture
def site(write_form, forms_dir, settings_for, rows, add_official):
    """The forms, their answers (all in November 2026 unless *times* says otherwise, by
    response id), two officials; yields a function that starts the app signed in."""
    for text in (FORM_A, FORM_B, FORM_C, PLAIN):
        write_form(text)
    add_official(ADMIN, "admin")
    add_official(ANALYST, "analyst", "so-a")

    def answer(times: dict[int, str] | None = None, now: bool = False) -> None:
        with TestClient(create_app(settings_for(forms_dir))) as client:
            for form_id, answers in ANSWERS:
                client.cookies.clear()
                citizen = Citizen(client)
                citizen.open(f"/f/{form_id}")
                assert citizen.post(f"/f/{form_id}", answers).status_code == 303
        if not now:
            rows("update response set submitted_at = ?", IN_NOVEMBER)
        for response_id, moment in (times or {}).items():
            rows("update response set submitted_at = ? where id = ?", moment, response_id)

    @contextmanager
    def signed_in(email: str = ADMIN, **settings: Any) -> Iterator[TestClient]:
        with TestClient(create_app(settings_for(forms_dir, **settings))) as client:
            assert sign_in(client, email).status_code == 303
            yield client

    return answer, signed_in


def records(forms_dir: Path, database_url: str, period: str, minimum: int,
            by: str = "form", agencies: tuple[str, ...] = ()) -> list[dict[str, object]]:
    """What reports.indicator_records computes (with the app stopped), for comparison."""
    specs = [s for s in Registry.load(forms_dir).forms.values()
             if not agencies or s.agency in agencies]
    specs.sort(key=lambda s: s.id)

    async def run() -> list[dict[str, object]]:
        async with store.opened(database_url, must_exist=True):
            return await reports.indicator_records(specs, parse_period(period), minimum, by)

    return asyncio.run(run())


def plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: Any, title: str) -> str:
    """The HTML of the indicator section whose heading starts with *title*."""
    for match in re.finditer(r'<section class="indicator-section"[^>]*>(.*?)</section>',
                             page.text, re.S):
        heading = re.search(r"<h2[^>]*>(.*?)</h2>", match.group(1), re.S)
        if heading and plain(heading.group(1)).startswith(title):
            return match.group(1)
    raise AssertionError(f"no section {title!r}")


def table_rows(fragment: str) -> list[list[str]]:
    """The cells of the first table's body rows, as text."""
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    assert body
    return [[plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def pct(value: object) -> str:
    """A share as the English page writes it: one decimal, rounded half up."""
    return formatting.percent(float(value), "en")  # type: ignore[arg-type]


def en(value: object) -> str:
    """A mean or a score as the English page writes it: two decimals."""
    return formatting.decimal(float(value), "en")  # type: ignore[arg-type]


# --- the page, its figures ------------------------------------------------------------------

def test_officials_navigation_links_to_the_indicators(site) -> None:
    answer, signed_in = site
    with signed_in() as client:
        page = client.get("/admin")
    assert '<a href="/admin/indicators">Indicators</a>' in page.text or \
        '<a href="/admin/indicators">Chỉ số</a>' in page.text


def test_visitors_without_a_session_are_sent_to_sign_in(make_client, forms_dir,
                                                        write_form) -> None:
    write_form(FORM_A)
    page = make_client(forms_dir).get("/admin/indicators", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/admin/login?next=%2Fadmin%2Findicators")


def test_the_period_defaults_to_the_current_quarter(site) -> None:
    answer, signed_in = site
    with signed_in() as client:
        page = client.get("/admin/indicators?lang=en")
    assert page.status_code == 200
    quarter = period_of(dt.datetime.now(HCM).date(), "quarter").label
    assert f'name="period" value="{quarter}"' in page.text


def test_scale_figures_match_the_report_records(site, forms_dir, database_url) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    assert page.status_code == 200
    expected = {r["indicator"]: r for r in records(forms_dir, database_url, "2026-11", 1)
                if r["form"] == "chi-so"}
    for name, title in (("satisfaction", "Satisfaction"), ("trust", "Trust")):
        r = expected[name]
        row = next(cells for cells in table_rows(section(page, title))
                   if cells[0].startswith("Indicator survey"))
        assert row[1:] == [
            str(r["n_valid"]), str(r["n_skip"]), str(r["n_na"]), pct(r["top2_pct"]),
            f"{pct(r['ci95_low'])} to {pct(r['ci95_high'])}", en(r["mean"]),
            en(r["score_0_100"]), "Few answers: the interval is wider than 20 points"]


def test_yes_no_figures_are_the_share_of_yes(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    part = section(page, "Trust")
    assert "Answered yes" in part and "Satisfied (top two)" not in part
    # yes, yes, no, yes, no, yes, yes, no, skipped → 5 of 8
    assert table_rows(part)[0][1:5] == ["8", "1", "0", "62.5%"]


def test_the_issue_vector_reads_as_the_issue_says(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    row = table_rows(section(page, "Satisfaction"))[0]
    assert row[1:8] == ["7", "1", "1", "57.1%", "25.0% to 84.2%", "3.43", "60.71"]


def test_nps_figures_match_the_report_record(site, forms_dir, database_url) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    (r,) = [r for r in records(forms_dir, database_url, "2026-11", 1)
            if r["indicator"] == "recommend"]
    (row,) = table_rows(section(page, "recommend"))
    assert row[1:] == [
        str(r["n_valid"]), str(r["n_skip"]), str(r["n_na"]), pct(r["promoters_pct"]),
        pct(r["detractors_pct"]), f"{r['nps']:+.2f}",
        f"{r['ci95_low']:+.2f} to {r['ci95_high']:+.2f}", f"{r['mean']:.2f}",
        f"{r['score_0_100']:.2f}", "Few answers: the interval is wider than 20 points"]


def test_composite_shows_its_label_parts_and_value(site, forms_dir, database_url) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    (r,) = [r for r in records(forms_dir, database_url, "2026-11", 1)
            if r["indicator"] == "chung"]
    (row,) = table_rows(section(page, "Overall index"))
    assert row[1:] == ["Satisfaction, Trust", pct(r["top2_pct"]),
                       "Few answers: the interval is wider than 20 points"]


def test_by_service_pools_forms_and_keeps_scales_apart(site, forms_dir, database_url) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&by=service&lang=en")
    expected = [r for r in records(forms_dir, database_url, "2026-11", 1, "service")
                if r["indicator"] == "satisfaction"]
    assert [r["scale"] for r in expected] == ["likert5", "rating5"]
    rows = table_rows(section(page, "Satisfaction 5-level scale"))
    assert [row[0].split(" ")[0] for row in rows] == ["1.001"]
    rating = table_rows(section(page, "Satisfaction rating out of 5"))[0]
    assert rating[1] == str(expected[1]["n_valid"]) == "3"  # chi-so-b's 2 and chi-so-c's 1


# --- who sees what ---------------------------------------------------------------------------

def test_an_analyst_sees_only_the_forms_of_their_agencies(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(ANALYST, indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    assert "Indicator survey" in page.text and "Survey B" in page.text
    assert "Another agency" not in page.text and "chi-so-c" not in page.text


def test_an_analysts_pooled_figures_leave_other_agencies_out(site, forms_dir,
                                                             database_url) -> None:
    answer, signed_in = site
    answer()
    with signed_in(ANALYST, indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&by=service&lang=en")
    (mine,) = [r for r in records(forms_dir, database_url, "2026-11", 1, "service",
                                  agencies=("so-a",)) if r["scale"] == "rating5"]
    row = table_rows(section(page, "Satisfaction rating out of 5"))[0]
    assert row[1] == str(mine["n_valid"]) == "2"  # chi-so-b only, not chi-so-c


def test_an_analyst_cannot_ask_for_another_agencys_form(site) -> None:
    answer, signed_in = site
    with signed_in(ANALYST) as client:
        assert client.get("/admin/indicators?form=chi-so-c").status_code == 404
        assert client.get("/admin/indicators?form=chi-so").status_code == 200


def test_one_forms_indicators_alone(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&form=chi-so-b&lang=en")
    assert "Survey B" in page.text and "Indicator survey" not in page.text
    assert '<input type="hidden" name="form" value="chi-so-b">' in page.text


def test_a_form_without_indicators_is_not_found_here(site) -> None:
    answer, signed_in = site
    with signed_in() as client:
        assert client.get("/admin/indicators?form=khong-chi-so").status_code == 404


# --- errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["2026-Q5", "quý 4", "2026-13", "0000"])
def test_a_bad_period_is_shown_as_an_error_not_a_500(site, text: str) -> None:
    answer, signed_in = site
    with signed_in() as client:
        page = client.get("/admin/indicators", params={"period": text, "lang": "en"})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert ("Enter a month such as 2026-11, a quarter such as 2026-Q4 or a year such as 2026."
            in page.text)
    assert f'value="{html.escape(text)}"' in page.text
    assert 'aria-invalid="true"' in page.text and "indicator-section" not in page.text


def test_an_unknown_grouping_is_shown_as_an_error(site) -> None:
    answer, signed_in = site
    with signed_in() as client:
        page = client.get("/admin/indicators?period=2026&by=province&lang=en")
    assert page.status_code == 400
    assert "Choose form, service or agency." in page.text


def test_the_error_is_in_vietnamese_on_a_vietnamese_page(site) -> None:
    answer, signed_in = site
    with signed_in() as client:
        page = client.get("/admin/indicators?period=x&lang=vi")
    assert page.status_code == 400
    assert "Có lỗi" in page.text or "Có vấn đề" in page.text


# --- suppressed and undefined ------------------------------------------------------------

def test_suppressed_values_never_appear_as_numbers(site, forms_dir, database_url) -> None:
    answer, signed_in = site
    answer()
    with signed_in() as client:  # the default minimum, 30
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    row = table_rows(section(page, "Satisfaction"))[0]
    assert row[1] == "7"  # counts are not figures
    assert row[4:8] == ["– not shown"] * 4
    assert row[8] == "Hidden: fewer than 30 answers"
    shown = plain(page.text)
    for r in records(forms_dir, database_url, "2026-11", 1):
        for name in ("mean", "top2_pct", "ci95_low", "ci95_high", "score_0_100", "nps"):
            if isinstance(r[name], float) and r[name] not in (0.0, 100.0):
                assert f"{r[name]:.2f}" not in shown, (r["indicator"], name)


def test_a_composite_of_a_hidden_part_says_why(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in() as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    (row,) = table_rows(section(page, "Overall index"))
    assert row[2:] == ["– not shown", "Hidden: a part has fewer than 30 answers"]


def test_a_period_without_answers_is_undefined_not_zero(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-10&lang=en")
    row = table_rows(section(page, "Satisfaction"))[0]
    assert row[1] == "0" and row[4:8] == ["– not shown"] * 4
    assert row[8] == "Not determined: no answers"
    assert "0.0%" not in page.text


# --- the trend --------------------------------------------------------------------------

def trend_rows(fragment: str) -> list[list[str]]:
    tables = re.findall(r"<details>(.*?)</details>", fragment, re.S)
    assert tables
    return table_rows(tables[0])


def test_trend_covers_the_eight_periods_up_to_the_chosen_one(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    part = section(page, "Satisfaction")
    assert [row[0] for row in trend_rows(part)] == [
        "April 2026", "May 2026", "June 2026", "July 2026", "August 2026", "September 2026",
        "October 2026", "November 2026"]
    assert trend_rows(part)[-1][1:3] == ["7", "57.1%"]
    assert trend_rows(part)[0][1:] == ["0", "– not shown", "Not determined: no answers"]


def test_trend_chart_is_an_accessible_image_with_the_numbers_in_a_table(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-Q4&lang=en")
    part = section(page, "Satisfaction")
    svg = re.search(r"<svg[^>]*>", part)
    assert svg and 'role="img"' in svg.group(0) and "aria-labelledby" in svg.group(0)
    assert "Satisfied share of the last 8 quarters, Satisfaction – " \
           "Indicator survey" in part
    assert [row[0] for row in trend_rows(part)][-2:] == ["Q3 2026", "Q4 2026"]
    assert "<script" not in part  # the chart needs no script (the page has only enhancements)


def test_trend_shows_each_period_by_its_own_answers(site) -> None:
    answer, signed_in = site
    # responses 1 and 2 (5 and 4, both satisfied) in October, the rest in November
    answer({1: "2026-10-05 03:00:00+00:00", 2: "2026-10-05 03:00:00+00:00"})
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=en")
    trend = trend_rows(section(page, "Satisfaction"))
    assert trend[-2][:3] == ["October 2026", "2", "100.0%"]
    assert trend[-1][:3] == ["November 2026", "5", "40.0%"]  # 4, 3, 2, 1, 5: two of five


def test_a_period_of_years_trends_over_years(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026&lang=en")
    assert [row[0] for row in trend_rows(section(page, "Trust"))] == [
        str(year) for year in range(2019, 2027)]


# --- the form's own page ----------------------------------------------------------------

def test_form_page_shows_its_own_indicators_this_quarter(site, forms_dir,
                                                         database_url) -> None:
    answer, signed_in = site
    answer(now=True)
    quarter = period_of(dt.datetime.now(HCM).date(), "quarter").label
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/forms/chi-so?lang=en")
    match = re.search(r'<section aria-labelledby="indicators-title">(.*?)</section>',
                      page.text, re.S)
    assert match, "no indicator section"
    part = match.group(1)
    assert f"Indicators this quarter ({formatting.period(quarter, 'en')})" in part
    assert f'href="/admin/indicators?form=chi-so&amp;period={quarter}"' in part
    expected = {r["indicator"]: r for r in records(forms_dir, database_url, quarter, 1)
                if r["form"] == "chi-so"}
    satisfaction = next(row for row in table_rows(part) if row[0].startswith("Satisfaction"))
    r = expected["satisfaction"]
    assert satisfaction[1:8] == [str(r["n_valid"]), str(r["n_skip"]), str(r["n_na"]),
                                 pct(r["top2_pct"]),
                                 f"{pct(r['ci95_low'])} to {pct(r['ci95_high'])}",
                                 f"{r['mean']:.2f}", f"{r['score_0_100']:.2f}"]
    assert "Survey B" not in part


def test_form_page_hides_suppressed_indicators_too(site) -> None:
    answer, signed_in = site
    answer(now=True)
    with signed_in() as client:
        page = client.get("/admin/forms/chi-so?lang=en")
    part = re.search(r'<section aria-labelledby="indicators-title">(.*?)</section>',
                     page.text, re.S)
    assert part
    satisfaction = next(row for row in table_rows(part.group(1))
                        if row[0].startswith("Satisfaction"))
    assert satisfaction[4:] == ["– not shown"] * 4 + ["Hidden: fewer than 30 answers"]


def test_form_page_without_indicators_has_no_indicator_section(site) -> None:
    answer, signed_in = site
    with signed_in() as client:
        page = client.get("/admin/forms/khong-chi-so?lang=en")
    assert page.status_code == 200
    assert "indicators-title" not in page.text


def test_page_speaks_vietnamese(site) -> None:
    answer, signed_in = site
    answer()
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/indicators?period=2026-11&lang=vi")
    assert "<h1>Chỉ số" in page.text
    assert "Ít mẫu: khoảng tin cậy rộng hơn 20 điểm" in page.text  # says what it means
    assert "Tháng 11/2026" in page.text and "2026-11<" not in page.text
    assert "57,1\u00a0%" in page.text and "57.1%" not in page.text


def headline_figures(page: Any) -> list[list[str]]:
    part = re.search(r'<dl class="headline-figures">(.*?)</dl>', page.text, re.S)
    assert part, "no headline"
    return [[plain(cell) for cell in re.findall(r"<d[td][^>]*>(.*?)</d[td]>", block, re.S)]
            for block in re.findall(r"<div>(.*?)</div>", part.group(1), re.S)]


def test_the_results_page_opens_with_its_headline_figures(site, forms_dir,
                                                          database_url) -> None:
    answer, signed_in = site
    answer(now=True)
    quarter = period_of(dt.datetime.now(HCM).date(), "quarter")
    (r,) = [r for r in records(forms_dir, database_url, quarter.label, 1)
            if r["form"] == "chi-so" and r["indicator"] == "satisfaction"]
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/forms/chi-so?lang=en")
    now, before = (formatting.period(p.label, "en") for p in (quarter, quarter.shifted(-1)))
    figures = headline_figures(page)
    assert figures[0] == ["Responses", "9"]
    assert r["status"] == "low_n"  # 9 answers: said beside the figure
    assert figures[1] == [
        f"Satisfaction: satisfied share, {now}", pct(r["top2_pct"]),
        "Few answers: the interval is wider than 20 points",
        f"95% interval: {pct(r['ci95_low'])} to {pct(r['ci95_high'])}",
        f"no figure for {before} to compare with"]
    assert figures[2][:2] == [f"Satisfaction: score from 0 to 100, {now}",
                              formatting.decimal(float(r["score_0_100"]), "en", 1)]
    assert 'href="#result-hl">Satisfied</a>' in page.text  # the questions' contents


def test_the_headline_says_how_the_share_moved_since_the_quarter_before(site) -> None:
    answer, signed_in = site
    quarter = period_of(dt.datetime.now(HCM).date(), "quarter")
    earlier = dt.datetime.combine(quarter.shifted(-1).first, dt.time(12), tzinfo=HCM)
    answer(now=True, times={1: str(earlier.astimezone(dt.UTC)),
                            2: str(earlier.astimezone(dt.UTC))})
    with signed_in(indicator_min_n=1) as client:
        page = client.get("/admin/forms/chi-so?lang=vi")
    before = formatting.period(quarter.shifted(-1).label, "vi")
    assert re.fullmatch(rf"[+-]\d+,\d điểm so với {before}", headline_figures(page)[1][-1])
