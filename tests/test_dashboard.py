"""The officials' results: the forms list, the results page, its filters, small-group
masking, text answers and the responses browser.

Citizens answer through the real pages; every figure is checked against a value
computed by hand from the answers submitted. Submission times are "now"; tests that
need other days rewrite ``response.submitted_at`` in the database file (as another
clock would have written it). Local days are Asia/Ho_Chi_Minh (UTC+7).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import Citizen, Database, copy_response, errors, sign_in
from starlette.testclient import TestClient

from vnform.forms.loader import load_text
from vnform.settings import Settings

OFFICIAL = "ket.qua@so.gov.vn"
URL = "/admin/forms/ket-qua"

FORM = """
id: ket-qua
title: {vi: Khảo sát kết quả, en: Results survey}
agency: so-thu
languages: [vi, en]
questions:
  - id: kenh
    type: single_choice
    label: {vi: Kênh nộp hồ sơ, en: Channel}
    choices:
      - {value: quay, label: {vi: Tại quầy, en: At the counter}}
      - {value: mang, label: {vi: Trực tuyến, en: Online}}
      - {value: buu, label: {vi: Bưu điện, en: By post}}
      - {value: khac, label: {vi: Khác, en: Other}}
  - id: hai_long
    type: likert
    label: {vi: Mức độ hài lòng, en: Satisfaction}
    choices:
      - {value: 1, label: {vi: Rất không hài lòng, en: Very dissatisfied}}
      - {value: 2, label: {vi: Không hài lòng, en: Dissatisfied}}
      - {value: 3, label: {vi: Bình thường, en: Neutral}}
      - {value: 4, label: {vi: Hài lòng, en: Satisfied}}
      - {value: 5, label: {vi: Rất hài lòng, en: Very satisfied}}
  - id: nguon
    type: multiple_choice
    label: {vi: Nguồn thông tin, en: Source}
    choices:
      - {value: tv, label: {vi: Truyền hình, en: Television}}
      - {value: web, label: {vi: Trang web, en: Website}}
      - {value: zalo, label: {vi: Ứng dụng Zalo, en: Zalo app}}
  - id: da_dung
    type: yes_no
    label: {vi: "Đã từng dùng dịch vụ?", en: "Used it before?"}
  - id: sao
    type: rating
    label: {vi: Chấm điểm, en: Stars}
  - id: gioi_thieu
    type: nps
    label: {vi: "Giới thiệu cho người khác?", en: "Recommend it?"}
  - id: tuoi
    type: integer
    label: {vi: Tuổi, en: Age}
  - id: y_kien
    type: textarea
    label: {vi: Ý kiến, en: Comments}
  - id: chat_luong
    type: matrix
    label: {vi: Chất lượng, en: Quality}
    choices: [{value: 1, label: {vi: Tệ, en: Bad}}, {value: 2, label: {vi: Tốt, en: Good}}]
    rows:
      - {id: thu_tuc, label: {vi: Thủ tục, en: Procedure}}
      - {id: can_bo, label: {vi: Cán bộ, en: Staff}}
  - id: ngay
    type: date
    label: {vi: Ngày nộp, en: Date applied}
"""

# Four citizens; the expected figures below are worked out from these by hand.
BASE = [
    ("vi", {"kenh": "quay", "hai_long": "5", "nguon": ["tv", "web"], "da_dung": "yes",
            "sao": "5", "gioi_thieu": "10", "tuoi": "30", "y_kien": "Rất tốt, cảm ơn",
            "chat_luong.thu_tuc": "2", "chat_luong.can_bo": "1", "ngay": "2026-01-15"}),
    ("vi", {"kenh": "quay", "hai_long": "4", "nguon": ["web"], "da_dung": "no",
            "sao": "3", "gioi_thieu": "9", "tuoi": "41", "y_kien": "Hơi chậm",
            "chat_luong.thu_tuc": "2", "chat_luong.can_bo": "2", "ngay": "2026-03-01"}),
    ("en", {"kenh": "mang", "hai_long": "4", "nguon": ["web", "zalo"], "da_dung": "yes",
            "sao": "5", "tuoi": "20", "chat_luong.thu_tuc": "1", "ngay": "2025-12-31"}),
    ("en", {"kenh": "buu"}),
]

# Four citizens on three local days, for the filters (ids 1 to 4 in this order).
FILTERED = [
    ("vi", {"kenh": "quay", "tuoi": "10", "y_kien": "Một", "ngay": "2026-01-01"}),
    ("vi", {"kenh": "quay", "tuoi": "20", "y_kien": "Hai", "ngay": "2026-02-01"}),
    ("en", {"kenh": "mang", "tuoi": "30", "y_kien": "Ba", "ngay": "2026-03-01"}),
    ("en", {"kenh": "quay", "tuoi": "40", "y_kien": "Bốn", "ngay": "2026-04-01"}),
]
FILTERED_TIMES = {  # UTC as stored; the local (UTC+7) day in the comment
    1: "2026-11-20 16:59:59+00:00",  # 20/11 23:59:59
    2: "2026-11-20 17:00:00+00:00",  # 21/11 00:00:00
    3: "2026-11-21 16:59:59+00:00",  # 21/11 23:59:59
    4: "2026-11-21 17:00:00+00:00",  # 22/11 00:00:00
}


def local_today() -> dt.date:
    """Today in the deployment's time zone, as the pages date things (not the machine's:
    after 17:00 UTC it is already tomorrow in Hanoi)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(Settings().timezone)).date()


# --- helpers -------------------------------------------------------------------------

def submit(client: TestClient, answers: dict[str, Any], lang: str = "vi",
           form_id: str = "ket-qua") -> None:
    """One citizen (a fresh session) answers the one-page form and submits it."""
    client.cookies.clear()
    citizen = Citizen(client)
    assert citizen.open(f"/f/{form_id}?lang={lang}").status_code == 200
    response = citizen.post(f"/f/{form_id}", answers)
    assert response.status_code == 303, errors(citizen.page)
    assert response.headers["location"] == f"/f/{form_id}/thanks"


def as_official(client: TestClient) -> TestClient:
    """The same browser, now signed in as the official (citizens' cookies dropped)."""
    client.cookies.clear()
    assert sign_in(client, OFFICIAL).status_code == 303
    return client


def set_time(rows: Callable[..., Any], response_id: int, stored: str) -> None:
    """Rewrite when a response was submitted, in the format the app stores."""
    ((current,),) = rows("select submitted_at from response where id = ?", response_id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00", current), current
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00", stored), stored
    rows("update response set submitted_at = ? where id = ?", stored, response_id)


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


def plain(fragment: str) -> str:
    """Text of an HTML fragment as a reader sees it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def section(page: Any, question_id: str) -> str:
    match = re.search(rf'<section class="result" aria-labelledby="result-{question_id}">'
                      r"(.*?)</section>", page.text, re.S)
    assert match, question_id
    return match.group(1)


def choice_tables(page: Any, question_id: str) -> list[dict[str, tuple[str, str]]]:
    """Each table of a choice question (one per matrix row): code -> (count, percent)."""
    found = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", section(page, question_id), re.S):
        lines = re.findall(r'<tr data-value="(.*?)"><th scope="row">.*?'
                           r'</th><td class="num">(.*?)</td><td class="num">(.*?)</td></tr>',
                           body, re.S)
        found.append({code: (html.unescape(n), html.unescape(pct)) for code, n, pct in lines})
    return found


def choice_table(page: Any, question_id: str) -> dict[str, tuple[str, str]]:
    (table,) = choice_tables(page, question_id)
    return table


def answered(page: Any, question_id: str) -> list[str]:
    """The "Answered by N" figure of each table of a question."""
    return [html.unescape(n) for n in
            re.findall(r"Answered by (.*?)(?: ·|</p>)", section(page, question_id))]


def number_row(page: Any, question_id: str) -> list[str]:
    """n, mean, median, lowest, highest of a number question, as shown."""
    body = re.search(r"<tbody><tr>(.*?)</tr></tbody>", section(page, question_id), re.S)
    assert body
    return [plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", body.group(1), re.S)]


def texts_shown(page: Any, question_id: str = "y_kien") -> list[str]:
    return [plain(t) for t in
            re.findall(r"<blockquote>(.*?)</blockquote>", section(page, question_id), re.S)]


def day_table(page: Any) -> list[tuple[str, str]]:
    block = re.search(r"<details>.*?<tbody>(.*?)</tbody>", page.text, re.S)
    if block is None:
        return []
    return [(day, html.unescape(n)) for day, n in re.findall(
        r'<tr><td>(.*?)</td><td class="num">(.*?)</td></tr>', block.group(1))]


def day_chart(page: Any) -> str:
    match = re.search(r'<section aria-labelledby="days-title">.*?(<svg .*?</svg>)',
                      page.text, re.S)
    assert match
    return match.group(1)


def days_section(page: Any) -> str:
    block = re.search(r'<section aria-labelledby="days-title">(.*?)</section>', page.text, re.S)
    assert block
    return block.group(1)


def bars(page: Any, question_id: str, nth: int = 0) -> dict[str, tuple[bool, str]]:
    """Bar chart rows of a choice question: label -> (has a drawn bar, value text)."""
    charts = re.findall(r"(<svg .*?</svg>)", section(page, question_id), re.S)
    rows = re.findall(r'<g class="vnf-bar-row"><title>(.*?)</title>(.*?)</g>',
                      charts[nth], re.S)
    return {html.unescape(label): ('class="vnf-bar"' in body, html.unescape(
        re.search(r'class="vnf-value"[^>]*>(.*?)</text>', body).group(1)))
        for label, body in rows}


def big_total(page: Any) -> str:
    match = re.search(r'<p class="big-number">(.*?)</p>', page.text)
    assert match
    return html.unescape(match.group(1))


def links(page: Any) -> dict[str, str]:
    """Link text -> href of every link on the page."""
    return {plain(text): html.unescape(href) for href, text in
            re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', page.text, re.S)}


def problem_note(page: Any) -> str | None:
    match = re.search(r'<p class="error-message" role="status">(.*?)</p>', page.text, re.S)
    return plain(match.group(1)) if match else None


def date_range(page: Any, question_id: str = "ngay") -> str:
    """The sentence under a date question, dates written as ISO (whatever the display)."""
    text = plain(re.search(r"<p>(.*?)</p>", section(page, question_id), re.S).group(1))
    return re.sub(r"\b(\d\d)/(\d\d)/(\d{4})\b", r"\3-\2-\1", text)


def figures(page: Any) -> dict[str, Any]:
    """Every figure the filter tests compare, read off one results page."""
    return {
        "total": big_total(page),
        "days": day_table(page),
        "kenh": {code: n for code, (n, _pct) in choice_table(page, "kenh").items() if n != "0"},
        "tuoi": number_row(page, "tuoi"),
        "ngay": date_range(page),
        "texts": texts_shown(page),
    }


def percent(count: int, base: int) -> str:
    return f"{100 * count / base:.1f}%"


@pytest.fixture
def serve(write_form, forms_dir, add_official, make_client) -> Callable[..., TestClient]:
    """Write the form (FORM unless given), create the official's account, start the app."""

    started: list[bool] = []

    def start(form: str = FORM, **settings: Any) -> TestClient:
        write_form(form)
        if not started:  # the account is made once, before the app first starts
            add_official(OFFICIAL)
            started.append(True)
        return make_client(forms_dir, **settings)

    return start


@pytest.fixture
def base(serve) -> TestClient:
    """The app with the four BASE citizens' responses; the official is signed in."""
    client = serve()
    for lang, answers in BASE:
        submit(client, answers, lang)
    return as_official(client)


@pytest.fixture
def base_page(base) -> Any:
    """The English results page of the four BASE citizens, unfiltered."""
    return base.get(f"{URL}?lang=en")


@pytest.fixture
def filtered(serve, rows) -> Callable[[str], Any]:
    """The four FILTERED citizens on their days; returns a getter of the results page
    for a query (groups of 1 are shown exactly here, so every figure can be read)."""
    client = serve(min_group_size=1)
    for lang, answers in FILTERED:
        submit(client, answers, lang)
    for response_id, stored in FILTERED_TIMES.items():
        set_time(rows, response_id, stored)
    as_official(client)
    return lambda query="": client.get(f"{URL}?lang=en&{query}")


# --- the forms list ------------------------------------------------------------------

LIST_FORMS = {
    "mo": """
        id: mo
        title: {vi: Biểu mẫu đang mở, en: Open form}
        agency: so-thu
        languages: [vi, en]
        opens_at: 2020-01-01
        closes_at: 2099-12-31
        questions:
          - {id: ten, type: text, label: Tên}
        """,
    "dong": """
        id: dong
        title: {vi: Biểu mẫu đã đóng, en: Closed form}
        agency: so-thu
        languages: [vi, en]
        status: closed
        questions:
          - {id: ten, type: text, label: Tên}
        """,
    "nhap": """
        id: nhap
        title: {vi: Biểu mẫu nháp, en: Draft form}
        agency: so-thu
        languages: [vi, en]
        status: draft
        questions:
          - {id: ten, type: text, label: Tên}
        """,
}


@pytest.fixture
def forms_list(write_form, forms_dir, add_official, make_client, rows) -> Callable[..., Any]:
    """Three forms; `mo` gets len(times) responses submitted at *times* (stored text);
    `dong` (closed, so copied in with SQL) gets one at *closed_time*."""

    def build(times: list[str], closed_time: str) -> dict[str, list[str]]:
        for text in LIST_FORMS.values():
            write_form(text)
        add_official(OFFICIAL)
        client = make_client(forms_dir)
        for i, _ in enumerate(times):
            submit(client, {"ten": f"Người {i}"}, form_id="mo")
        for response_id, stored in enumerate(times, start=1):
            set_time(rows, response_id, stored)
        rows("insert into response (form_id, form_version, token, language, submitted_at)"
             " values ('dong', 'v', 'token-dong-0000000000000000000000', 'vi', ?)",
             closed_time)
        page = as_official(client).get("/admin?lang=en")
        assert page.status_code == 200
        table = {}
        for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page.text, re.S):
            form_id = re.search(r'href="/admin/forms/([^"]+)"', row).group(1)
            table[form_id] = [plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        return table

    return build


def test_forms_list_shows_status_and_open_close_dates(forms_list) -> None:
    table = forms_list(["2026-11-20 03:00:00+00:00"], "2026-11-01 00:00:00+00:00")
    assert table["mo"][0] == "Open" and table["mo"][4:] == ["01/01/2020", "31/12/2099"]
    assert table["dong"][0] == "Closed" and table["dong"][4:] == ["–", "–"]
    assert table["nhap"][0] == "Draft" and table["nhap"][4:] == ["–", "–"]


def test_forms_list_counts_all_responses_and_those_of_the_last_7_days(forms_list) -> None:
    now = dt.datetime.now(dt.UTC)
    times = [utc_text(now - dt.timedelta(days=10)),  # not in the last 7 days
             utc_text(now - dt.timedelta(days=8)),  # nor this one
             utc_text(now - dt.timedelta(days=6)),
             utc_text(now - dt.timedelta(hours=1))]
    table = forms_list(times, utc_text(now - dt.timedelta(days=20)))
    assert table["mo"][1:3] == ["4", "2"]
    assert table["dong"][1:3] == ["1", "0"]
    assert table["nhap"][1:3] == ["0", "0"]


def test_forms_list_shows_the_last_response_in_local_time(forms_list) -> None:
    table = forms_list(["2026-11-18 09:00:00+00:00", "2026-11-20 20:05:00+00:00",
                        "2026-11-19 23:59:00+00:00"], "2026-11-01 18:30:00+00:00")
    assert table["mo"][3] == "21/11/2026 03:05"  # 20:05 UTC is 03:05 the next day in Hà Nội
    assert table["dong"][3] == "02/11/2026 01:30"
    assert table["nhap"][3] == "–"


# --- the results page: figures -------------------------------------------------------

def test_results_total_counts_every_response(base_page) -> None:
    assert base_page.status_code == 200
    assert big_total(base_page) == "4"
    assert "matching the filters" not in base_page.text


def test_responses_per_day_table_and_accessible_chart(filtered) -> None:
    page = filtered()
    assert day_table(page) == [("20/11/2026", "1"), ("21/11/2026", "2"), ("22/11/2026", "1")]
    chart = day_chart(page)
    assert 'role="img"' in chart
    assert re.search(r'aria-labelledby="([^"]+)"', chart).group(1) == "chart-days-title"
    assert '<title id="chart-days-title">Responses per day</title>' in chart
    assert re.findall(r'<rect class="vnf-column"[^>]*><title>(.*?)</title>', chart) == [
        "20/11: 1", "21/11: 2", "22/11: 1"]


def test_no_responses_yet(serve) -> None:
    page = as_official(serve()).get(f"{URL}?lang=en")
    assert big_total(page) == "0"
    assert "No responses yet." in days_section(page) and "<svg" not in days_section(page)
    assert choice_table(page, "kenh")["quay"] == ("0", "–")  # no percentage of nobody


def test_single_choice_counts_and_percent_of_those_who_answered(base_page) -> None:
    assert answered(base_page, "kenh") == ["4"]
    assert choice_table(base_page, "kenh") == {
        "quay": ("2", "50.0%"), "mang": ("1", "25.0%"), "buu": ("1", "25.0%"),
        "khac": ("0", "0.0%"),
    }


def test_likert_percent_is_of_those_who_answered_not_of_all(base_page) -> None:
    # 3 of the 4 citizens answered; 2 of those 3 chose 4
    assert answered(base_page, "hai_long") == ["3"]
    assert choice_table(base_page, "hai_long") == {
        "1": ("0", "0.0%"), "2": ("0", "0.0%"), "3": ("0", "0.0%"),
        "4": ("2", "66.7%"), "5": ("1", "33.3%"),
    }


def test_yes_no_counts(base_page) -> None:
    assert choice_table(base_page, "da_dung") == {"yes": ("2", "66.7%"),
                                                  "no": ("1", "33.3%")}
    assert '<tr data-value="yes"><th scope="row">Yes</th>' in section(base_page, "da_dung")


def test_rating_counts(base_page) -> None:
    assert choice_table(base_page, "sao") == {
        "1": ("0", "0.0%"), "2": ("0", "0.0%"), "3": ("1", "33.3%"), "4": ("0", "0.0%"),
        "5": ("2", "66.7%"),
    }


def test_nps_counts_every_point_from_0_to_10(base_page) -> None:
    expected = {str(n): ("0", "0.0%") for n in range(11)}
    expected |= {"9": ("1", "50.0%"), "10": ("1", "50.0%")}
    assert answered(base_page, "gioi_thieu") == ["2"]
    assert choice_table(base_page, "gioi_thieu") == expected


def test_multiple_choice_percent_is_of_respondents_and_can_pass_100(base_page) -> None:
    table = choice_table(base_page, "nguon")
    assert answered(base_page, "nguon") == ["3"]
    assert table == {"tv": ("1", "33.3%"), "web": ("3", "100.0%"), "zalo": ("1", "33.3%")}
    assert sum(float(pct.rstrip("%")) for _n, pct in table.values()) > 100
    assert "percentages can add up to more than 100" in section(base_page, "nguon")


def test_choice_results_have_a_bar_chart_with_the_same_numbers(base_page) -> None:
    assert bars(base_page, "kenh") == {
        "At the counter": (True, "2 (50.0%)"), "Online": (True, "1 (25.0%)"),
        "By post": (True, "1 (25.0%)"), "Other": (False, "0 (0.0%)"),
    }
    assert 'role="img"' in re.search(r"<svg [^>]*>", section(base_page, "kenh")).group(0)


def test_matrix_rows_are_counted_separately(base_page) -> None:
    sec = section(base_page, "chat_luong")
    assert re.findall(r"<h4>(.*?)</h4>", sec) == ["Procedure", "Staff"]
    assert answered(base_page, "chat_luong") == ["3", "2"]
    assert choice_tables(base_page, "chat_luong") == [
        {"1": ("1", "33.3%"), "2": ("2", "66.7%")},
        {"1": ("1", "50.0%"), "2": ("1", "50.0%")},
    ]


def test_numbers_n_mean_median_min_max_odd_count(base_page) -> None:
    # 20, 30, 41: mean 91/3 = 30.33, median 30
    assert number_row(base_page, "tuoi") == ["3", "30.33", "30", "20", "41"]


def test_numbers_median_of_an_even_count_is_the_mean_of_the_middle_two(serve) -> None:
    client = serve()
    for age in ("40", "10", "35", "20"):
        submit(client, {"tuoi": age})
    page = as_official(client).get(f"{URL}?lang=en")
    # 10, 20, 35, 40: mean 105/4 = 26.25, median (20 + 35) / 2 = 27.5
    assert number_row(page, "tuoi") == ["4", "26.25", "27.5", "10", "40"]


def test_dates_show_how_many_answered_and_the_earliest_and_latest(base_page) -> None:
    assert date_range(base_page) == "Answered by 3 · earliest 2025-12-31, latest 2026-03-01"


def test_text_answers_newest_first_without_see_all_when_few(base_page) -> None:
    assert texts_shown(base_page) == ["Hơi chậm", "Rất tốt, cảm ơn"]
    assert "Answered by 2" in plain(section(base_page, "y_kien"))
    assert "See all" not in section(base_page, "y_kien")
    assert re.findall(r'href="(/admin/forms/ket-qua/responses/\d+)"',
                      section(base_page, "y_kien")) == [f"{URL}/responses/2",
                                                        f"{URL}/responses/1"]


def test_text_answers_show_the_latest_five_and_link_to_all(serve) -> None:
    client = serve()
    for i in range(1, 8):
        submit(client, {"y_kien": f"Ý kiến số {i}"})
    page = as_official(client).get(f"{URL}?lang=en")
    assert texts_shown(page) == [f"Ý kiến số {i}" for i in (7, 6, 5, 4, 3)]
    assert links(page)["See all 7 answers"] == f"{URL}/texts/y_kien"


def insert_texts(database: Database, count: int, language: str = "vi") -> None:
    """Responses 2..*count*, copies of response 1, with a comment each."""
    with database.connect() as db:
        for i in range(2, count + 1):
            db.execute("insert into answer (response_id, form_id, question, text)"
                       " values (?, 'ket-qua', 'y_kien', ?)",
                       (copy_response(db, language=language), f"Ý kiến {i}"))
    database.retally()


def test_all_text_answers_page_25_a_page_newest_first(serve, database) -> None:
    client = serve()
    submit(client, {"y_kien": "Ý kiến 1"})
    insert_texts(database, 27)
    as_official(client)
    first = client.get(f"{URL}/texts/y_kien?lang=en")
    assert first.status_code == 200
    assert re.findall(r"<blockquote>(.*?)</blockquote>", first.text) == [
        f"Ý kiến {i}" for i in range(27, 2, -1)]
    assert "Answered by 27" in first.text and "Page 1 of 2" in first.text
    assert links(first)["Next page"] == f"{URL}/texts/y_kien?page=2"
    second = client.get(f"{URL}/texts/y_kien?page=2")
    assert re.findall(r"<blockquote>(.*?)</blockquote>", second.text) == [
        "Ý kiến 2", "Ý kiến 1"]
    assert "Next page" not in second.text
    assert links(second)["Previous page"] == f"{URL}/texts/y_kien?page=1"


def test_all_text_answers_page_keeps_the_filters(serve, database) -> None:
    client = serve()
    submit(client, {"y_kien": "Ý kiến 1"})
    insert_texts(database, 30)  # all "vi"
    database.execute("update response set language = 'en' where id > 26")
    as_official(client)
    page = client.get(f"{URL}/texts/y_kien?lang=en&language=vi")
    assert "Answered by 26" in page.text
    assert re.findall(r"<blockquote>(.*?)</blockquote>", page.text)[0] == "Ý kiến 26"
    assert links(page)["Next page"] == f"{URL}/texts/y_kien?language=vi&page=2"


def test_texts_page_of_a_non_text_question_is_not_found(base) -> None:
    assert base.get(f"{URL}/texts/kenh").status_code == 404
    assert base.get(f"{URL}/texts/khong_co").status_code == 404


# --- filters -------------------------------------------------------------------------

def test_unfiltered_figures_of_the_filter_data(filtered) -> None:
    assert figures(filtered()) == {
        "total": "4",
        "days": [("20/11/2026", "1"), ("21/11/2026", "2"), ("22/11/2026", "1")],
        "kenh": {"quay": "3", "mang": "1"},
        "tuoi": ["4", "25", "25", "10", "40"],
        "ngay": "Answered by 4 · earliest 2026-01-01, latest 2026-04-01",
        "texts": ["Bốn", "Ba", "Hai", "Một"],
    }


def test_since_and_until_are_inclusive_local_days(filtered) -> None:
    # 21/11 local runs from 20/11 17:00 UTC (response 2) to 21/11 16:59:59 UTC (response 3)
    page = filtered("since=2026-11-21&until=2026-11-21")
    assert problem_note(page) is None
    assert figures(page) == {
        "total": "2",
        "days": [("21/11/2026", "2")],
        "kenh": {"quay": "1", "mang": "1"},
        "tuoi": ["2", "25", "25", "20", "30"],
        "ngay": "Answered by 2 · earliest 2026-02-01, latest 2026-03-01",
        "texts": ["Ba", "Hai"],
    }
    assert choice_table(page, "kenh")["quay"] == ("1", "50.0%")


def test_days_typed_as_readers_write_them_filter_the_same(filtered) -> None:
    typed = filtered("since=21/11/2026&until=21/11/2026")
    assert problem_note(typed) is None
    assert figures(typed) == figures(filtered("since=2026-11-21&until=2026-11-21"))
    assert 'id="since" name="since" autocomplete="off" ' \
           'aria-describedby="since-hint" value="21/11/2026"' in typed.text
    dotted = filtered("since=21.11.2026&until=21-11-2026")  # a phone's keypad
    assert figures(dotted) == figures(typed)


@pytest.mark.parametrize("query", ["until=31/12/9999", "since=01/01/0001",
                                   "since=0001-01-01", "until=9999-12-31"])
def test_a_day_beyond_any_survey_is_ignored_with_a_note(filtered, query) -> None:
    page = filtered(query)
    assert page.status_code == 200
    assert problem_note(page) is not None


def test_since_alone(filtered) -> None:
    page = filtered("since=2026-11-21")
    assert figures(page)["total"] == "3"
    assert figures(page)["days"] == [("21/11/2026", "2"), ("22/11/2026", "1")]
    assert figures(page)["tuoi"] == ["3", "30", "30", "20", "40"]


def test_until_alone(filtered) -> None:
    page = filtered("until=2026-11-21")
    assert figures(page)["total"] == "3"
    assert figures(page)["days"] == [("20/11/2026", "1"), ("21/11/2026", "2")]
    assert figures(page)["texts"] == ["Ba", "Hai", "Một"]


def test_language_filter(filtered) -> None:
    assert figures(filtered("language=en")) == {
        "total": "2",
        "days": [("21/11/2026", "1"), ("22/11/2026", "1")],
        "kenh": {"quay": "1", "mang": "1"},
        "tuoi": ["2", "35", "35", "30", "40"],
        "ngay": "Answered by 2 · earliest 2026-03-01, latest 2026-04-01",
        "texts": ["Bốn", "Ba"],
    }


def test_segment_filter_by_a_single_choice_answer(filtered) -> None:
    page = filtered("segment=kenh:quay")
    assert figures(page) == {
        "total": "3",
        "days": [("20/11/2026", "1"), ("21/11/2026", "1"), ("22/11/2026", "1")],
        "kenh": {"quay": "3"},
        "tuoi": ["3", "23.33", "20", "10", "40"],
        "ngay": "Answered by 3 · earliest 2026-01-01, latest 2026-04-01",
        "texts": ["Bốn", "Hai", "Một"],
    }
    assert choice_table(page, "kenh") == {"quay": ("3", "100.0%"), "mang": ("0", "0.0%"),
                                          "buu": ("0", "0.0%"), "khac": ("0", "0.0%")}
    assert 'option value="kenh:quay" selected' in page.text


def test_filters_combine(filtered) -> None:
    page = filtered("segment=kenh:quay&language=vi&since=2026-11-21")
    assert figures(page)["total"] == "1"
    assert figures(page)["tuoi"] == ["1", "20", "20", "20", "20"]


def test_filtered_view_says_it_is_filtered_and_keeps_the_overall_total(filtered) -> None:
    page = filtered("language=en")
    assert "matching the filters, of 4 responses in all." in plain(page.text)
    assert links(page)["Clear filters"] == URL


VERSION_1 = FORM
VERSION_2 = FORM.replace("label: {vi: Tuổi, en: Age}", "label: {vi: Tuổi của Ông/Bà, en: Your age}")


def test_version_filter(serve) -> None:
    client = serve(min_group_size=1)
    submit(client, {"kenh": "quay", "tuoi": "10"})
    submit(client, {"kenh": "quay", "tuoi": "20"})
    client = serve(VERSION_2, min_group_size=1)  # the form changed: the app restarts
    submit(client, {"kenh": "mang", "tuoi": "30"})
    v1, v2 = (load_text(f).spec.version for f in (VERSION_1, VERSION_2))
    assert v1 != v2
    as_official(client)
    page = client.get(f"{URL}?lang=en&version={v1}")
    assert big_total(page) == "2"
    assert number_row(page, "tuoi") == ["2", "15", "15", "10", "20"]
    assert choice_table(page, "kenh")["quay"] == ("2", "100.0%")
    assert f'<option value="{v1}" selected>' in page.text
    assert re.findall(r'<option value="([0-9a-f]{12})"', page.text) == [v2, v1]
    today = local_today().strftime("%d/%m/%Y")  # when each version was first served
    assert f'<option value="{v1}" selected>Version 1 (from {today})</option>' in page.text
    assert f"Version 2 (from {today}) – current" in page.text
    assert f">{v1}" not in page.text  # no hash to read
    page = client.get(f"{URL}?version={v2}")
    assert big_total(page) == "1" and number_row(page, "tuoi")[0] == "1"


@pytest.mark.parametrize(("query", "name"), [
    ("since=2026-13-01", "since"),
    ("since=31/02/2026", "since"),
    ("until=tomorrow", "until"),
    ("language=fr", "language"),
    ("version=abcdef123456", "version"),
    ("segment=tuoi:10", "segment"),  # a number question cannot define a segment
    ("segment=nguon:web", "segment"),  # nor a multiple-choice one
    ("segment=kenh:khong-co", "segment"),  # no such answer
    ("segment=khong_co:quay", "segment"),  # no such question
    ("segment=kenh", "segment"),
])
def test_unusable_filter_values_are_ignored_with_a_note(serve, query, name) -> None:
    client = serve()  # default group size: ignored filters leave every count exact
    for lang, answers in FILTERED:
        submit(client, answers, lang)
    page = as_official(client).get(f"{URL}?lang=en&{query}")
    assert page.status_code == 200
    assert problem_note(page) == (
        f"Some filters were not understood and are not applied: {name}")
    assert big_total(page) == "4"
    assert choice_table(page, "kenh")["mang"] == ("1", "25.0%")  # not masked: no filter
    assert "matching the filters" not in page.text
    assert links(page)["Download CSV (UTF-8)"] == f"{URL}/export.csv"


def test_an_unusable_filter_is_dropped_and_the_others_apply(filtered) -> None:
    page = filtered("language=en&since=2026-02-30")
    assert problem_note(page) == "Some filters were not understood and are not applied: since"
    assert big_total(page) == "2"


def test_until_before_since_is_ignored_with_a_note(filtered) -> None:
    page = filtered("since=2026-11-21&until=2026-11-20")
    assert problem_note(page) == "Some filters were not understood and are not applied: until"
    assert big_total(page) == "3"  # since alone


def test_export_links_carry_the_filters(filtered) -> None:
    page = filtered("since=2026-11-21&until=2026-11-22&language=en&segment=kenh:quay"
                    "&version=nope")
    wanted = {"since": ["2026-11-21"], "until": ["2026-11-22"], "language": ["en"],
              "segment": ["kenh:quay"]}
    shown = links(page)
    for text, path in [("Download CSV (UTF-8)", f"{URL}/export.csv"),
                       ("Download Excel workbook (XLSX)", f"{URL}/export.xlsx"),
                       ("Download JSON Lines", f"{URL}/export.jsonl"),
                       ("Browse the responses", f"{URL}/responses")]:
        href = urlsplit(shown[text])
        assert href.path == path
        assert parse_qs(href.query) == wanted, text
    excel = urlsplit(shown["Download CSV for Excel"])
    assert excel.path == f"{URL}/export.csv"
    assert parse_qs(excel.query) == wanted | {"excel": ["1"]}


def test_unfiltered_export_links_have_no_filters(base_page) -> None:
    shown = links(base_page)
    assert shown["Download CSV (UTF-8)"] == f"{URL}/export.csv"
    assert shown["Download CSV for Excel"] == f"{URL}/export.csv?excel=1"
    assert shown["Download Excel workbook (XLSX)"] == f"{URL}/export.xlsx"
    assert shown["Download JSON Lines"] == f"{URL}/export.jsonl"
    assert shown["Download the data dictionary"] == f"{URL}/dictionary.csv"


# --- small groups --------------------------------------------------------------------

MASKING = [  # 5 in Vietnamese, 2 in English
    ("vi", {"kenh": "quay", "tuoi": "20"}),
    ("vi", {"kenh": "quay", "tuoi": "30"}),
    ("vi", {"kenh": "quay", "tuoi": "40"}),
    ("vi", {"kenh": "mang", "tuoi": "50"}),
    ("vi", {"kenh": "mang", "tuoi": "60"}),
    ("en", {"kenh": "quay", "tuoi": "25", "y_kien": "Tôi là người duy nhất", "ngay": "2026-05-05"}),
    ("en", {"kenh": "buu", "tuoi": "35"}),
]


@pytest.fixture
def masking(serve) -> Callable[..., Any]:
    def get(query: str = "", **settings: Any) -> Any:
        client = serve(**settings)
        for lang, answers in MASKING:
            submit(client, answers, lang)
        return as_official(client).get(f"{URL}?lang=en&{query}")

    return get


def test_without_filters_every_count_is_exact(masking) -> None:
    page = masking()
    assert big_total(page) == "7"
    assert choice_table(page, "kenh") == {
        "quay": ("4", "57.1%"), "mang": ("2", "28.6%"), "buu": ("1", "14.3%"),
        "khac": ("0", "0.0%")}
    assert day_table(page)[0][1] == "7"
    assert number_row(page, "tuoi")[0] == "7"
    assert texts_shown(page) == ["Tôi là người duy nhất"]
    assert date_range(page) == "Answered by 1 · earliest 2026-05-05, latest 2026-05-05"


def test_filtered_small_counts_show_less_than_5_without_percent(masking) -> None:
    page = masking("language=en")
    assert big_total(page) == "< 5"
    assert answered(page, "kenh") == ["< 5"]
    assert choice_table(page, "kenh") == {
        "quay": ("< 5", "–"), "mang": ("0", "0.0%"), "buu": ("< 5", "–"),
        "khac": ("0", "0.0%")}
    assert "&lt; 5" in section(page, "kenh") and "< 5" not in section(page, "kenh")


def test_filtered_small_counts_have_no_bar(masking) -> None:
    page = masking("language=en")
    assert bars(page, "kenh") == {
        "At the counter": (False, "< 5"), "Online": (False, "0 (0.0%)"),
        "By post": (False, "< 5"), "Other": (False, "0 (0.0%)")}


def test_filtered_small_day_counts_are_masked_in_table_and_chart(masking) -> None:
    page = masking("language=en")
    assert [n for _day, n in day_table(page)] == ["< 5"]
    assert "<rect" not in day_chart(page)
    assert "&lt; 5" in day_chart(page)


def test_filtered_small_numbers_dates_and_texts_are_masked(masking) -> None:
    page = masking("language=en")
    assert number_row(page, "tuoi") == ["< 5", "–", "–", "–", "–"]
    assert date_range(page) == "Answered by < 5"
    assert "2026-05-05" not in page.text and "05/05/2026" not in page.text
    assert texts_shown(page) == []
    assert "Tôi là người duy nhất" not in page.text
    assert "Answered by < 5" in plain(section(page, "y_kien"))


def test_filtered_counts_at_the_threshold_are_exact(masking) -> None:
    page = masking("language=vi")
    assert big_total(page) == "5"
    assert answered(page, "kenh") == ["5"]
    assert choice_table(page, "kenh") == {
        "quay": ("< 5", "–"), "mang": ("< 5", "–"), "buu": ("0", "0.0%"),
        "khac": ("0", "0.0%")}
    assert number_row(page, "tuoi") == ["5", "40", "40", "20", "60"]


def test_the_overall_total_is_exact_even_when_small(serve) -> None:
    client = serve()
    for lang in ("vi", "vi", "en"):
        submit(client, {"kenh": "quay"}, lang)
    page = as_official(client).get(f"{URL}?lang=en&language=vi")
    assert big_total(page) == "< 5"
    assert "matching the filters, of 3 responses in all." in plain(page.text)
    assert "Counts below 5 are shown as “< 5”" in plain(page.text)


def test_the_threshold_follows_the_setting(masking) -> None:
    page = masking("language=vi", min_group_size=3)
    assert choice_table(page, "kenh") == {
        "quay": ("3", "60.0%"), "mang": ("< 3", "–"), "buu": ("0", "0.0%"),
        "khac": ("0", "0.0%")}
    assert bars(page, "kenh")["At the counter"] == (True, "3 (60.0%)")
    assert bars(page, "kenh")["Online"] == (False, "< 3")
    assert "Counts below 3 are shown as “< 3”" in plain(page.text)


# --- responses -----------------------------------------------------------------------

def response_ids(page: Any) -> list[int]:
    return [int(n) for n in re.findall(
        r'<th scope="row"><a href="/admin/forms/ket-qua/responses/(\d+)">', page.text)]


def test_responses_are_listed_newest_first_50_a_page(serve, database) -> None:
    client = serve()
    submit(client, {"y_kien": "Ý kiến 1"})
    insert_texts(database, 51)
    as_official(client)
    first = client.get(f"{URL}/responses?lang=en")
    assert first.status_code == 200
    assert "51 responses" in first.text
    assert response_ids(first) == list(range(51, 1, -1))
    assert "Page 1 of 2" in first.text
    assert links(first)["Next page"] == f"{URL}/responses?page=2"
    second = client.get(f"{URL}/responses?page=2")
    assert response_ids(second) == [1]


def test_responses_list_respects_the_filters(serve, rows) -> None:
    client = serve(min_group_size=1)  # lists of one or two are shown here
    for lang, answers in FILTERED:
        submit(client, answers, lang)
    for response_id, stored in FILTERED_TIMES.items():
        set_time(rows, response_id, stored)
    as_official(client)
    page = client.get(f"{URL}/responses?lang=en&language=en")
    assert response_ids(page) == [4, 3]
    assert "2 responses (filtered)" in plain(page.text)
    assert response_ids(client.get(f"{URL}/responses?since=2026-11-21&until=2026-11-21")) \
        == [3, 2]
    assert response_ids(client.get(f"{URL}/responses?segment=kenh:quay")) == [4, 2, 1]


def test_responses_list_shows_local_time_language_and_version(serve, rows) -> None:
    client = serve()
    submit(client, {"kenh": "quay"}, "en")
    set_time(rows, 1, "2026-11-21 17:00:00+00:00")
    page = as_official(client).get(f"{URL}/responses?lang=en")
    cells = re.search(r'responses/1">.*?</tr>', page.text, re.S).group(0)
    assert [plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells)] == [
        "22/11/2026 00:00", "English", f"Version 1 (from {local_today():%d/%m/%Y})"]


def detail(page: Any) -> list[tuple[str, str]]:
    """(question, answer) of each line of a response page."""
    return [(plain(q), plain(a)) for q, a in re.findall(
        r'<div class="summary-row">\s*<dt>(.*?)</dt>\s*<dd>(.*?)</dd>', page.text, re.S)]


def test_a_response_shows_each_answer_with_its_choice_labels(base) -> None:
    page = base.get(f"{URL}/responses/1?lang=en")
    assert page.status_code == 200
    assert detail(page) == [
        ("Channel", "At the counter"),  # labels, not codes: the codes are in exports
        ("Satisfaction", "Very satisfied"),
        ("Source", "Television; Website"),
        ("Used it before?", "Yes"),
        ("Stars", "5"),
        ("Recommend it?", "10"),
        ("Age", "30"),
        ("Comments", "Rất tốt, cảm ơn"),
        ("Quality: Procedure", "Good"),
        ("Quality: Staff", "Bad"),
        ("Date applied", "15/01/2026"),
    ]




def test_a_response_is_shown_in_the_officials_language(base) -> None:
    page = base.get(f"{URL}/responses/3?lang=vi")
    assert ("Kênh nộp hồ sơ", "Trực tuyến") in detail(page)
    assert ("Đã từng dùng dịch vụ?", "Có") in detail(page)
    assert ("Ý kiến", "Chưa trả lời") in detail(page)
    assert ("Chất lượng: Thủ tục", "Tệ") in detail(page)


def test_an_unknown_response_is_not_found(base) -> None:
    assert base.get(f"{URL}/responses/99").status_code == 404
    assert base.get("/admin/forms/khong-co/responses/1").status_code == 404


OLD = """
id: ket-qua
title: {vi: Khảo sát kết quả, en: Results survey}
agency: so-thu
languages: [vi, en]
questions:
  - id: kenh
    type: single_choice
    label: {vi: Kênh nộp hồ sơ, en: Channel}
    choices:
      - {value: quay, label: {vi: Tại quầy, en: At the counter}}
      - {value: mang, label: {vi: Trực tuyến, en: Online}}
  - id: cu
    type: single_choice
    label: {vi: Câu hỏi cũ, en: Old question}
    choices:
      - {value: x, label: {vi: Lựa chọn X, en: Choice X}}
      - {value: y, label: {vi: Lựa chọn Y, en: Choice Y}}
  - id: tuoi
    type: integer
    label: {vi: Tuổi, en: Age}
"""
NEW = """
id: ket-qua
title: {vi: Khảo sát kết quả, en: Results survey}
agency: so-thu
languages: [vi, en]
questions:
  - id: kenh
    type: single_choice
    label: {vi: Kênh tiếp nhận, en: Service channel}
    choices:
      - {value: quay, label: {vi: Trực tiếp, en: In person}}
      - {value: mang, label: {vi: Trực tuyến, en: Online}}
  - id: tuoi
    type: integer
    label: {vi: Tuổi, en: Age}
  - id: moi
    type: text
    label: {vi: Câu hỏi mới, en: New question}
"""


@pytest.fixture
def two_versions(serve) -> TestClient:
    """Response 1 given to OLD; then the form became NEW and response 2 was given."""
    client = serve(OLD)
    submit(client, {"kenh": "quay", "cu": "x", "tuoi": "33"}, "en")
    client = serve(NEW)
    submit(client, {"kenh": "quay", "moi": "Mới"}, "en")
    return as_official(client)


def test_a_response_to_an_older_version_shows_the_questions_it_was_given(
        two_versions) -> None:
    page = two_versions.get(f"{URL}/responses/1?lang=en")
    assert page.status_code == 200
    assert detail(page) == [("Channel", "At the counter"),
                            ("Old question", "Choice X"),
                            ("Age", "33")]
    assert "an earlier version" in page.text
    assert "Version 1 (from " in page.text  # named, not its hash


def test_a_response_to_the_current_version_shows_the_current_questions(two_versions) -> None:
    page = two_versions.get(f"{URL}/responses/2?lang=en")
    assert detail(page) == [("Service channel", "In person"),
                            ("Age", "Not answered"),
                            ("New question", "Mới")]
    assert "an earlier version" not in page.text


def test_dates_are_written_day_month_year_as_vietnamese_readers_write_them(base_page) -> None:
    sentence = plain(re.search(r"<p>(.*?)</p>", section(base_page, "ngay"), re.S).group(1))
    assert "31/12/2025" in sentence and "01/03/2026" in sentence


# --- figures in the page's language --------------------------------------------------------

def test_the_results_page_writes_figures_as_each_language_does(serve) -> None:
    client = serve(min_group_size=1)
    for channel, age in (("quay", "10"), ("quay", "21"), ("mang", "33")):
        submit(client, {"kenh": channel, "tuoi": age})
    as_official(client)
    vietnamese = client.get(f"{URL}?lang=vi")
    assert choice_table(vietnamese, "kenh")["quay"] == ("2", "66,7\u00a0%")
    assert number_row(vietnamese, "tuoi")[1:3] == ["21,33", "21"]  # mean, median
    english = client.get(f"{URL}?lang=en")
    assert choice_table(english, "kenh")["quay"] == ("2", "66.7%")
    assert number_row(english, "tuoi")[1:3] == ["21.33", "21"]
