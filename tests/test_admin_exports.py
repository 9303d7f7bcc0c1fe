"""Downloads of a form's responses: CSV, XLSX, JSON Lines and the data dictionary,
through the officials' pages and through `vnform export`.

Citizens answer through the real pages; submission times are then rewritten in the
database file so that date filters have known days (Asia/Ho_Chi_Minh, UTC+7).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from conftest import Citizen, Database, copy_response, errors, sign_in
from starlette.testclient import TestClient

from vnform.app import create_app
from vnform.cli import main
from vnform.forms.loader import load_text

OFFICIAL = "xuat.du.lieu@so.gov.vn"
URL = "/admin/forms/xuat-ban"

FORM = """
id: xuat-ban
title: {vi: Xuất dữ liệu, en: Data export}
agency: so-thu
languages: [vi, en]
questions:
  - id: kenh
    type: single_choice
    label: {vi: Kênh nộp hồ sơ, en: Channel}
    choices:
      - {value: quay, label: {vi: Tại quầy, en: At the counter}}
      - {value: mang, label: {vi: Trực tuyến, en: Online}}
  - id: nguon
    type: multiple_choice
    label: {vi: Nguồn thông tin, en: Source}
    choices:
      - {value: tv, label: {vi: Truyền hình, en: Television}}
      - {value: web, label: {vi: Trang web, en: Website}}
      - {value: zalo, label: {vi: Ứng dụng Zalo, en: Zalo app}}
  - id: hai_long
    type: likert
    label: {vi: Mức độ hài lòng, en: Satisfaction}
    choices:
      - {value: 1, label: {vi: Không hài lòng, en: Dissatisfied}}
      - {value: 2, label: {vi: Bình thường, en: Neutral}}
      - {value: 3, label: {vi: Hài lòng, en: Satisfied}}
  - id: tuoi
    type: integer
    label: {vi: Tuổi, en: Age}
  - id: chi_phi
    type: decimal
    label: {vi: Chi phí, en: Cost}
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
  - id: da_dung
    type: yes_no
    label: {vi: "Đã từng dùng?", en: "Used it before?"}
"""
VERSION = load_text(FORM).spec.version
ANSWER_COLUMNS = ["kenh", "nguon", "hai_long", "tuoi", "chi_phi", "y_kien",
                  "chat_luong.thu_tuc", "chat_luong.can_bo", "ngay", "da_dung"]
HEADER = ["response_id", "submitted_at", "language", "form_version", *ANSWER_COLUMNS]

VIETNAMESE = 'Rất tốt, "nhanh" — Đà Nẵng; cảm ơn!\r\nỞ phường Ba Đình'
EVIL = "=cmd|' /C calc'!A0"
CITIZENS = [
    ("vi", {"kenh": "quay", "nguon": ["tv", "web"], "hai_long": "3", "tuoi": "30",
            "chi_phi": "12,5", "y_kien": VIETNAMESE, "chat_luong.thu_tuc": "2",
            "chat_luong.can_bo": "1", "ngay": "15/01/2026", "da_dung": "yes"}),
    ("en", {"kenh": "mang", "hai_long": "1", "y_kien": EVIL, "da_dung": "no"}),
    ("vi", {"tuoi": "-5", "y_kien": "-7"}),
]
TIMES = {  # stored UTC; local day (UTC+7) in the comment
    1: ("2026-11-20 03:00:00+00:00", "2026-11-20T03:00:00Z"),  # 20/11 10:00
    2: ("2026-11-20 20:00:00+00:00", "2026-11-20T20:00:00Z"),  # 21/11 03:00
    3: ("2026-11-22 16:59:59+00:00", "2026-11-22T16:59:59Z"),  # 22/11 23:59:59
}
ROWS = {  # the CSV row of each citizen's response, codes as stored
    1: ["1", TIMES[1][1], "vi", VERSION, "quay", "tv;web", "3", "30", "12.5", VIETNAMESE,
        "2", "1", "2026-01-15", "yes"],
    2: ["2", TIMES[2][1], "en", VERSION, "mang", "", "1", "", "", "'" + EVIL, "", "", "",
        "no"],
    3: ["3", TIMES[3][1], "vi", VERSION, "", "", "", "-5", "", "-7", "", "", "", ""],
}


# --- helpers -------------------------------------------------------------------------

def submit(client: TestClient, answers: dict[str, Any], lang: str = "vi",
           form_id: str = "xuat-ban") -> None:
    """One citizen (a fresh session) answers the one-page form and submits it."""
    client.cookies.clear()
    citizen = Citizen(client)
    assert citizen.open(f"/f/{form_id}?lang={lang}").status_code == 200
    response = citizen.post(f"/f/{form_id}", answers)
    assert response.status_code == 303, errors(citizen.page)


def set_time(rows: Callable[..., Any], response_id: int, stored: str) -> None:
    ((current,),) = rows("select submitted_at from response where id = ?", response_id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00", current), current
    rows("update response set submitted_at = ? where id = ?", stored, response_id)


def fill(client: TestClient, rows: Callable[..., Any]) -> None:
    """The three CITIZENS answer, at their TIMES."""
    for lang, answers in CITIZENS:
        submit(client, answers, lang)
    for response_id, (stored, _shown) in TIMES.items():
        set_time(rows, response_id, stored)


def as_official(client: TestClient) -> TestClient:
    client.cookies.clear()
    assert sign_in(client, OFFICIAL).status_code == 303
    return client


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def workbook_rows(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def workbook_cells(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows()]


def today() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def copy_responses(database: Database, last: int) -> None:
    """Responses 2..*last*, copies of response 1, each with tuoi = its number."""
    with database.connect() as db:
        for i in range(2, last + 1):
            db.execute("insert into answer (response_id, form_id, question, value, number)"
                       " values (?, 'xuat-ban', 'tuoi', ?, ?)", (copy_response(db), str(i), i))
    database.retally()


@pytest.fixture
def app(write_form, forms_dir, add_official, make_client) -> Callable[..., TestClient]:
    """Write the form (FORM unless given) and start the app; the official's account is
    made before the first start."""
    started: list[bool] = []

    def start(form: str = FORM, **settings: Any) -> TestClient:
        write_form(form)
        if not started:
            add_official(OFFICIAL)
            started.append(True)
        return make_client(forms_dir, **settings)

    return start


@pytest.fixture
def official(app, rows) -> TestClient:
    """The three CITIZENS' responses, and the official signed in to download them."""
    client = app()
    fill(client, rows)
    return as_official(client)


# --- CSV -----------------------------------------------------------------------------

def test_csv_has_the_fixed_columns_then_one_per_answer_and_a_row_per_response(
        official) -> None:
    response = official.get(f"{URL}/export.csv")
    assert response.status_code == 200
    table = parsed(response.text)
    assert table[0] == HEADER
    assert table[1:] == [ROWS[1], ROWS[2], ROWS[3]]


def test_csv_keeps_vietnamese_text_exactly(official) -> None:
    table = parsed(official.get(f"{URL}/export.csv").content.decode("utf-8"))
    assert table[1][HEADER.index("y_kien")] == VIETNAMESE


def test_csv_headers(official) -> None:
    response = official.get(f"{URL}/export.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    name = f"xuat-ban-{today()}.csv"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")
    assert response.headers["cache-control"] == "no-store"


def test_csv_for_excel_starts_with_a_byte_order_mark(official) -> None:
    plain = official.get(f"{URL}/export.csv").content
    excel = official.get(f"{URL}/export.csv?excel=1").content
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel.startswith(b"\xef\xbb\xbfresponse_id,")
    assert excel[3:] == plain


@pytest.mark.parametrize("evil", ["=cmd", "+1", "@x", "-x", "=HYPERLINK(\"http://x\")",
                                  "+84 912 345 678"])
def test_csv_neutralises_formula_like_text(app, evil) -> None:
    client = app()
    submit(client, {"y_kien": evil, "tuoi": "-3"})
    (row,) = parsed(as_official(client).get(f"{URL}/export.csv").text)[1:]
    assert row[HEADER.index("y_kien")] == "'" + evil
    assert row[HEADER.index("tuoi")] == "-3"  # a negative number is no formula


@pytest.mark.parametrize(("query", "ids"), [
    ("language=en", ["2"]),
    ("language=vi", ["1", "3"]),
    ("since=2026-11-21", ["2", "3"]),
    ("until=2026-11-21", ["1", "2"]),
    ("since=2026-11-21&until=2026-11-21", ["2"]),
    ("since=2026-11-22&until=2026-11-22", ["3"]),
    ("segment=kenh:quay", ["1"]),
    ("segment=da_dung:no", ["2"]),
    ("language=vi&since=2026-11-21", ["3"]),
    (f"version={VERSION}", ["1", "2", "3"]),
    ("language=fr", ["1", "2", "3"]),  # unusable: ignored
])
def test_csv_respects_the_filters(official, query, ids) -> None:
    table = parsed(official.get(f"{URL}/export.csv?{query}").text)
    assert table[0] == HEADER
    assert [row[0] for row in table[1:]] == ids


def test_csv_with_labels_in_english(official) -> None:
    table = parsed(official.get(f"{URL}/export.csv?labels=1&lang=en").text)
    assert table[0] == HEADER
    first = dict(zip(HEADER, table[1], strict=True))
    assert (first["kenh"], first["nguon"], first["hai_long"]) == (
        "At the counter", "Television;Website", "Satisfied")
    assert (first["chat_luong.thu_tuc"], first["chat_luong.can_bo"]) == ("Good", "Bad")
    assert (first["tuoi"], first["ngay"], first["y_kien"]) == ("30", "2026-01-15", VIETNAMESE)
    assert first["da_dung"] == "Yes"


def test_csv_with_labels_in_vietnamese(official) -> None:
    table = parsed(official.get(f"{URL}/export.csv?labels=1&lang=vi").text)
    first = dict(zip(HEADER, table[1], strict=True))
    assert (first["kenh"], first["nguon"], first["hai_long"]) == (
        "Tại quầy", "Truyền hình;Trang web", "Hài lòng")
    assert (first["chat_luong.thu_tuc"], first["chat_luong.can_bo"]) == ("Tốt", "Tệ")


def test_csv_with_labels_in_vietnamese_translates_yes_and_no(official) -> None:
    table = parsed(official.get(f"{URL}/export.csv?labels=1&lang=vi").text)
    assert [row[HEADER.index("da_dung")] for row in table[1:]] == ["Có", "Không", ""]


def test_csv_without_labels_writes_codes(official) -> None:
    table = parsed(official.get(f"{URL}/export.csv?lang=en").text)
    assert table[1][HEADER.index("kenh")] == "quay"


def test_an_export_is_recorded_in_the_audit_trail(official, rows) -> None:
    official.get(f"{URL}/export.csv?language=vi")
    ((actor, form_id, details),) = rows(
        "select actor, form_id, details from audit_event where action = 'export'")
    assert (actor, form_id) == (OFFICIAL, "xuat-ban")
    assert json.loads(details) == {"format": "csv", "rows": 2, "complete": True,
                                   "language": "vi"}


# --- XLSX ----------------------------------------------------------------------------

def test_xlsx_has_the_same_header_and_rows(official) -> None:
    response = official.get(f"{URL}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"xuat-ban-{today()}.xlsx"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")
    assert response.headers["cache-control"] == "no-store"
    table = workbook_rows(response.content)
    assert table[0] == HEADER
    assert [row[0] for row in table[1:]] == [1, 2, 3]


def test_xlsx_explains_its_columns_on_a_dictionary_sheet(official) -> None:
    book = openpyxl.load_workbook(io.BytesIO(official.get(f"{URL}/export.xlsx").content))
    assert book.sheetnames == ["responses", "dictionary"]
    header, *rows = [[cell.value or "" for cell in row] for row in book["dictionary"].iter_rows()]
    found = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(found) == HEADER
    assert (found["kenh"]["question_vi"], found["kenh"]["question_en"]) == (
        "Kênh nộp hồ sơ", "Channel")
    day = dt.date.fromisoformat(today()).strftime("%d/%m/%Y")
    assert found["form_version"]["choices"] == (
        f"{VERSION} = Phiên bản 1 (từ {day}) / Version 1 (from {day})")


def test_xlsx_numbers_are_numeric_cells(official) -> None:
    first, second, third = workbook_rows(official.get(f"{URL}/export.xlsx").content)[1:]
    row = dict(zip(HEADER, first, strict=True))
    assert row["response_id"] == 1 and type(row["response_id"]) is int
    assert row["tuoi"] == 30 and type(row["tuoi"]) is int
    assert row["chi_phi"] == 12.5 and type(row["chi_phi"]) is float
    assert row["hai_long"] == 3 and type(row["hai_long"]) is int
    assert row["chat_luong.thu_tuc"] == 2 and type(row["chat_luong.thu_tuc"]) is int
    assert dict(zip(HEADER, third, strict=True))["tuoi"] == -5
    assert dict(zip(HEADER, second, strict=True))["tuoi"] is None  # unanswered: empty


def test_xlsx_text_stays_text(official) -> None:
    first, _second, third = workbook_rows(official.get(f"{URL}/export.xlsx").content)[1:]
    row = dict(zip(HEADER, first, strict=True))
    assert row["submitted_at"] == TIMES[1][1]
    assert (row["language"], row["form_version"]) == ("vi", VERSION)
    assert (row["kenh"], row["nguon"], row["ngay"], row["da_dung"]) == (
        "quay", "tv;web", "2026-01-15", "yes")
    # every character exact; the line break reads back as XML's "\n"
    assert row["y_kien"].splitlines() == VIETNAMESE.splitlines()
    assert dict(zip(HEADER, third, strict=True))["y_kien"] == "-7"  # a text answer


def test_xlsx_neutralises_formula_like_text_and_stores_no_formula(official) -> None:
    cells = workbook_cells(official.get(f"{URL}/export.xlsx").content)
    cell = cells[2][HEADER.index("y_kien")]
    assert cell.value == "'" + EVIL
    assert cell.data_type != "f"
    assert all(c.data_type != "f" for row in cells for c in row)


@pytest.mark.parametrize("evil", ["=cmd", "+1", "@x", "-x", "=1+1"])
def test_xlsx_neutralises_each_formula_trigger(app, evil) -> None:
    client = app()
    submit(client, {"y_kien": evil})
    (cell,) = [row[HEADER.index("y_kien")] for row in workbook_cells(
        as_official(client).get(f"{URL}/export.xlsx").content)[1:]]
    assert (cell.value, cell.data_type) == ("'" + evil, "s")


def test_xlsx_respects_the_filters(official) -> None:
    table = workbook_rows(official.get(f"{URL}/export.xlsx?since=2026-11-21").content)
    assert [row[0] for row in table[1:]] == [2, 3]


def test_xlsx_with_labels(official) -> None:
    table = workbook_rows(official.get(f"{URL}/export.xlsx?labels=1&lang=en").content)
    row = dict(zip(HEADER, table[1], strict=True))
    assert (row["kenh"], row["nguon"], row["hai_long"], row["chat_luong.thu_tuc"]) == (
        "At the counter", "Television;Website", "Satisfied", "Good")


def test_xlsx_with_labels_keeps_numbers_numeric(official) -> None:
    table = workbook_rows(official.get(f"{URL}/export.xlsx?labels=1&lang=en").content)
    row = dict(zip(HEADER, table[1], strict=True))
    assert (row["tuoi"], row["chi_phi"]) == (30, 12.5)


# --- JSON Lines ----------------------------------------------------------------------

def jsonl(response: Any) -> list[dict[str, Any]]:
    assert response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


def test_jsonl_one_object_per_response(official) -> None:
    response = official.get(f"{URL}/export.jsonl")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson; charset=utf-8"
    name = f"xuat-ban-{today()}.jsonl"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")
    assert response.headers["cache-control"] == "no-store"
    first, second, third = jsonl(response)
    assert {k: v for k, v in first.items() if k != "answers"} == {
        "response_id": 1, "submitted_at": TIMES[1][1], "language": "vi",
        "form_version": VERSION}
    assert list(first["answers"]) == ANSWER_COLUMNS
    numeric = ("hai_long", "tuoi", "chi_phi", "chat_luong.thu_tuc", "chat_luong.can_bo")
    assert {k: v for k, v in first["answers"].items() if k not in numeric} == {
        "kenh": "quay", "nguon": ["tv", "web"], "y_kien": VIETNAMESE,
        "ngay": "2026-01-15", "da_dung": "yes"}
    # numbers as the stored codes (whether written as JSON strings or numbers)
    assert [str(first["answers"][k]) for k in numeric] == ["3", "30", "12.5", "2", "1"]
    assert (second["response_id"], third["response_id"]) == (2, 3)


def test_jsonl_values_are_exact_and_unanswered_is_null(official) -> None:
    _first, second, _third = jsonl(official.get(f"{URL}/export.jsonl"))
    answers = second["answers"]
    assert answers["y_kien"] == EVIL  # read by programs: not neutralised
    assert answers["tuoi"] is None and answers["ngay"] is None
    assert answers["chat_luong.thu_tuc"] is None


def test_jsonl_multiple_choice_is_a_list(official) -> None:
    first = jsonl(official.get(f"{URL}/export.jsonl"))[0]
    assert first["answers"]["nguon"] == ["tv", "web"]


def test_jsonl_unanswered_multiple_choice_is_null(official) -> None:
    second = jsonl(official.get(f"{URL}/export.jsonl"))[1]
    assert second["answers"]["nguon"] is None


def test_jsonl_respects_the_filters_and_labels(official) -> None:
    lines = jsonl(official.get(f"{URL}/export.jsonl?language=vi&labels=1&lang=en"))
    assert [line["response_id"] for line in lines] == [1, 3]
    assert lines[0]["answers"]["nguon"] == ["Television", "Website"]


# --- columns across versions ---------------------------------------------------------

OLD = """
id: xuat-ban
title: {vi: Xuất dữ liệu, en: Data export}
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
    type: text
    label: {vi: Câu hỏi cũ, en: Old question}
  - id: tuoi
    type: integer
    label: {vi: Tuổi, en: Age}
"""
NEW = """
id: xuat-ban
title: {vi: Xuất dữ liệu, en: Data export}
agency: so-thu
languages: [vi, en]
questions:
  - id: kenh
    type: single_choice
    label: {vi: Kênh nộp hồ sơ, en: Channel}
    choices:
      - {value: quay, label: {vi: Tại quầy, en: At the counter}}
      - {value: mang, label: {vi: Trực tuyến, en: Online}}
  - id: tuoi
    type: integer
    label: {vi: Tuổi, en: Age}
  - id: moi
    type: text
    label: {vi: Câu hỏi mới, en: New question}
"""
V1, V2 = load_text(OLD).spec.version, load_text(NEW).spec.version


@pytest.fixture
def versions(app) -> TestClient:
    """Response 1 given to OLD, then the form became NEW (a question removed from the
    middle, one added), and response 2 was given to it."""
    client = app(OLD)
    submit(client, {"kenh": "quay", "cu": "Câu trả lời cũ", "tuoi": "30"})
    client = app(NEW)
    submit(client, {"kenh": "mang", "tuoi": "40", "moi": "Câu trả lời mới"}, "en")
    return as_official(client)


def test_retired_questions_keep_their_column_after_the_current_ones(versions) -> None:
    table = parsed(versions.get(f"{URL}/export.csv").text)
    assert table[0] == ["response_id", "submitted_at", "language", "form_version",
                        "kenh", "tuoi", "moi", "cu"]
    assert [row[:1] + row[2:] for row in table[1:]] == [
        ["1", "vi", V1, "quay", "30", "", "Câu trả lời cũ"],
        ["2", "en", V2, "mang", "40", "Câu trả lời mới", ""],
    ]


def test_version_filter_on_an_export(versions) -> None:
    table = parsed(versions.get(f"{URL}/export.csv?version={V1}").text)
    assert table[0][-1] == "cu"  # the columns do not change with the filter
    assert [(row[0], row[3]) for row in table[1:]] == [("1", V1)]
    table = parsed(versions.get(f"{URL}/export.csv?version={V2}").text)
    assert [(row[0], row[3]) for row in table[1:]] == [("2", V2)]


def test_retired_columns_in_xlsx_and_jsonl(versions) -> None:
    sheet = workbook_rows(versions.get(f"{URL}/export.xlsx").content)
    assert sheet[0][4:] == ["kenh", "tuoi", "moi", "cu"]
    assert sheet[1][4:] == ["quay", 30, None, "Câu trả lời cũ"]
    lines = jsonl(versions.get(f"{URL}/export.jsonl"))
    assert lines[0]["answers"] == {"kenh": "quay", "tuoi": "30", "moi": None,
                                   "cu": "Câu trả lời cũ"}
    assert [line["form_version"] for line in lines] == [V1, V2]


# --- data dictionary -----------------------------------------------------------------

def dictionary(client: TestClient) -> dict[str, dict[str, str]]:
    response = client.get(f"{URL}/dictionary.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    name = f"xuat-ban-{today()}-dictionary.csv"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}")
    assert response.headers["cache-control"] == "no-store"
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return {row["column"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}


def test_dictionary_has_a_row_per_column_including_the_fixed_ones(official) -> None:
    found = dictionary(official)
    assert list(found) == HEADER
    assert {found[c]["type"] for c in HEADER[:4]} == {"meta"}
    assert [found[c]["type"] for c in ANSWER_COLUMNS] == [
        "single_choice", "multiple_choice", "likert", "integer", "decimal", "textarea",
        "matrix", "matrix", "date", "yes_no"]
    assert found["submitted_at"]["question_en"] == "Time submitted, UTC (ISO 8601)"


def test_dictionary_gives_questions_rows_and_choices_in_both_languages(official) -> None:
    found = dictionary(official)
    assert (found["kenh"]["question_vi"], found["kenh"]["question_en"]) == (
        "Kênh nộp hồ sơ", "Channel")
    assert found["kenh"]["choices"] == "quay = Tại quầy / At the counter | " \
                                       "mang = Trực tuyến / Online"
    assert found["hai_long"]["choices"] == (
        "1 = Không hài lòng / Dissatisfied | 2 = Bình thường / Neutral | "
        "3 = Hài lòng / Satisfied")
    matrix = found["chat_luong.can_bo"]
    assert (matrix["question_vi"], matrix["question_en"], matrix["row_vi"],
            matrix["row_en"]) == ("Chất lượng", "Quality", "Cán bộ", "Staff")
    assert matrix["choices"] == "1 = Tệ / Bad | 2 = Tốt / Good"
    assert (found["tuoi"]["row_vi"], found["tuoi"]["choices"]) == ("", "")
    assert found["tuoi"]["versions"] == VERSION


def test_dictionary_gives_yes_and_no_in_both_languages(official) -> None:
    assert dictionary(official)["da_dung"]["choices"] == "yes = Có / Yes | no = Không / No"


def test_dictionary_lists_the_versions_of_each_column(versions) -> None:
    found = dictionary(versions)
    assert list(found)[4:] == ["kenh", "tuoi", "moi", "cu"]
    assert set(found["kenh"]["versions"].split()) == {V1, V2}
    assert set(found["tuoi"]["versions"].split()) == {V1, V2}
    assert found["moi"]["versions"] == V2
    assert found["cu"]["versions"] == V1
    assert (found["cu"]["question_vi"], found["cu"]["question_en"]) == (
        "Câu hỏi cũ", "Old question")


def test_dictionary_names_each_version_by_number_and_first_day(versions) -> None:
    day = dt.date.fromisoformat(today()).strftime("%d/%m/%Y")
    assert dictionary(versions)["form_version"]["choices"] == (
        f"{V1} = Phiên bản 1 (từ {day}) / Version 1 (from {day}) | "
        f"{V2} = Phiên bản 2 (từ {day}) / Version 2 (from {day})")


# --- large exports -------------------------------------------------------------------

def test_an_export_of_many_responses_returns_them_all_in_order(app, database) -> None:
    client = app()
    submit(client, {"tuoi": "1"})
    copy_responses(database, 1201)
    as_official(client)
    table = parsed(client.get(f"{URL}/export.csv").text)
    assert len(table) == 1 + 1201
    assert [row[0] for row in table[1:]] == [str(i) for i in range(1, 1202)]
    assert [row[HEADER.index("tuoi")] for row in table[1:]] == [str(i) for i in range(1, 1202)]
    lines = jsonl(client.get(f"{URL}/export.jsonl"))
    assert [line["response_id"] for line in lines] == list(range(1, 1202))
    sheet = workbook_rows(client.get(f"{URL}/export.xlsx").content)
    assert [row[HEADER.index("tuoi")] for row in sheet[1:]] == list(range(1, 1202))


# --- the command line ----------------------------------------------------------------

@pytest.fixture
def stopped(write_form, forms_dir, settings_for, rows) -> Path:
    """The CITIZENS' responses, then the app stopped (the CLI opens the database)."""
    write_form(FORM)
    with TestClient(create_app(settings_for(forms_dir))) as client:
        fill(client, rows)
    return forms_dir


def cli(database_url: str, forms_dir: Path, *args: str) -> int:
    return main(["export", "xuat-ban", *args, "--db", database_url,
                 "--forms", str(forms_dir)])


def test_cli_xlsx(stopped, database_url, tmp_path) -> None:
    out = tmp_path / "ket-qua.xlsx"
    assert cli(database_url, stopped, "--format", "xlsx", "--output", str(out)) == 0
    table = workbook_rows(out.read_bytes())
    assert table[0] == HEADER
    row = dict(zip(HEADER, table[1], strict=True))
    assert (row["response_id"], row["tuoi"], row["chi_phi"], row["kenh"]) == (
        1, 30, 12.5, "quay")
    assert row["y_kien"].splitlines() == VIETNAMESE.splitlines()
    assert [r[0] for r in table[1:]] == [1, 2, 3]


def test_cli_jsonl(stopped, database_url, tmp_path) -> None:
    out = tmp_path / "ket-qua.jsonl"
    assert cli(database_url, stopped, "--format", "jsonl", "--output", str(out)) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["response_id"] for line in lines] == [1, 2, 3]
    assert lines[0]["answers"]["nguon"] == ["tv", "web"]
    assert lines[1]["answers"]["y_kien"] == EVIL


def test_cli_csv_is_the_same_as_the_web_download(stopped, database_url, tmp_path) -> None:
    out = tmp_path / "ket-qua.csv"
    assert cli(database_url, stopped, "--format", "csv", "--output", str(out)) == 0
    table = parsed(out.read_bytes().decode("utf-8"))
    assert table == [HEADER, ROWS[1], ROWS[2], ROWS[3]]


@pytest.mark.parametrize(("flags", "ids"), [
    (["--since", "2026-11-21"], ["2", "3"]),
    (["--until", "2026-11-21"], ["1", "2"]),
    (["--since", "2026-11-21", "--until", "2026-11-21"], ["2"]),
    (["--version", VERSION], ["1", "2", "3"]),
    (["--version", "000000000000"], []),
])
def test_cli_filters(stopped, database_url, tmp_path, flags, ids) -> None:
    out = tmp_path / "ket-qua.csv"
    assert cli(database_url, stopped, "--output", str(out), *flags) == 0
    table = parsed(out.read_bytes().decode("utf-8"))
    assert table[0] == HEADER
    assert [row[0] for row in table[1:]] == ids


def test_cli_labels_are_in_the_forms_first_language(stopped, database_url, tmp_path) -> None:
    out = tmp_path / "ket-qua.csv"
    assert cli(database_url, stopped, "--labels", "--output", str(out)) == 0
    first = dict(zip(HEADER, parsed(out.read_bytes().decode("utf-8"))[1], strict=True))
    assert (first["kenh"], first["nguon"], first["chat_luong.thu_tuc"]) == (
        "Tại quầy", "Truyền hình;Trang web", "Tốt")


def test_cli_dictionary(stopped, database_url, tmp_path) -> None:
    out = tmp_path / "tu-dien.csv"
    assert cli(database_url, stopped, "--dictionary", "--output", str(out)) == 0
    found = {row["column"]: row for row in csv.DictReader(
        io.StringIO(out.read_bytes().decode("utf-8").removeprefix("\ufeff"), newline=""))}
    assert list(found) == HEADER
    assert found["chat_luong.thu_tuc"]["row_en"] == "Procedure"
    assert found["kenh"]["choices"] == ("quay = Tại quầy / At the counter | "
                                        "mang = Trực tuyến / Online")


def test_cli_exports_are_audited_with_the_row_count(stopped, database_url, tmp_path,
                                                    rows) -> None:
    assert cli(database_url, stopped, "--format", "xlsx",
               "--output", str(tmp_path / "a.xlsx")) == 0
    assert cli(database_url, stopped, "--format", "jsonl", "--since", "2026-11-21",
               "--output", str(tmp_path / "b.jsonl")) == 0
    events = rows("select actor, form_id, details from audit_event"
                  " where action = 'export' order by id")
    assert len(events) == 2
    (actor, form_id, details), (_, _, second) = events
    assert actor.startswith("cli") and form_id == "xuat-ban"
    assert json.loads(details) == {"format": "xlsx", "rows": 3, "via": "cli"}
    assert json.loads(second) == {"format": "jsonl", "rows": 2, "via": "cli",
                                  "since": "2026-11-21"}


def test_the_app_opens_the_database_again_after_the_cli(
        stopped, database_url, tmp_path, add_official, make_client, forms_dir) -> None:
    """The CLI and the app take turns on one database file."""
    assert cli(database_url, stopped, "--output", str(tmp_path / "a.csv")) == 0
    add_official(OFFICIAL)
    client = as_official(make_client(forms_dir))
    assert len(parsed(client.get(f"{URL}/export.csv").text)) == 4
