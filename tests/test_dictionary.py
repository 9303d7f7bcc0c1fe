"""The data dictionary of an export: what an answer must be, and which version is which,
in words and figures of each language."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from vnform.dictionary import dictionary_csv, dictionary_rows, rules_text, version_name
from vnform.export import columns
from vnform.forms.loader import load_text

FORM = """
id: quy-tac
title: {vi: Quy tắc, en: Rules}
agency: so-thu
languages: [vi, en]
questions:
  - id: so_tien
    type: decimal
    label: {vi: Số tiền, en: Amount}
    required: true
    validate: {min: 0.5, max: 1500000}
  - id: so_lan
    type: integer
    label: {vi: Số lần, en: Times}
    validate: {min: 1}
  - id: ngay
    type: date
    label: {vi: Ngày, en: Day}
    validate: {min: 2025-01-01, max: 2026-12-31}
  - id: mo_ta
    type: textarea
    label: {vi: Mô tả, en: Description}
    validate: {max_length: 2000}
  - id: ma
    type: text
    label: {vi: Mã hồ sơ, en: Case number}
    validate: {min_length: 6, max_length: 40, pattern: '[0-9A-Z.-]+'}
  - id: kho_khan
    type: multiple_choice
    label: {vi: Khó khăn, en: Difficulties}
    validate: {min_choices: 1, max_choices: 2}
    choices:
      - {value: a, label: {vi: Đăng nhập, en: Signing in}}
      - {value: b, label: {vi: Tải giấy tờ, en: Uploading}}
      - {value: c, label: {vi: Thanh toán, en: Paying}}
  - id: y_kien
    type: textarea
    label: {vi: Ý kiến, en: Comments}
  - id: da_dung
    type: yes_no
    label: {vi: "Đã dùng?", en: "Used it?"}
"""


@pytest.fixture(scope="module")
def spec():
    loaded = load_text(FORM, "quy-tac.yaml")
    assert loaded.spec is not None, loaded.problems
    return loaded.spec


@pytest.mark.parametrize(("question", "vi", "en"), [
    ("so_tien", "bắt buộc; từ 0,5 đến 1.500.000", "required; from 0.5 to 1,500,000"),
    ("so_lan", "ít nhất 1", "at least 1"),
    ("ngay", "từ 01/01/2025 đến 31/12/2026", "from 01/01/2025 to 31/12/2026"),
    ("mo_ta", "nhiều nhất 2.000 ký tự", "at most 2,000 characters"),
    ("ma", "từ 6 đến 40 ký tự; theo mẫu [0-9A-Z.-]+",
     "from 6 to 40 characters; matching the pattern [0-9A-Z.-]+"),
    ("kho_khan", "chọn từ 1 đến 2 mục", "choose from 1 to 2"),
    ("y_kien", "nhiều nhất 5.000 ký tự", "at most 5,000 characters"),  # a text's own limit
    ("da_dung", "", ""),
])
def test_what_an_answer_must_be_reads_in_each_language(spec, question, vi, en) -> None:
    assert rules_text(spec.question(question), "vi") == vi
    assert rules_text(spec.question(question), "en") == en


def test_a_version_is_named_by_its_number_and_first_day() -> None:
    assert version_name(3, dt.date(2026, 11, 12), "vi") == "Phiên bản 3 (từ 12/11/2026)"
    assert version_name(3, dt.date(2026, 11, 12), "en") == "Version 3 (from 12/11/2026)"


def test_the_version_column_names_each_version_code(spec) -> None:
    rows = dictionary_rows(columns(spec), [("a1", dt.date(2026, 11, 12)),
                                           ("b2", dt.date(2026, 11, 20))])
    header, *rest = rows
    version = dict(zip(header, next(r for r in rest if r[0] == "form_version"), strict=True))
    assert version["choices"] == (
        "a1 = Phiên bản 1 (từ 12/11/2026) / Version 1 (from 12/11/2026) | "
        "b2 = Phiên bản 2 (từ 20/11/2026) / Version 2 (from 20/11/2026)")


def test_the_dictionary_csv_has_a_rules_column_per_language(spec) -> None:
    text = dictionary_csv(columns(spec), excel=True)
    assert text.startswith("\ufeffcolumn,type,personal_data,question_vi,question_en,row_vi,"
                           "row_en,choices,rules_vi,rules_en,versions\r\n")
    found = {row["column"]: row for row in csv.DictReader(io.StringIO(text[1:]))}
    assert (found["so_tien"]["rules_vi"], found["so_tien"]["rules_en"]) == (
        "bắt buộc; từ 0,5 đến 1.500.000", "required; from 0.5 to 1,500,000")
