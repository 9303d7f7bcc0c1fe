"""Figures on the officials' pages read as the page's language writes them: 1,200
responses to the demo survey, read in Vietnamese (``1.200``, ``47,0 %``) and in English
(``1,200``, ``47.0%``), dates dd/mm/yyyy in both. The results and indicators pages have
their own tests (test_dashboard, test_trends, test_admin_indicators); these are the
other pages an official reads."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import DEMO_FORMS, sign_in

from vnform.cli import main

OFFICIAL = "so.lieu@so.gov.vn"
FORM = "dvc-hai-long"
RESPONSES = 1200
GROUPED = {"vi": "1.200", "en": "1,200"}
DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


@pytest.fixture
def official(add_official, make_client, database_url) -> Any:
    """The demo survey with 1,200 responses (made before the app opens the database),
    and an administrator signed in."""
    assert main(["demo", "--form", FORM, "--responses", str(RESPONSES), "--seed", "11",
                 "--db", database_url, "--forms", str(DEMO_FORMS)]) == 0
    add_official(OFFICIAL)
    client = make_client(DEMO_FORMS)
    assert sign_in(client, OFFICIAL).status_code == 303
    return client


def cells(page: Any, row_text: str) -> list[str]:
    """The cells of the table row that mentions *row_text*, as read."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.text, re.S):
        if row_text in html.unescape(row):
            return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                    for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
    raise AssertionError(f"no row with {row_text!r}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_forms_list_groups_counts_and_writes_days_day_first(official, lang,
                                                                rows) -> None:
    title = {"vi": "Khảo sát mức độ hài lòng", "en": "Satisfaction survey"}[lang]
    row = cells(official.get(f"/admin?lang={lang}"), title)
    week = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() - dt.timedelta(days=6)
    recent = sum(1 for (at,) in rows("select submitted_at from response")
                 if dt.datetime.fromisoformat(str(at)).astimezone(
                     ZoneInfo("Asia/Ho_Chi_Minh")).date() >= week)
    assert row[2] == GROUPED[lang]
    assert row[3] == f"{recent:,}".replace(",", "." if lang == "vi" else ",")
    assert DAY.match(row[4]), row[4]  # the last response, dd/mm/yyyy hh:mm


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_responses_page_groups_its_total(official, lang) -> None:
    page = official.get(f"/admin/forms/{FORM}/responses?lang={lang}")
    text = html.unescape(page.text)
    assert {"vi": "1.200 phản hồi", "en": "1,200 responses"}[lang] in text
    assert {"vi": "Trang 1/24", "en": "Page 1 of 24"}[lang] in text
    first = cells(page, {"vi": "Phản hồi số", "en": "Response"}[lang] + " 1200")
    assert DAY.match(first[1]) and first[2] in ("Tiếng Việt", "English")
    assert first[3].startswith({"vi": "Phiên bản 1 (từ ", "en": "Version 1 (from "}[lang])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_audit_log_groups_the_rows_of_an_export_and_names_its_filters(
        official, lang) -> None:
    assert official.get(f"/admin/forms/{FORM}/export.csv?since=2000-01-01").status_code == 200
    row = cells(official.get(f"/admin/audit?lang={lang}&action=export"),
                {"vi": "Đã tải các câu trả lời", "en": "Downloaded responses"}[lang])
    details = row[4]
    assert {"vi": "Số dòng: 1.200", "en": "Rows: 1,200"}[lang] in details
    assert {"vi": "Từ ngày: 01/01/2000", "en": "From: 01/01/2000"}[lang] in details
    assert {"vi": "Khảo sát mức độ hài lòng", "en": "Satisfaction survey"}[lang] in row[3]
    assert DAY.match(row[0])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_results_page_groups_the_total_and_writes_shares_its_way(official,
                                                                     lang) -> None:
    page = official.get(f"/admin/forms/{FORM}?lang={lang}")
    text = html.unescape(page.text)
    assert f'<p class="big-number">{GROUPED[lang]}</p>' in page.text
    shares = re.findall(r"\b\d+[.,]\d\u00a0?%", text)
    assert shares, "no share on the page"
    if lang == "vi":
        assert all(re.fullmatch(r"\d+,\d\u00a0%", share) for share in shares), shares
    else:
        assert all(re.fullmatch(r"\d+\.\d%", share) for share in shares), shares


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_text_answers_page_groups_its_count(official, lang, rows) -> None:
    ((answered,),) = rows("select count(*) from answer where question = 'gop_y'")
    assert answered > 0
    page = official.get(f"/admin/forms/{FORM}/texts/gop_y?lang={lang}")
    grouped = f"{answered:,}".replace(",", "." if lang == "vi" else ",")
    assert {"vi": f"Số người trả lời: {grouped}", "en": f"Answered by {grouped}"}[lang] \
        in html.unescape(page.text)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_response_shows_its_time_day_first_and_its_language_by_name(official,
                                                                      lang) -> None:
    page = official.get(f"/admin/forms/{FORM}/responses/1?lang={lang}")
    facts = dict(re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", page.text))
    submitted = facts[{"vi": "Thời điểm gửi", "en": "Submitted"}[lang]]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", submitted), submitted
    assert facts[{"vi": "Ngôn ngữ", "en": "Language"}[lang]] in ("Tiếng Việt", "English")
