"""Every validation rule: its message, nothing stored on failure, answers kept on the page.

Also hostile input (values outside the choices, unknown fields, huge or strange values)
and the error summary. Each test serves a small one-page form over real HTTP with a
real SQLite file; pages are opened in English (``?lang=en``) unless a test is about
Vietnamese wording.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import TRIAL_HEAD, TRIAL_URL, Citizen, errors, summary_links

URL = TRIAL_URL
HEAD = TRIAL_HEAD
CHOICES = "[{value: a, label: {vi: Một, en: One}}, {value: b, label: {vi: Hai, en: Two}}]"
KENH = """
- id: kenh
  type: multiple_choice
  label: Kênh
  validate: {min_choices: 2, max_choices: 3}
  choices:
    - {value: tv, label: TV}
    - {value: web, label: Web}
    - {value: zalo, label: Zalo}
    - {value: friends, label: Người quen}
"""
MATRIX = """
- id: chat_luong
  type: matrix
  label: {vi: Đánh giá, en: Rate}
  required: true
  choices: [{value: 1, label: Tệ}, {value: 2, label: Tốt}]
  rows:
    - {id: thu_tuc, label: {vi: Thủ tục, en: Procedure}}
    - {id: can_bo, label: {vi: Cán bộ, en: Staff}}
    - {id: ket_qua, label: {vi: Kết quả, en: Result}}
"""


@pytest.fixture
def nothing_stored(rows) -> Callable[[], bool]:
    return lambda: rows("select count(*) from response") == [(0,)] and rows(
        "select count(*) from answer") == [(0,)]


def refused(citizen: Citizen, answers: dict[str, Any]) -> Any:
    """Post *answers* and expect the page back with errors (never a redirect or a 500)."""
    page = citizen.post(URL, answers)
    assert page.status_code == 200, page.status_code
    assert errors(page), "no error shown"
    return page


def accepted(citizen: Citizen, answers: dict[str, Any]) -> Any:
    page = citizen.post(URL, answers)
    assert page.status_code == 303, (page.status_code, errors(page))
    return page


def value_of(page: Any, name: str) -> str:
    """What an input or textarea named *name* holds on the page."""
    quoted = re.escape(name)
    match = re.search(rf'<input[^>]*\bname="{quoted}"[^>]*\bvalue="([^"]*)"', page.text) or \
        re.search(rf'<textarea[^>]*\bname="{quoted}"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert match, name
    return html.unescape(match.group(1))


def checked(page: Any, name: str) -> list[str]:
    """Values of the checked radios or checkboxes named *name*."""
    return [html.unescape(v) for v in re.findall(
        rf'name="{re.escape(name)}" value="([^"]*)" checked', page.text)]


def selected(page: Any) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', page.text)


def title(page: Any) -> str:
    match = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert match
    return html.unescape(" ".join(match.group(1).split()))


def tag_with_id(page: Any, element_id: str) -> str:
    match = re.search(rf'<[a-z]+\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', page.text)
    assert match, element_id
    return match.group(0)


def described_by(page: Any, element_id: str) -> list[str]:
    match = re.search(r'aria-describedby="([^"]*)"', tag_with_id(page, element_id))
    return match.group(1).split() if match else []


# --- required ---

@pytest.mark.parametrize("qtype", ["text", "textarea", "integer", "decimal", "email", "phone",
                                   "date"])
def test_required_typed_answer_left_empty_says_enter_an_answer(start, nothing_stored,
                                                               qtype: str) -> None:
    citizen = start(f"- {{id: cau, type: {qtype}, label: Câu, required: true}}")
    page = refused(citizen, {"cau": ""})
    assert errors(page) == ["Enter an answer"]
    assert nothing_stored()


def test_required_text_of_only_spaces_counts_as_empty(start, nothing_stored) -> None:
    citizen = start("- {id: ten, type: text, label: Tên, required: true}")
    assert errors(refused(citizen, {"ten": "   \t "})) == ["Enter an answer"]
    assert nothing_stored()


def test_required_text_not_posted_at_all_says_enter_an_answer(start, nothing_stored) -> None:
    citizen = start("- {id: ten, type: text, label: Tên, required: true}")
    assert errors(refused(citizen, {})) == ["Enter an answer"]
    assert nothing_stored()


@pytest.mark.parametrize("question", [
    f"{{id: cau, type: single_choice, label: Câu, required: true, choices: {CHOICES}}}",
    f"{{id: cau, type: dropdown, label: Câu, required: true, choices: {CHOICES}}}",
    "{id: cau, type: yes_no, label: Câu, required: true}",
    f"{{id: cau, type: likert, label: Câu, required: true, choices: {CHOICES}}}",
    "{id: cau, type: rating, label: Câu, required: true}",
    "{id: cau, type: nps, label: Câu, required: true}",
])
def test_required_choice_left_unanswered_says_select_an_answer(start, nothing_stored,
                                                               question: str) -> None:
    citizen = start(f"- {question}")
    assert errors(refused(citizen, {})) == ["Select an answer"]
    assert nothing_stored()


def test_required_dropdown_left_on_its_empty_option_says_select_an_answer(
        start, nothing_stored) -> None:
    citizen = start(f"- {{id: tinh, type: dropdown, label: Tỉnh, required: true, "
                    f"choices: {CHOICES}}}")
    assert errors(refused(citizen, {"tinh": ""})) == ["Select an answer"]
    assert nothing_stored()


def test_required_multiple_choice_says_select_at_least_one_option(start,
                                                                  nothing_stored) -> None:
    citizen = start(f"- {{id: kenh, type: multiple_choice, label: Kênh, required: true, "
                    f"choices: {CHOICES}}}")
    assert errors(refused(citizen, {"kenh": ""})) == ["Select at least one option"]
    assert nothing_stored()


def test_required_matrix_names_each_unanswered_row(start, nothing_stored) -> None:
    citizen = start(MATRIX)
    page = refused(citizen, {"chat_luong.can_bo": "2"})
    assert errors(page) == ["Select an answer for “Procedure”", "Select an answer for “Result”"]
    assert checked(page, "chat_luong.can_bo") == ["2"]
    assert nothing_stored()


def test_required_matrix_row_is_named_in_the_page_language(start) -> None:
    citizen = start(MATRIX, lang="vi")
    page = refused(citizen, {"chat_luong.thu_tuc": "1", "chat_luong.can_bo": "2"})
    assert errors(page) == ["Chọn câu trả lời cho “Kết quả”"]


def test_required_message_is_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start("- {id: ten, type: text, label: Tên, required: true}", lang="vi")
    assert errors(refused(citizen, {"ten": ""})) == ["Nhập câu trả lời"]


def test_optional_answer_left_empty_is_not_checked_against_its_rules(start, stored) -> None:
    citizen = start(r"""
        - {id: ten, type: text, label: Tên, validate: {min_length: 5, pattern: '[A-Z]+'}}
        - {id: tuoi, type: integer, label: Tuổi, validate: {min: 15}}
    """)
    accepted(citizen, {"ten": "", "tuoi": " "})
    assert stored() == []


def test_min_choices_does_not_make_an_optional_question_required(start, stored) -> None:
    citizen = start(KENH)
    accepted(citizen, {"kenh": ""})
    assert stored() == []


# --- min and max ---

AGE = "- {id: tuoi, type: integer, label: Tuổi, validate: {min: 15, max: 120}}"


def test_integer_below_min_says_the_smallest_allowed(start, nothing_stored) -> None:
    citizen = start(AGE)
    page = refused(citizen, {"tuoi": "14"})
    assert errors(page) == ["Enter a number that is 15 or more"]
    assert value_of(page, "tuoi") == "14"
    assert nothing_stored()


def test_integer_above_max_says_the_largest_allowed(start, nothing_stored) -> None:
    citizen = start(AGE)
    page = refused(citizen, {"tuoi": "121"})
    assert errors(page) == ["Enter a number that is 120 or less"]
    assert value_of(page, "tuoi") == "121"
    assert nothing_stored()


@pytest.mark.parametrize("age", ["15", "120"])
def test_integer_limits_are_inclusive(start, stored, age: str) -> None:
    citizen = start(AGE)
    accepted(citizen, {"tuoi": age})
    assert stored() == [("tuoi", age, float(age), None)]


def test_integer_limit_message_is_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start(AGE, lang="vi")
    assert errors(refused(citizen, {"tuoi": "200"})) == ["Nhập số không lớn hơn 120"]


COST = "- {id: chi_phi, type: decimal, label: Chi phí, validate: {min: 0.5, max: 100000}}"


def test_decimal_below_min_says_the_smallest_allowed(start, nothing_stored) -> None:
    citizen = start(COST)
    page = refused(citizen, {"chi_phi": "0,25"})
    assert errors(page) == ["Enter a number that is 0.5 or more"]
    assert value_of(page, "chi_phi") == "0,25"
    assert nothing_stored()


def test_decimal_above_max_says_the_largest_allowed(start, nothing_stored) -> None:
    citizen = start(COST)
    page = refused(citizen, {"chi_phi": "100000,01"})
    assert errors(page) == ["Enter a number that is 100000 or less"]
    assert nothing_stored()


@pytest.mark.parametrize(("typed", "value"), [("0,5", "0.5"), ("100000,00", "100000")])
def test_decimal_limits_are_inclusive(start, stored, typed: str, value: str) -> None:
    citizen = start(COST)
    accepted(citizen, {"chi_phi": typed})
    assert stored() == [("chi_phi", value, float(value), None)]


def test_decimal_limit_is_shown_with_a_decimal_comma_on_a_vietnamese_page(start) -> None:
    citizen = start(COST, lang="vi")
    assert errors(refused(citizen, {"chi_phi": "0,25"})) == ["Nhập số không nhỏ hơn 0,5"]


def test_negative_min_is_shown_with_its_sign(start) -> None:
    citizen = start("- {id: nhiet_do, type: decimal, label: Nhiệt độ, validate: {min: -10}}")
    assert errors(refused(citizen, {"nhiet_do": "-10,5"})) == [
        "Enter a number that is -10 or more"]


DAY = ("- {id: ngay_nop, type: date, label: Ngày nộp, "
       "validate: {min: 2025-01-01, max: 2026-12-31}}")


def test_date_before_min_says_the_earliest_date_as_dd_mm_yyyy(start, nothing_stored) -> None:
    citizen = start(DAY)
    page = refused(citizen, {"ngay_nop": "31/12/2024"})
    assert errors(page) == ["Enter a date on or after 01/01/2025"]
    assert value_of(page, "ngay_nop") == "31/12/2024"
    assert nothing_stored()


def test_date_after_max_says_the_latest_date_as_dd_mm_yyyy(start, nothing_stored) -> None:
    citizen = start(DAY)
    page = refused(citizen, {"ngay_nop": "2027-01-01"})
    assert errors(page) == ["Enter a date on or before 31/12/2026"]
    assert nothing_stored()


@pytest.mark.parametrize(("typed", "value"), [("01/01/2025", "2025-01-01"),
                                              ("2026-12-31", "2026-12-31")])
def test_date_limits_are_inclusive(start, stored, typed: str, value: str) -> None:
    citizen = start(DAY)
    accepted(citizen, {"ngay_nop": typed})
    assert stored() == [("ngay_nop", value, None, None)]


def test_date_limit_message_is_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start(DAY, lang="vi")
    assert errors(refused(citizen, {"ngay_nop": "01/06/2024"})) == [
        "Nhập ngày từ 01/01/2025 trở về sau"]


# --- min_length and max_length ---

NAME = "- {id: ho_ten, type: text, label: Họ tên, validate: {min_length: 3, max_length: 10}}"


def test_text_shorter_than_min_length_says_how_many_characters(start, nothing_stored) -> None:
    citizen = start(NAME)
    page = refused(citizen, {"ho_ten": "An"})
    assert errors(page) == ["Enter at least 3 characters"]
    assert value_of(page, "ho_ten") == "An"
    assert nothing_stored()


def test_text_longer_than_max_length_says_how_many_to_remove(start, nothing_stored) -> None:
    citizen = start(NAME)
    page = refused(citizen, {"ho_ten": "Nguyễn Văn An"})
    assert errors(page) == ["Enter 10 characters or fewer (remove 3)"]
    assert value_of(page, "ho_ten") == "Nguyễn Văn An"
    assert nothing_stored()


def test_max_length_message_is_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start(NAME, lang="vi")
    assert errors(refused(citizen, {"ho_ten": "Nguyễn Văn An"})) == [
        "Nhập không quá 10 ký tự (bớt 3 ký tự)"]


@pytest.mark.parametrize("typed", ["Huế", "Đà Nẵng 😊", "  Lan  "])
def test_length_counts_characters_not_bytes_nor_surrounding_spaces(start, stored,
                                                                   typed: str) -> None:
    citizen = start("- {id: ho_ten, type: text, label: Họ tên, "
                    "validate: {min_length: 3, max_length: 9}}")
    accepted(citizen, {"ho_ten": typed})
    assert stored() == [("ho_ten", None, None, typed.strip())]


def test_a_line_break_counts_as_one_character_as_the_browser_counts_it(start,
                                                                      stored) -> None:
    # Browsers send line breaks as CR LF; the page's counter (and maxlength) count one.
    citizen = start("- {id: y_kien, type: textarea, label: Ý kiến, validate: {max_length: 10}}")
    accepted(citizen, {"y_kien": "Một\r\nHai\r\nBa"})
    assert stored()[0][3].splitlines() == ["Một", "Hai", "Ba"]


def test_phone_longer_than_its_max_length_is_refused(start, nothing_stored) -> None:
    citizen = start("- {id: dien_thoai, type: phone, label: Điện thoại, "
                    "validate: {max_length: 12}}")
    assert errors(refused(citizen, {"dien_thoai": "+84 912 345 678"})) == [
        "Enter 12 characters or fewer (remove 3)"]
    assert nothing_stored()


@pytest.mark.parametrize(("qtype", "limit", "answer"), [
    ("text", 500, "a" * 501),
    ("textarea", 5000, "Dòng\n" * 1000 + "x"),
    ("email", 254, "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 59 + ".vn"),
    ("phone", 20, "0912 . 345 . 678 . .."),
])
def test_default_max_length_of_free_text_types(start, nothing_stored, qtype: str, limit: int,
                                               answer: str) -> None:
    assert len(answer) == limit + 1
    citizen = start(f"- {{id: cau, type: {qtype}, label: Câu}}")
    assert errors(refused(citizen, {"cau": answer})) == [
        f"Enter {limit} characters or fewer (remove 1)"]
    assert nothing_stored()


@pytest.mark.parametrize(("qtype", "answer"), [
    ("text", "ă" * 500),
    ("textarea", "ơ" * 5000),
    ("email", "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".vn"),
])
def test_answer_exactly_at_the_default_max_length_is_accepted(start, stored, qtype: str,
                                                              answer: str) -> None:
    citizen = start(f"- {{id: cau, type: {qtype}, label: Câu}}")
    accepted(citizen, {"cau": answer})
    assert stored() == [("cau", None, None, answer)]


def test_max_length_in_the_form_file_replaces_the_default(start, stored) -> None:
    citizen = start("- {id: ten, type: text, label: Tên, validate: {max_length: 800}}")
    accepted(citizen, {"ten": "x" * 800})
    assert stored() == [("ten", None, None, "x" * 800)]


# --- pattern ---

CASE = r"- {id: ma_ho_so, type: text, label: Mã hồ sơ, validate: {pattern: '[0-9A-Z.\-]{6,40}'}}"
CASE_WITH_MESSAGE = r"""
- id: ma_ho_so
  type: text
  label: Mã hồ sơ
  validate:
    pattern: '[0-9A-Z.\-]{6,40}'
    message:
      vi: Mã hồ sơ chỉ gồm chữ in hoa, chữ số, dấu chấm và gạch ngang
      en: A case number has only capital letters, digits, dots and dashes
"""


def test_pattern_mismatch_has_a_default_message(start, nothing_stored) -> None:
    citizen = start(CASE)
    page = refused(citizen, {"ma_ho_so": "h26 0001"})
    assert errors(page) == ["Enter the answer in the format asked for"]
    assert value_of(page, "ma_ho_so") == "h26 0001"
    assert nothing_stored()


def test_pattern_default_message_is_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start(CASE, lang="vi")
    assert errors(refused(citizen, {"ma_ho_so": "h26"})) == [
        "Nhập câu trả lời theo đúng định dạng được yêu cầu"]


def test_pattern_must_match_the_whole_answer(start, nothing_stored) -> None:
    citizen = start(CASE)
    assert errors(refused(citizen, {"ma_ho_so": "H26-0001 xin cảm ơn"})) == [
        "Enter the answer in the format asked for"]
    assert nothing_stored()


def test_answer_matching_the_pattern_is_stored(start, stored) -> None:
    citizen = start(CASE)
    accepted(citizen, {"ma_ho_so": "000.00.01.H26-261127-0001"})
    assert stored() == [("ma_ho_so", None, None, "000.00.01.H26-261127-0001")]


def test_pattern_custom_message_in_english_on_an_english_page(start) -> None:
    citizen = start(CASE_WITH_MESSAGE)
    assert errors(refused(citizen, {"ma_ho_so": "h26"})) == [
        "A case number has only capital letters, digits, dots and dashes"]


def test_pattern_custom_message_in_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start(CASE_WITH_MESSAGE, lang="vi")
    assert errors(refused(citizen, {"ma_ho_so": "h26"})) == [
        "Mã hồ sơ chỉ gồm chữ in hoa, chữ số, dấu chấm và gạch ngang"]


def test_pattern_custom_message_as_one_string_serves_every_language(start) -> None:
    citizen = start(r"""
        - id: ma
          type: text
          label: Mã
          validate: {pattern: '\d{4}', message: "Nhập 4 chữ số / Enter 4 digits"}
    """)
    assert errors(refused(citizen, {"ma": "12"})) == ["Nhập 4 chữ số / Enter 4 digits"]


def test_phone_pattern_is_checked_on_the_national_form(start, stored) -> None:
    citizen = start(r"""
        - id: di_dong
          type: phone
          label: Di động
          validate: {pattern: '09\d{8}', message: {vi: Chỉ nhận số 09, en: Only 09 numbers}}
    """)
    assert errors(refused(citizen, {"di_dong": "0312 345 678"})) == ["Only 09 numbers"]
    accepted(citizen, {"di_dong": "+84 912 345 678"})
    assert stored() == [("di_dong", None, None, "0912345678")]


def test_email_pattern_is_checked(start, nothing_stored) -> None:
    citizen = start(r"- {id: email, type: email, label: Email, "
                    r"validate: {pattern: '.+@hanoi\.gov\.vn'}}")
    assert errors(refused(citizen, {"email": "an@gmail.com"})) == [
        "Enter the answer in the format asked for"]
    assert nothing_stored()


def test_email_pattern_is_checked_on_the_lowercased_domain(start, stored) -> None:
    citizen = start(r"- {id: email, type: email, label: Email, "
                    r"validate: {pattern: '.+@hanoi\.gov\.vn'}}")
    accepted(citizen, {"email": "An@HaNoi.GOV.vn"})
    assert stored() == [("email", None, None, "An@hanoi.gov.vn")]


# --- min_choices and max_choices ---

def test_fewer_than_min_choices_says_how_many(start, nothing_stored) -> None:
    citizen = start(KENH)
    page = refused(citizen, {"kenh": ["web"]})
    assert errors(page) == ["Select at least 2 options"]
    assert checked(page, "kenh") == ["web"]
    assert nothing_stored()


def test_more_than_max_choices_says_how_many(start, nothing_stored) -> None:
    citizen = start(KENH)
    page = refused(citizen, {"kenh": ["tv", "web", "zalo", "friends"]})
    assert errors(page) == ["Select no more than 3 options"]
    assert checked(page, "kenh") == ["tv", "web", "zalo", "friends"]
    assert nothing_stored()


def test_choice_limit_messages_are_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start(KENH, lang="vi")
    assert errors(refused(citizen, {"kenh": ["tv"]})) == ["Chọn ít nhất 2 mục"]
    assert errors(refused(citizen, {"kenh": ["tv", "web", "zalo", "friends"]})) == [
        "Chọn không quá 3 mục"]


def test_a_repeated_choice_counts_once_towards_the_limits(start, nothing_stored) -> None:
    citizen = start(KENH)
    assert errors(refused(citizen, {"kenh": ["web", "web", "web"]})) == [
        "Select at least 2 options"]
    assert nothing_stored()


def test_number_of_choices_within_the_limits_is_stored(start, stored) -> None:
    citizen = start(KENH)
    accepted(citizen, {"kenh": ["zalo", "tv", "zalo", "tv", "tv", "web"]})
    assert [value for _, value, _, _ in stored()] == ["tv", "web", "zalo"]


# --- custom messages ---

def test_custom_required_message_replaces_the_built_in_one(start) -> None:
    citizen = start("""
        - id: ten
          type: text
          label: Tên
          required: true
          validate:
            messages:
              required: {vi: Xin cho biết tên của Ông/Bà, en: Tell us your name}
    """)
    assert errors(refused(citizen, {"ten": ""})) == ["Tell us your name"]


def test_custom_message_is_in_the_page_language(start) -> None:
    citizen = start("""
        - id: ten
          type: text
          label: Tên
          required: true
          validate:
            messages:
              required: {vi: Xin cho biết tên của Ông/Bà, en: Tell us your name}
    """, lang="vi")
    assert errors(refused(citizen, {"ten": ""})) == ["Xin cho biết tên của Ông/Bà"]


def test_custom_min_message_replaces_the_built_in_one_only_for_min(start) -> None:
    citizen = start("""
        - id: tuoi
          type: integer
          label: Tuổi
          validate:
            min: 15
            max: 120
            messages:
              min: {vi: Người trả lời phải từ 15 tuổi trở lên, en: You must be 15 or older}
    """)
    assert errors(refused(citizen, {"tuoi": "9"})) == ["You must be 15 or older"]
    assert errors(refused(citizen, {"tuoi": "200"})) == ["Enter a number that is 120 or less"]


def test_custom_invalid_message_replaces_the_format_message(start) -> None:
    citizen = start("""
        - id: dien_thoai
          type: phone
          label: Điện thoại
          validate:
            messages:
              invalid: {vi: Số điện thoại chưa đúng, en: That phone number looks wrong}
    """)
    assert errors(refused(citizen, {"dien_thoai": "12345"})) == [
        "That phone number looks wrong"]


def test_custom_max_length_message_replaces_the_built_in_one(start) -> None:
    citizen = start("""
        - id: y_kien
          type: textarea
          label: Ý kiến
          validate:
            max_length: 20
            messages: {max_length: {vi: Ý kiến quá dài, en: Keep it short}}
    """)
    assert errors(refused(citizen, {"y_kien": "x" * 21})) == ["Keep it short"]


def test_custom_choice_count_message_replaces_the_built_in_one(start) -> None:
    citizen = start("""
        - id: kenh
          type: multiple_choice
          label: Kênh
          choices: [{value: tv, label: TV}, {value: web, label: Web}, {value: zalo, label: Zalo}]
          validate:
            max_choices: 1
            messages: {max_choices: {vi: Chỉ chọn một kênh, en: Choose one channel only}}
    """)
    assert errors(refused(citizen, {"kenh": ["tv", "web"]})) == ["Choose one channel only"]


def test_custom_required_message_of_a_matrix_is_shown_for_each_missing_row(start) -> None:
    citizen = start(MATRIX + "  validate: {messages: {required: {vi: Chấm mọi hàng, "
                             "en: Rate every row}}}\n")
    assert errors(refused(citizen, {"chat_luong.thu_tuc": "1"})) == [
        "Rate every row", "Rate every row"]


# --- formats ---

@pytest.mark.parametrize("typed", ["12.5", "12,5", "abc", "1e3", "0x1F", "½", "12a", "--1"])
def test_integer_that_is_not_a_whole_number_is_refused(start, nothing_stored,
                                                       typed: str) -> None:
    citizen = start("- {id: so, type: integer, label: Số}")
    page = refused(citizen, {"so": typed})
    assert errors(page) == ["Enter a whole number, like 12"]
    assert value_of(page, "so") == typed
    assert nothing_stored()


@pytest.mark.parametrize("typed", ["12,5,3", "1.2.3", "abc", "NaN", "Infinity", "1e5", "12,"])
def test_decimal_that_is_not_a_number_is_refused(start, nothing_stored, typed: str) -> None:
    citizen = start("- {id: so, type: decimal, label: Số}")
    assert errors(refused(citizen, {"so": typed})) == ["Enter a number, like 12 or 12.5"]
    assert nothing_stored()


def test_number_format_message_is_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start("- {id: so, type: decimal, label: Số}", lang="vi")
    assert errors(refused(citizen, {"so": "abc"})) == ["Nhập một số, ví dụ 12 hoặc 12,5"]


@pytest.mark.parametrize("typed", ["an", "an@", "@example.com", "an example@x.vn",
                                   "an@example", "an@@example.com", "an@exa mple.com",
                                   "an@-example.com"])
def test_email_in_the_wrong_format_is_refused(start, nothing_stored, typed: str) -> None:
    citizen = start("- {id: email, type: email, label: Email}")
    page = refused(citizen, {"email": typed})
    assert errors(page) == [
        "Enter an email address in the correct format, like name@example.com"]
    assert value_of(page, "email") == typed
    assert nothing_stored()


@pytest.mark.parametrize("typed", ["12345", "0123456789", "091234567", "09123456789",
                                   "0912 345 67a", "+1 202 555 0100", "0612345678",
                                   "024 3826 123"])
def test_phone_that_is_not_a_vietnamese_number_is_refused(start, nothing_stored,
                                                          typed: str) -> None:
    citizen = start("- {id: dien_thoai, type: phone, label: Điện thoại}")
    page = refused(citizen, {"dien_thoai": typed})
    assert errors(page) == [
        "Enter a Vietnamese phone number, like 0912 345 678 or 024 3826 1234"]
    assert value_of(page, "dien_thoai") == typed
    assert nothing_stored()


@pytest.mark.parametrize("typed", ["31/02/2026", "29/02/2025", "31/04/2026", "2026-13-01",
                                   "32/01/2026", "00/01/2026", "tomorrow", "27/11/26",
                                   "2026/11/27", "0000-01-01"])
def test_date_that_is_not_a_real_date_is_refused(start, nothing_stored, typed: str) -> None:
    citizen = start("- {id: ngay, type: date, label: Ngày}")
    page = refused(citizen, {"ngay": typed})
    assert errors(page) == ["Enter a real date, like 27/11/2026"]
    assert value_of(page, "ngay") == typed
    assert nothing_stored()


def test_leap_day_is_a_real_date(start, stored) -> None:
    citizen = start("- {id: ngay, type: date, label: Ngày}")
    accepted(citizen, {"ngay": "29/02/2028"})
    assert stored() == [("ngay", "2028-02-29", None, None)]


def test_date_format_message_is_vietnamese_on_a_vietnamese_page(start) -> None:
    citizen = start("- {id: ngay, type: date, label: Ngày}", lang="vi")
    assert errors(refused(citizen, {"ngay": "31/02/2026"})) == [
        "Nhập một ngày có thật, ví dụ 27/11/2026"]


# --- hostile input ---

@pytest.mark.parametrize(("question", "answers"), [
    (f"{{id: cau, type: single_choice, label: Câu, choices: {CHOICES}}}", {"cau": "c"}),
    (f"{{id: cau, type: dropdown, label: Câu, choices: {CHOICES}}}", {"cau": "c"}),
    (f"{{id: cau, type: multiple_choice, label: Câu, choices: {CHOICES}}}",
     {"cau": ["a", "evil"]}),
    ("{id: cau, type: yes_no, label: Câu}", {"cau": "Yes"}),
    ("{id: cau, type: likert, label: Câu, choices: [{value: 1, label: Tệ}, "
     "{value: 2, label: Tốt}]}", {"cau": "3"}),
    ("{id: cau, type: rating, label: Câu}", {"cau": "6"}),
    ("{id: cau, type: nps, label: Câu}", {"cau": "-1"}),
    ("{id: cau, type: nps, label: Câu}", {"cau": " 5"}),
    (MATRIX.strip().removeprefix("- "),
     {"chat_luong.thu_tuc": "1", "chat_luong.can_bo": "3", "chat_luong.ket_qua": "2"}),
])
def test_value_outside_the_choices_is_refused(start, nothing_stored, question: str,
                                              answers: dict[str, Any]) -> None:
    citizen = start(f"- {question}")
    page = refused(citizen, answers)
    assert errors(page) == ["Select one of the options shown"]
    assert nothing_stored()


def test_value_outside_the_choices_is_refused_in_vietnamese(start) -> None:
    citizen = start(f"- {{id: cau, type: single_choice, label: Câu, choices: {CHOICES}}}",
                    lang="vi")
    assert errors(refused(citizen, {"cau": "c"})) == ["Chọn một trong các mục được liệt kê"]


def test_unknown_fields_are_ignored_and_not_stored(start, stored) -> None:
    citizen = start(MATRIX.replace("required: true", "required: false") +
                    "- {id: ten, type: text, label: Tên}\n")
    accepted(citizen, {"ten": "An", "evil": "x", "ten.khac": "y", "chat_luong": "1",
                       "chat_luong.khac": "2", "clean": "z", "meta": "m"})
    assert stored() == [("ten", None, None, "An")]


@pytest.mark.parametrize("posted", [["a", "evil"], ["evil", "a"], ["a", "b"], ["b", "b"]])
def test_a_list_posted_to_a_single_choice_field_never_stores_more_than_one_choice(
        start, stored, posted: list[str]) -> None:
    citizen = start(f"- {{id: cau, type: single_choice, label: Câu, choices: {CHOICES}}}")
    response = citizen.post(URL, {"cau": posted})
    assert response.status_code in (200, 303)
    answers = stored()
    assert len(answers) <= 1
    assert all(value in ("a", "b") for _, value, _, _ in answers)


def test_a_list_posted_to_a_text_field_stores_one_answer(start, stored) -> None:
    citizen = start("- {id: ten, type: text, label: Tên}")
    accepted(citizen, {"ten": ["An", "Bình"]})
    assert len(stored()) == 1


@pytest.mark.parametrize(("question", "message"), [
    ("{id: cau, type: text, label: Câu}", "Enter 500 characters or fewer (remove 199500)"),
    ("{id: cau, type: textarea, label: Câu}", "Enter 5000 characters or fewer (remove 195000)"),
    ("{id: cau, type: integer, label: Câu}", "Enter a whole number, like 12"),
    ("{id: cau, type: decimal, label: Câu}", "Enter a number, like 12 or 12.5"),
    ("{id: cau, type: email, label: Câu}", "Enter 254 characters or fewer (remove 199746)"),
    ("{id: cau, type: phone, label: Câu}", "Enter 20 characters or fewer (remove 199980)"),
    ("{id: cau, type: date, label: Câu}", "Enter a real date, like 27/11/2026"),
    (f"{{id: cau, type: single_choice, label: Câu, choices: {CHOICES}}}",
     "Select one of the options shown"),
    (f"{{id: cau, type: multiple_choice, label: Câu, choices: {CHOICES}}}",
     "Select one of the options shown"),
])
def test_very_long_value_is_refused_without_a_server_error(start, nothing_stored,
                                                           question: str, message: str) -> None:
    citizen = start(f"- {question}")
    page = refused(citizen, {"cau": "9" * 200_000})
    assert errors(page) == [message]
    assert nothing_stored()


def test_nul_bytes_and_control_characters_are_not_stored(start, stored) -> None:
    citizen = start("- {id: ten, type: text, label: Tên}")
    accepted(citizen, {"ten": "Tốt\x00 lắm\x07\x1b[31m\x7f\x85"})
    assert stored() == [("ten", None, None, "Tốt lắm[31m")]


def test_tabs_and_line_breaks_are_kept_in_a_textarea(start, stored) -> None:
    citizen = start("- {id: y_kien, type: textarea, label: Ý kiến}")
    accepted(citizen, {"y_kien": "Một\tHai\nBa\x00"})
    assert stored() == [("y_kien", None, None, "Một\tHai\nBa")]


def test_answer_of_only_control_characters_counts_as_empty(start, nothing_stored) -> None:
    citizen = start("- {id: ten, type: text, label: Tên, required: true}")
    assert errors(refused(citizen, {"ten": "\x00\x01\x02"})) == ["Enter an answer"]
    assert nothing_stored()


@pytest.mark.parametrize(("qtype", "message"), [
    ("integer", "Enter a whole number, like 12"),
    ("decimal", "Enter a number, like 12 or 12.5"),
])
def test_forty_digit_number_is_refused(start, nothing_stored, qtype: str,
                                       message: str) -> None:
    citizen = start(f"- {{id: so, type: {qtype}, label: Số, validate: {{max: 1000}}}}")
    for typed in ("1" * 40, "-" + "9" * 40):
        assert errors(refused(citizen, {"so": typed})) == [message]
    assert nothing_stored()


def test_phone_digits_other_than_ascii_are_refused(start, nothing_stored) -> None:
    citizen = start("- {id: dien_thoai, type: phone, label: Điện thoại}")
    assert errors(refused(citizen, {"dien_thoai": "09١٢٣٤٥٦٧٨"})) == [
        "Enter a Vietnamese phone number, like 0912 345 678 or 024 3826 1234"]
    assert nothing_stored()


# --- the error summary, and answers kept on the page ---

SEVERAL = f"""
- {{id: ten, type: text, label: Tên, required: true, hint: Họ và tên}}
- {{id: mot, type: single_choice, label: Một, required: true, choices: {CHOICES}}}
- {{id: tinh, type: dropdown, label: Tỉnh, required: true, choices: {CHOICES}}}
- {{id: kenh, type: multiple_choice, label: Kênh, required: true, choices: {CHOICES}}}
{MATRIX.strip()}
- {{id: tuoi, type: integer, label: Tuổi}}
"""


def test_error_summary_comes_first_with_a_heading(start) -> None:
    page = refused(start(SEVERAL), {})
    text = page.text
    assert text.index('class="error-summary"') < text.index("<h1>") < text.index("<form")
    assert "There is a problem" in text


def test_error_summary_links_each_error_to_its_field_in_page_order(start) -> None:
    page = refused(start(SEVERAL), {"tuoi": "abc", "chat_luong.can_bo": "1"})
    assert summary_links(page) == [
        ("q-ten", "Tên – Enter an answer"),
        ("q-mot", "Một – Select an answer"),
        ("q-tinh", "Tỉnh – Select an answer"),
        ("q-kenh", "Kênh – Select at least one option"),
        ("q-chat_luong-thu_tuc", "Rate – Select an answer for “Procedure”"),
        ("q-chat_luong-ket_qua", "Rate – Select an answer for “Result”"),
        ("q-tuoi", "Tuổi – Enter a whole number, like 12"),
    ]
    assert [text.split(" – ", 1)[1] for _, text in summary_links(page)] == errors(page)


@pytest.mark.parametrize(("target", "element", "attributes"), [
    ("q-ten", "input", {"name": "ten", "type": "text"}),
    ("q-mot", "input", {"name": "mot", "type": "radio", "value": "a"}),
    ("q-tinh", "select", {"name": "tinh"}),
    ("q-kenh", "input", {"name": "kenh", "type": "checkbox", "value": "a"}),
    ("q-chat_luong-thu_tuc", "input",
     {"name": "chat_luong.thu_tuc", "type": "radio", "value": "1"}),
])
def test_error_summary_link_targets_the_control_or_the_first_option(
        start, target: str, element: str, attributes: dict[str, str]) -> None:
    page = refused(start(SEVERAL), {})
    assert target in [t for t, _ in summary_links(page)]
    assert page.text.count(f'id="{target}"') == 1
    tag = tag_with_id(page, target)
    assert tag.startswith(f"<{element} ")
    for name, value in attributes.items():
        assert f'{name}="{value}"' in tag, (name, tag)


def test_title_starts_with_error_in_english(start) -> None:
    page = refused(start(SEVERAL), {})
    assert title(page).startswith("Error: Test form")


def test_title_starts_with_loi_in_vietnamese(start) -> None:
    page = refused(start(SEVERAL, lang="vi"), {})
    assert title(page).startswith("Lỗi: Biểu mẫu thử")
    assert "Có lỗi cần sửa" in page.text


def test_page_without_errors_has_no_summary_and_a_plain_title(start) -> None:
    citizen = start(SEVERAL)
    assert 'class="error-summary"' not in citizen.page.text
    assert title(citizen.page) == "Test form – vnform"


def test_inline_error_is_tied_to_the_input_after_its_hint(start) -> None:
    page = refused(start(SEVERAL), {})
    assert described_by(page, "q-ten") == ["q-ten-hint", "q-ten-error"]
    assert '<p class="error-message" id="q-ten-error"><span class="visually-hidden">Error:' \
           '</span> Enter an answer</p>' in page.text


def test_inline_error_of_a_choice_group_is_tied_to_its_fieldset(start) -> None:
    page = refused(start(SEVERAL), {})
    fieldset = re.search(r'<fieldset class="fieldset"[^>]*>\s*<legend class="legend">Một',
                         page.text)
    assert fieldset and 'aria-describedby="q-mot-error"' in fieldset.group(0)


def test_inline_error_of_a_matrix_row_is_tied_to_the_rows_fieldset(start) -> None:
    page = refused(start(SEVERAL), {"chat_luong.thu_tuc": "1", "chat_luong.ket_qua": "2"})
    rows = re.findall(r'<fieldset class="fieldset matrix-row[^"]*"[^>]*>', page.text)
    assert [('aria-describedby' in r) for r in rows] == [False, True, False]
    assert 'aria-describedby="q-chat_luong-can_bo-error"' in rows[1]


def test_every_answer_on_the_page_is_kept_when_it_is_shown_again(start,
                                                                 nothing_stored) -> None:
    citizen = start(SEVERAL + "- {id: y_kien, type: textarea, label: Ý kiến}\n")
    page = refused(citizen, {
        "ten": "Trần Thị Bình", "mot": "b", "tinh": "a", "kenh": ["b", "a"],
        "chat_luong.thu_tuc": "2", "chat_luong.ket_qua": "1", "tuoi": "mười",
        "y_kien": "Rất tốt <b>&</b>",
    })
    assert errors(page) == ["Select an answer for “Staff”", "Enter a whole number, like 12"]
    assert value_of(page, "ten") == "Trần Thị Bình"
    assert checked(page, "mot") == ["b"]
    assert selected(page) == ["a"]
    assert checked(page, "kenh") == ["a", "b"]
    assert checked(page, "chat_luong.thu_tuc") == ["2"]
    assert checked(page, "chat_luong.can_bo") == []
    assert checked(page, "chat_luong.ket_qua") == ["1"]
    assert value_of(page, "tuoi") == "mười"
    assert value_of(page, "y_kien") == "Rất tốt <b>&</b>"
    assert nothing_stored()


def test_fixing_the_errors_then_stores_the_response(start, stored) -> None:
    citizen = start(AGE)
    refused(citizen, {"tuoi": "9"})
    accepted(citizen, {"tuoi": "19"})
    assert stored() == [("tuoi", "19", 19.0, None)]


def test_a_limit_of_one_is_worded_in_the_singular(write_form, make_client, forms_dir) -> None:
    write_form("""
        id: mot
        title: Một
        agency: a
        languages: [vi, en]
        questions:
          - id: kenh
            type: multiple_choice
            label: Kênh
            validate: {max_choices: 1}
            choices: [{value: a, label: A}, {value: b, label: B}]
    """)
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/mot?lang=en")
    page = citizen.post("/f/mot", {"kenh": ["a", "b"]})
    assert errors(page) == ["Select no more than 1 option"]
