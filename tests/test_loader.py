"""The form linter's specification: every problem it reports, where, and in what words.

Each test loads a small form file and asserts the exact ``file:line:col: message`` lines
an official would read (lines and columns count from 1). YAML snippets are dedented, so
the first line of a snippet is line 1 of the file.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from vnform.forms.building import build_from_definition
from vnform.forms.loader import Loaded, Problem, load_file, load_text
from vnform.forms.registry import load_all

ROOT = Path(__file__).resolve().parent.parent
DEMO_FORMS = sorted((ROOT / "forms").glob("*.yaml"))


#: The warning on free text that does not say whether it collects personal data: most
#: snippets here use a `text` question for something else; test_personal_data_lint
#: specifies that warning.
FREE_TEXT_WARNING = "free text may carry personal data"


def load(text: str) -> Loaded:
    """*text* loaded, without the warning on free text that lacks `personal_data`."""
    loaded = load_text(textwrap.dedent(text).lstrip("\n"), "form.yaml")
    return dataclasses.replace(loaded, problems=[
        p for p in loaded.problems if not p.message.startswith(FREE_TEXT_WARNING)])


def problems(text: str) -> list[str]:
    """Every problem of *text* as the command line prints it.

    Also checks that a file loads (gets a spec) exactly when it has no errors.
    """
    loaded = load(text)
    assert (loaded.spec is None) == bool(loaded.errors)
    return [str(p) for p in loaded.problems]


def only_problem(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


# --- YAML syntax --------------------------------------------------------------------------------

def test_yaml_key_indented_deeper_than_its_siblings() -> None:
    text = """
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
             label: A
        """
    assert only_problem(text) == "form.yaml:7:11: YAML syntax: mapping values are not allowed here"
    assert load(text).spec is None


def test_yaml_key_indented_less_than_its_siblings() -> None:
    found = only_problem("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
          label: A
        """)
    assert found.startswith("form.yaml:7:3: YAML syntax: expected <block end>")


def test_yaml_unquoted_question_mark_in_a_flow_mapping() -> None:
    # PyYAML refuses `{en: How did you apply?}`: the fix is to quote the text.
    found = only_problem("""
        id: demo
        title: {vi: Ông/Bà nộp hồ sơ thế nào?, en: How did you apply?}
        agency: ubnd
        """)
    assert found == ("form.yaml:2:37: YAML syntax: expected ',' or '}', but got '?' "
                     "(while parsing a flow mapping)")


def test_yaml_question_mark_is_fine_when_quoted() -> None:
    loaded = load("""
        id: demo
        title: {vi: "Ông/Bà nộp hồ sơ thế nào?", en: "How did you apply?"}
        agency: ubnd
        questions:
          - {id: a, type: text, label: {vi: "Vì sao?", en: "Why?"}}
        languages: [vi, en]
        """)
    assert loaded.problems == []
    assert loaded.spec is not None and loaded.spec.title.get("en") == "How did you apply?"


def test_yaml_unterminated_quoted_string() -> None:
    found = only_problem("""
        id: demo
        title: "Khảo sát
        agency: ubnd
        """)
    assert found == ("form.yaml:4:1: YAML syntax: found unexpected end of stream "
                     "(while scanning a quoted scalar)")


def test_yaml_tab_used_for_indentation() -> None:
    found = problems("id: demo\ntitle: T\nagency: ubnd\nquestions:\n\t- id: a\n")
    assert found == ["form.yaml:5:1: YAML syntax: found character '\\t' that cannot start any "
                     "token (while scanning for the next token)"]


def test_a_list_is_not_a_form() -> None:
    assert only_problem("- id: demo\n- title: T\n") == (
        "form.yaml:1:1: a form file is a mapping of keys such as id, title, agency and pages")


def test_plain_text_is_not_a_form() -> None:
    found = [str(p) for p in load_text("\n\nKhảo sát mức độ hài lòng\n", "form.yaml").problems]
    assert found == [
        "form.yaml:3:1: a form file is a mapping of keys such as id, title, agency and pages"]


def test_empty_file_is_not_a_form() -> None:
    loaded = load("")
    assert [str(p) for p in loaded.problems] == [
        "form.yaml:1:1: a form file is a mapping of keys such as id, title, agency and pages"]
    assert loaded.spec is None


def test_file_of_only_comments_is_not_a_form() -> None:
    assert only_problem("# a form will come here\n").startswith(
        "form.yaml:1:1: a form file is a mapping")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"id: demo\ntitle: Caf\xe9\n")  # Latin-1, not UTF-8
    loaded = load_file(path)
    assert loaded.spec is None
    assert len(loaded.problems) == 1
    assert str(loaded.problems[0]).startswith(f"{path}:1:1: not UTF-8 text: ")


def test_duplicate_key_at_the_top_level() -> None:
    assert only_problem("""
        id: demo
        title: T
        agency: ubnd
        title: U
        questions:
          - {id: a, type: text, label: A}
        """) == "form.yaml:4:1: duplicate key 'title'"


def test_duplicate_key_inside_a_question() -> None:
    assert only_problem("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            required: true
            label: B
        """) == "form.yaml:9:5: duplicate key 'label'"


def test_duplicate_key_in_a_flow_mapping() -> None:
    assert only_problem("""
        id: demo
        title: {vi: Một, vi: Hai}
        agency: ubnd
        """) == "form.yaml:2:18: duplicate key 'vi'"


# --- keys: unknown, missing ---------------------------------------------------------------------

def test_unknown_form_key_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        langauges: [vi]
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:4:1: unknown key 'langauges' (did you mean 'languages'?)"]


def test_unknown_key_without_a_close_match_has_no_suggestion() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        colour: red
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:4:1: unknown key 'colour'"]


def test_unknown_page_key_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            titel: Trang một
            questions:
              - {id: a, type: text, label: A}
        """) == ["form.yaml:6:5: unknown key 'titel' (did you mean 'title'?)"]


def test_unknown_question_key_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            requried: true
        """) == ["form.yaml:8:5: unknown key 'requried' (did you mean 'required'?)"]


def test_misspelt_required_key_reports_both_the_unknown_and_the_missing_key() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            lable: A
        """) == [
        "form.yaml:5:5: missing required key 'label'",
        "form.yaml:7:5: unknown key 'lable' (did you mean 'label'?)",
    ]


def test_unknown_choice_key_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: single_choice
            label: A
            choices:
              - {value: x, label: X, not_aplicable: true}
        """) == ["form.yaml:9:30: unknown key 'not_aplicable' (did you mean 'not_applicable'?)"]


def test_unknown_key_in_a_choice_list_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          hl:
            - {value: 1, label: Một, vaule: 2}
        questions:
          - {id: a, type: likert, label: A, choices: hl}
        """) == ["form.yaml:6:30: unknown key 'vaule' (did you mean 'value'?)"]


def test_unknown_validate_key_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            validate:
              max_lenght: 10
        """) == ["form.yaml:9:7: unknown key 'max_lenght' (did you mean 'max_length'?)"]


def test_unknown_matrix_row_key_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: m
            type: matrix
            label: M
            choices: [{value: 1, label: Một}]
            rows:
              - {id: r, label: R, indicatr: x}
        """) == ["form.yaml:10:27: unknown key 'indicatr' (did you mean 'indicator'?)"]


def test_unknown_rule_in_validate_messages_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            validate:
              messages: {requried: Vui lòng trả lời}
        """) == [
        "form.yaml:9:18: 'requried' is not a rule (did you mean 'required'?); messages can be "
        "given for required, min, max, min_length, max_length, pattern, min_choices, "
        "max_choices, invalid",
    ]


def test_missing_form_keys_are_reported_at_the_top() -> None:
    assert problems("""
        id: demo
        questions:
          - {id: a, type: text, label: A}
        """) == [
        "form.yaml:1:1: missing required key 'agency'",
        "form.yaml:1:1: missing required key 'title'",
    ]


def test_missing_question_id_is_reported_at_the_question() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - type: text
            label: A
        """) == ["form.yaml:5:5: missing required key 'id'"]


def test_missing_page_questions_is_reported_at_the_page() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            title: Trang một
        """) == ["form.yaml:5:5: missing required key 'questions'"]


def test_missing_choice_label_is_reported_at_the_choice() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: single_choice
            label: A
            choices:
              - value: x
        """) == ["form.yaml:9:9: missing required key 'label'"]


# --- values: types, ids, languages --------------------------------------------------------------

def test_unknown_question_type_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: singel_choice
            label: A
        """) == ["form.yaml:6:11: unknown question type 'singel_choice' "
                 "(did you mean 'single_choice'?)"]


def test_unknown_status_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        status: opne
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:4:9: 'opne' is not one of: draft, open, closed "
                 "(did you mean 'open'?)"]


def test_form_id_must_be_a_slug() -> None:
    assert problems("""
        id: Khao_sat
        title: T
        agency: ubnd
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:1:5: 'Khao_sat' is not a slug: use lowercase letters, digits and '-'"]


def test_agency_must_be_a_slug() -> None:
    assert problems("""
        id: demo
        title: T
        agency: Sở TTTT
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:3:9: 'Sở TTTT' is not a slug: use lowercase letters, digits and '-'"]


def test_page_id_must_be_a_slug() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: Trang_1
            questions:
              - {id: a, type: text, label: A}
        """) == ["form.yaml:5:9: 'Trang_1' is not a slug: use lowercase letters, digits and '-'"]


def test_question_id_must_be_an_identifier() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: 1-cau-hoi, type: text, label: A}
        """) == ["form.yaml:5:10: '1-cau-hoi' is not an id: use lowercase letters, digits and '_', "
                 "starting with a letter"]


def test_matrix_row_id_must_be_an_identifier() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: m
            type: matrix
            label: M
            choices: [{value: 1, label: Một}]
            rows:
              - {id: Thu-tuc, label: Thủ tục}
        """) == ["form.yaml:10:14: 'Thu-tuc' is not an id: use lowercase letters, digits and '_', "
                 "starting with a letter"]


def test_choice_list_name_must_be_an_identifier() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          Hai-long: [{value: 1, label: Một}]
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:5:3: 'Hai-long' is not an id: use lowercase letters, digits and '_', "
                 "starting with a letter"]


def test_unsupported_language_key_in_a_text() -> None:
    assert problems("""
        id: demo
        title: {vi: Khảo sát, fr: Enquête}
        agency: ubnd
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:2:23: 'fr' is not a supported language (use vi, en)"]


def test_unsupported_language_in_languages() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        languages: [vi, fr]
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:4:17: 'fr' is not one of: vi, en"]


def test_language_listed_twice() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        languages: [vi, vi]
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:4:12: a language is listed twice"]


def test_wrong_kind_of_value_says_what_was_expected() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            required: maybe
        """) == ["form.yaml:8:15: input should be a valid boolean, unable to interpret input "
                 "(got 'maybe')"]


def test_unquoted_yes_as_a_choice_value_is_explained() -> None:
    # YAML reads an unquoted yes/no as true/false, which is not a choice code.
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: single_choice
            label: A
            choices:
              - {value: yes, label: Có}
              - {value: "no", label: Không}
        """) == ["form.yaml:9:17: input should be a valid string (got True); YAML reads an "
                 "unquoted yes as true: write \"yes\" in quotes"]


def test_rating_scale_top_is_between_2_and_10() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: rating, label: A, max: 20}
        """) == ["form.yaml:5:42: input should be less than or equal to 10 (got 20)"]


def test_a_number_is_not_a_date() -> None:
    # Without this check 2026 would be read as 2026 seconds after 1 January 1970.
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        opens_at: 2026
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:4:11: write a date as YYYY-MM-DD, or a date and time as "
                 "YYYY-MM-DD HH:MM (got 2026)"]


def test_day_first_date_is_not_a_date() -> None:
    found = only_problem("""
        id: demo
        title: T
        agency: ubnd
        closes_at: 31/12/2026
        questions:
          - {id: a, type: text, label: A}
        """)
    assert found.startswith("form.yaml:4:12: input should be a valid datetime or date")
    assert found.endswith("(got '31/12/2026')")


# --- duplicates ---------------------------------------------------------------------------------

def test_duplicate_page_id() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            questions:
              - {id: a, type: text, label: A}
          - id: mot
            questions:
              - {id: b, type: text, label: B}
        """) == ["form.yaml:8:9: duplicate page id 'mot'"]


def test_duplicate_question_id_on_one_page() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: text, label: A}
          - {id: a, type: textarea, label: B}
        """) == ["form.yaml:6:10: duplicate question id 'a'"]


def test_duplicate_question_id_across_pages() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            questions:
              - {id: gop_y, type: text, label: A}
          - id: hai
            questions:
              - {id: gop_y, type: textarea, label: B}
        """) == ["form.yaml:10:14: duplicate question id 'gop_y'"]


def test_duplicate_choice_value() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: single_choice
            label: A
            choices:
              - {value: online, label: Trực tuyến}
              - {value: online, label: Bưu chính}
        """) == ["form.yaml:10:17: duplicate choice value 'online'"]


def test_number_and_text_choice_values_that_read_the_same_are_duplicates() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: dropdown
            label: A
            choices:
              - {value: 1, label: Một}
              - {value: "1", label: Một nữa}
        """) == ["form.yaml:10:17: duplicate choice value '1'"]


def test_duplicate_choice_value_in_a_choice_list() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          hl:
            - {value: 1, label: Một}
            - {value: 1, label: Hai}
        questions:
          - {id: a, type: likert, label: A, choices: hl}
        """) == ["form.yaml:7:15: duplicate choice value '1'"]


def test_duplicate_matrix_row_id() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: m
            type: matrix
            label: M
            choices: [{value: 1, label: Một}]
            rows:
              - {id: thu_tuc, label: Thủ tục}
              - {id: thu_tuc, label: Cán bộ}
        """) == ["form.yaml:11:14: duplicate row id 'thu_tuc'"]


def test_duplicate_form_id_across_two_files(write_form: Callable[..., Path]) -> None:
    first = write_form("""
        id: gop-y
        title: Góp ý
        agency: ubnd
        questions:
          - {id: a, type: text, label: A, personal_data: none}
        """, name="a.yaml")
    second = write_form("""
        # the same form, copied
        id: gop-y
        title: Góp ý (bản sao)
        agency: ubnd
        questions:
          - {id: a, type: text, label: A, personal_data: none}
        """, name="b.yaml")
    results = load_all([first.parent])
    assert [r.path for r in results] == [str(first), str(second)]
    assert results[0].spec is not None and results[0].problems == []
    assert results[1].spec is None
    assert [str(p) for p in results[1].problems] == [
        f"{second}:2:5: form id 'gop-y' is already used by {first}"]


# --- choices, rows and type-specific keys -------------------------------------------------------

def test_unknown_choice_list_suggests_the_right_one() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          hai_long: [{value: 1, label: Một}]
        questions:
          - {id: a, type: likert, label: A, choices: hailong}
        """) == ["form.yaml:7:46: unknown choice list 'hailong' (did you mean 'hai_long'?)"]


def test_unknown_choice_list_without_any_lists() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: likert, label: A, choices: hai_long}
        """) == ["form.yaml:5:46: unknown choice list 'hai_long'"]


def test_choices_on_a_text_question() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            choices: [{value: x, label: X}]
        """) == ["form.yaml:8:5: text questions take no 'choices'"]


def test_choices_on_a_rating_question_point_to_max() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: rating
            label: A
            choices: [{value: 1, label: Một}]
        """) == ["form.yaml:8:5: rating questions take no 'choices'; set 'max' instead"]


def test_choices_on_a_yes_no_question() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: yes_no
            label: A
            choices: [{value: co, label: Có}]
        """) == ["form.yaml:8:5: yes_no questions take no 'choices' (they are always yes and no)"]


def test_choices_on_an_nps_question() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          hl: [{value: 1, label: Một}]
        questions:
          - {id: a, type: nps, label: A, choices: hl}
        """) == ["form.yaml:7:34: nps questions take no 'choices' (it is always 0 to 10)"]


@pytest.mark.parametrize("qtype", ["single_choice", "dropdown", "multiple_choice", "likert"])
def test_choice_question_without_choices(qtype: str) -> None:
    assert problems(f"""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: {qtype}
            label: A
        """) == [f"form.yaml:5:5: a {qtype} question needs 'choices'"]


def test_matrix_without_choices() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: m
            type: matrix
            label: M
            rows: [{id: r, label: R}]
        """) == ["form.yaml:5:5: a matrix question needs 'choices'"]


def test_matrix_without_rows() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: m
            type: matrix
            label: M
            choices: [{value: 1, label: Một}]
        """) == ["form.yaml:5:5: a matrix question needs 'rows'"]


def test_rows_on_a_question_that_is_not_a_matrix() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: likert
            label: A
            choices: [{value: 1, label: Một}]
            rows: [{id: r, label: R}]
        """) == ["form.yaml:9:5: only matrix questions have 'rows'"]


def test_max_on_a_question_that_is_not_a_rating() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: tuoi
            type: integer
            label: Tuổi
            max: 10
        """) == ["form.yaml:8:5: 'max' sets the top of a rating scale; for limits on answers use "
                 "'validate: {max: ...}'"]


def test_scale_end_labels_on_a_text_question() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            min_label: Thấp
        """) == ["form.yaml:8:5: 'min_label' applies to rating, nps and likert questions"]


def test_indicator_on_a_text_question() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: textarea
            label: A
            indicator: satisfaction
        """) == ["form.yaml:8:5: 'indicator' needs a likert, rating, nps, yes_no or matrix "
                 "question, not textarea"]


# --- show_if ------------------------------------------------------------------------------------

SHOW_IF_HEAD = """
id: demo
title: T
agency: ubnd
questions:
  - id: kenh
    type: single_choice
    label: Kênh
    choices: [{value: online, label: Trực tuyến}, {value: counter, label: Một cửa}]
  - id: a
    type: text
    label: A
"""
# The condition of question `a` is on line 12 of each file below.


def show_if_problems(condition_line: str, more: str = "") -> list[str]:
    """Problems of the form above with ``condition_line`` (indented 4) after question `a`,
    then *more* lines as they are."""
    return problems(SHOW_IF_HEAD + f"    {condition_line}\n" + more)


def test_show_if_on_an_earlier_question_is_valid() -> None:
    loaded = load(SHOW_IF_HEAD + '    show_if: kenh == "online"\n')
    assert loaded.problems == []
    assert loaded.spec is not None
    condition = loaded.spec.question("a").show_if
    assert condition is not None and condition.evaluate({"kenh": "online"})


def test_show_if_on_a_question_of_an_earlier_page_is_valid() -> None:
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            questions:
              - {id: lien_he, type: yes_no, label: "Liên hệ lại?"}
          - id: hai
            questions:
              - {id: dien_thoai, type: phone, label: Điện thoại, show_if: lien_he == "yes"}
        """)
    assert loaded.problems == []


def test_show_if_naming_an_unknown_question_suggests_the_right_one() -> None:
    assert show_if_problems('show_if: kenhh == "online"') == [
        "form.yaml:12:14: show_if: 'kenhh' is not a question of this form (did you mean 'kenh'?)"]


def test_show_if_naming_an_unknown_question_without_a_close_match() -> None:
    assert show_if_problems('show_if: kenh == "online" and answered(email)') == [
        "form.yaml:12:44: show_if: 'email' is not a question of this form"]


def test_show_if_naming_a_later_question_on_the_same_page() -> None:
    assert show_if_problems("show_if: answered(gop_y)",
                            "  - {id: gop_y, type: textarea, label: Góp ý}\n") == [
        "form.yaml:12:23: show_if: 'gop_y' comes later in the form; a condition can only "
        "use earlier answers"]


def test_show_if_naming_a_question_on_a_later_page() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            questions:
              - {id: a, type: text, label: A, show_if: lien_he == "yes"}
          - id: hai
            questions:
              - {id: lien_he, type: yes_no, label: "Liên hệ lại?"}
        """) == ["form.yaml:7:48: show_if: 'lien_he' comes later in the form; a condition can "
                 "only use earlier answers"]


def test_show_if_naming_its_own_question() -> None:
    assert show_if_problems('show_if: kenh == "online" or a == "x"') == [
        "form.yaml:12:34: show_if: 'a' cannot depend on its own answer"]


def test_show_if_syntax_error_points_into_a_plain_condition() -> None:
    assert show_if_problems('show_if: kenh = "online"') == [
        "form.yaml:12:19: show_if: '=' is not an operator; use '==' to compare"]


def test_show_if_syntax_error_points_into_a_double_quoted_condition() -> None:
    assert show_if_problems("show_if: \"kenh == 'online' && kenh != 'counter'\"") == [
        "form.yaml:12:32: show_if: '&&' is not an operator; use 'and'"]


def test_show_if_syntax_error_points_into_a_single_quoted_condition() -> None:
    assert show_if_problems("show_if: 'kenh == \"online\" and or'") == [
        "form.yaml:12:36: show_if: unexpected 'or'"]


def test_show_if_column_counts_escaped_quotes_in_the_file() -> None:
    # In the file '' stands for one quote: the column is where the mistake is in the file.
    assert show_if_problems("show_if: 'kenh == ''online'' && x'") == [
        "form.yaml:12:34: show_if: '&&' is not an operator; use 'and'"]


def test_show_if_column_counts_backslash_escapes_in_the_file() -> None:
    assert show_if_problems('show_if: "kenh == \\"online\\" || x"') == [
        "form.yaml:12:34: show_if: '||' is not an operator; use 'or'"]


def test_show_if_error_on_a_continuation_line_points_to_that_line() -> None:
    assert show_if_problems("show_if: >-", '      kenh == "online"\n'
                            '      and kenh ! "counter"\n') == [
        "form.yaml:14:16: show_if: '!' is not an operator; use 'not' or '!='"]


def test_show_if_unfinished_condition_points_past_its_end() -> None:
    assert show_if_problems('show_if: kenh == "online" and') == [
        "form.yaml:12:34: show_if: unexpected end of expression, expected a value"]


def test_show_if_literal_that_is_not_a_choice() -> None:
    assert show_if_problems('show_if: kenh == "onlin"') == [
        "form.yaml:12:22: show_if: 'onlin' is not a choice of 'kenh' (online, counter)"]


def test_show_if_literal_in_a_list_that_is_not_a_choice() -> None:
    assert show_if_problems("show_if: 'kenh in [\"online\", \"post\"]'") == [
        "form.yaml:12:34: show_if: 'post' is not a choice of 'kenh' (online, counter)"]


def test_show_if_literal_checked_against_a_choice_list() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          hl3: [{value: 1, label: Kém}, {value: 2, label: Được}, {value: 3, label: Tốt}]
        questions:
          - {id: hai_long, type: likert, label: A, choices: hl3}
          - {id: ly_do, type: textarea, label: B, show_if: "hai_long in [1, 4]"}
        """) == ["form.yaml:8:69: show_if: '4' is not a choice of 'hai_long' (1, 2, 3)"]


def test_show_if_literal_checked_against_generated_yes_no_choices() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: lien_he, type: yes_no, label: A}
          - {id: b, type: phone, label: B, show_if: lien_he == "co"}
        """) == ["form.yaml:6:56: show_if: 'co' is not a choice of 'lien_he' (yes, no)"]


def test_show_if_literal_checked_against_the_rating_scale() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: sao, type: rating, label: A, max: 3}
          - {id: b, type: textarea, label: B, show_if: sao == 5}
        """) == ["form.yaml:6:55: show_if: '5' is not a choice of 'sao' (1, 2, 3)"]


def test_show_if_literal_on_a_free_text_question_is_not_checked() -> None:
    assert load("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: tuoi, type: integer, label: A}
          - {id: b, type: textarea, label: B, show_if: tuoi >= 60}
        """).problems == []


MATRIX_HEAD = """
id: demo
title: T
agency: ubnd
questions:
  - id: chat_luong
    type: matrix
    label: M
    choices: [{value: 1, label: Kém}, {value: 2, label: Tốt}]
    rows: [{id: thu_tuc, label: Thủ tục}, {id: can_bo, label: Cán bộ}]
  - id: a
    type: textarea
    label: A
"""


def test_show_if_on_a_matrix_row_is_valid() -> None:
    assert load(MATRIX_HEAD + "    show_if: chat_luong.can_bo == 1\n").problems == []


def test_show_if_naming_a_whole_matrix_asks_for_a_row() -> None:
    assert problems(MATRIX_HEAD + "    show_if: chat_luong == 1\n") == [
        "form.yaml:13:14: show_if: name a row of matrix 'chat_luong', e.g. 'chat_luong.thu_tuc'"]


def test_show_if_naming_a_matrix_row_that_does_not_exist() -> None:
    assert problems(MATRIX_HEAD + "    show_if: chat_luong.ket_qua == 1\n") == [
        "form.yaml:13:14: show_if: 'chat_luong' has no row 'ket_qua'"]


def test_show_if_naming_a_row_of_a_question_that_is_not_a_matrix() -> None:
    assert show_if_problems('show_if: kenh.online == "online"') == [
        "form.yaml:12:14: show_if: 'kenh' is not a matrix question"]


def test_show_if_literal_that_is_not_a_choice_of_a_matrix() -> None:
    assert problems(MATRIX_HEAD + "    show_if: chat_luong.can_bo == 3\n") == [
        "form.yaml:13:35: show_if: '3' is not a choice of 'chat_luong' (1, 2)"]


# --- validation rules ---------------------------------------------------------------------------

def rules_problems(qtype: str, validate: str, extra: str = "") -> list[str]:
    """Problems of a one-question form; ``validate`` is the flow mapping on line 7."""
    return problems(f"""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: {qtype}
            validate: {validate}
            label: A
        {extra}""")


def test_min_greater_than_max() -> None:
    assert rules_problems("integer", "{min: 10, max: 5}") == [
        "form.yaml:7:30: max (5) is less than min (10)"]


def test_decimal_min_greater_than_max() -> None:
    assert rules_problems("decimal", "{min: 2.5, max: 1.25}") == [
        "form.yaml:7:31: max (1.25) is less than min (2.5)"]


def test_date_min_after_max() -> None:
    assert rules_problems("date", "{min: 2026-06-01, max: 2026-01-01}") == [
        "form.yaml:7:38: max (2026-01-01) is less than min (2026-06-01)"]


def test_min_length_greater_than_max_length() -> None:
    assert rules_problems("text", "{min_length: 10, max_length: 5}") == [
        "form.yaml:7:44: max_length (5) is less than min_length (10)"]


def test_min_choices_greater_than_max_choices() -> None:
    assert rules_problems(
        "multiple_choice", "{min_choices: 2, max_choices: 1}",
        "    choices: [{value: x, label: X}, {value: y, label: Y}, {value: z, label: Z}]\n",
    ) == ["form.yaml:7:45: max_choices (1) is less than min_choices (2)"]


def test_max_choices_more_than_the_choices() -> None:
    assert rules_problems(
        "multiple_choice", "{max_choices: 3}",
        "    choices: [{value: x, label: X}, {value: y, label: Y}]\n",
    ) == ["form.yaml:7:29: max_choices (3) is more than the 2 choices"]


def test_min_choices_more_than_the_choices() -> None:
    assert rules_problems(
        "multiple_choice", "{min_choices: 3}",
        "    choices: [{value: x, label: X}, {value: y, label: Y}]\n",
    ) == ["form.yaml:7:29: min_choices (3) is more than the 2 choices"]


def test_max_choices_counts_the_choices_of_a_choice_list() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          kenh: [{value: tv, label: TV}, {value: web, label: Web}]
        questions:
          - id: a
            type: multiple_choice
            label: A
            choices: kenh
            validate: {max_choices: 5}
        """) == ["form.yaml:11:29: max_choices (5) is more than the 2 choices"]


def test_number_bound_on_a_date_question() -> None:
    assert rules_problems("date", "{min: 2025}") == [
        "form.yaml:7:21: min of a date question must be a date (YYYY-MM-DD)"]


def test_date_and_time_bound_on_a_date_question() -> None:
    assert rules_problems("date", "{max: 2026-12-31 17:00}") == [
        "form.yaml:7:21: max of a date question must be a date (YYYY-MM-DD)"]


def test_date_bound_on_a_number_question() -> None:
    assert rules_problems("integer", "{min: 2025-01-01}") == [
        "form.yaml:7:21: min of an integer question must be a number"]


def test_fractional_bound_on_an_integer_question() -> None:
    assert rules_problems("integer", "{max: 1.5}") == [
        "form.yaml:7:21: max of an integer question must be whole"]


def test_length_rule_does_not_apply_to_a_number_question() -> None:
    assert rules_problems("integer", "{min_length: 2}") == [
        "form.yaml:7:16: 'min_length' does not apply to integer questions"]


def test_number_rule_does_not_apply_to_a_text_question() -> None:
    assert rules_problems("text", "{max: 100}") == [
        "form.yaml:7:16: 'max' does not apply to text questions"]


def test_choice_count_rule_does_not_apply_to_a_single_choice_question() -> None:
    assert rules_problems(
        "single_choice", "{max_choices: 1}",
        "    choices: [{value: x, label: X}, {value: y, label: Y}]\n",
    ) == ["form.yaml:7:16: 'max_choices' does not apply to single_choice questions"]


def test_pattern_does_not_apply_to_a_choice_question() -> None:
    assert rules_problems(
        "dropdown", "{pattern: '[a-z]+'}", "    choices: [{value: x, label: X}]\n",
    ) == ["form.yaml:7:16: 'pattern' does not apply to dropdown questions"]


def test_invalid_regular_expression() -> None:
    assert rules_problems("text", "{pattern: '[0-9'}") == [
        "form.yaml:7:25: invalid pattern: unterminated character set at position 0"]


def test_message_without_pattern() -> None:
    assert rules_problems("text", "{message: Sai định dạng}") == [
        "form.yaml:7:16: 'message' explains a 'pattern'; add the pattern or use 'messages'"]


def test_message_for_a_rule_that_is_not_set_is_a_warning() -> None:
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: integer
            label: A
            validate:
              messages: {min: Quá nhỏ}
        """)
    assert [str(p) for p in loaded.problems] == [
        "form.yaml:9:18: warning: message for 'min', which is not set"]
    assert loaded.spec is not None


def test_max_length_message_for_the_default_limit_is_not_a_warning() -> None:
    # text questions have a maximum length even when the file sets none.
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - id: a
            type: text
            label: A
            validate:
              messages: {max_length: Quá dài, required: Vui lòng trả lời}
        """)
    assert loaded.problems == []


# --- translations -------------------------------------------------------------------------------

TWO_LANGUAGES = """
id: demo
title: {vi: Khảo sát, en: Survey}
agency: ubnd
languages: [vi, en]
"""


def test_missing_translation_of_the_form_title() -> None:
    assert problems("""
        id: demo
        title: {vi: Khảo sát}
        agency: ubnd
        languages: [vi, en]
        questions:
          - {id: a, type: text, label: A}
        """) == ["form.yaml:2:8: missing 'en' translation of title "
                 "(the form's languages are vi, en)"]


def test_missing_translation_of_a_page_title() -> None:
    assert problems(TWO_LANGUAGES + textwrap.dedent("""\
        pages:
          - id: mot
            title: {en: Page one}
            questions:
              - {id: a, type: text, label: A}
        """)) == ["form.yaml:7:12: missing 'vi' translation of title "
                  "(the form's languages are vi, en)"]


def test_missing_translation_of_a_question_label() -> None:
    assert problems(TWO_LANGUAGES + textwrap.dedent("""\
        questions:
          - id: a
            type: text
            label:
              vi: Họ và tên
        """)) == ["form.yaml:9:7: missing 'en' translation of label "
                  "(the form's languages are vi, en)"]


def test_missing_translation_of_a_choice_label() -> None:
    assert problems(TWO_LANGUAGES + textwrap.dedent("""\
        questions:
          - id: a
            type: single_choice
            label: A
            choices:
              - {value: co, label: {vi: Có, en: "Yes"}}
              - {value: khong, label: {vi: Không}}
        """)) == ["form.yaml:11:31: missing 'en' translation of label "
                  "(the form's languages are vi, en)"]


def test_missing_translation_of_a_hint() -> None:
    assert problems(TWO_LANGUAGES + textwrap.dedent("""\
        questions:
          - id: a
            type: text
            label: A
            hint: {vi: Không bắt buộc}
        """)) == ["form.yaml:9:11: missing 'en' translation of hint "
                  "(the form's languages are vi, en)"]


def test_missing_translation_of_a_validation_message() -> None:
    assert problems(TWO_LANGUAGES + textwrap.dedent("""\
        questions:
          - id: a
            type: text
            label: A
            validate:
              pattern: '[0-9]+'
              message: {vi: Chỉ gồm chữ số}
        """)) == ["form.yaml:11:16: missing 'en' translation of message "
                  "(the form's languages are vi, en)"]


def test_missing_translation_of_a_per_rule_message() -> None:
    assert problems(TWO_LANGUAGES + textwrap.dedent("""\
        questions:
          - id: a
            type: text
            label: A
            required: true
            validate:
              messages:
                required: {vi: Vui lòng nhập họ tên}
        """)) == ["form.yaml:12:19: missing 'en' translation of messages.required "
                  "(the form's languages are vi, en)"]


def test_blank_translation_counts_as_missing() -> None:
    assert problems(TWO_LANGUAGES + textwrap.dedent("""\
        questions:
          - {id: a, type: text, label: {vi: Họ và tên, en: "  "}}
        """)) == ["form.yaml:6:32: missing 'en' translation of label "
                  "(the form's languages are vi, en)"]


def test_empty_text_is_an_error() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: text, label: ""}
        """) == ["form.yaml:5:32: label is empty"]


def test_plain_string_text_counts_for_every_language() -> None:
    loaded = load(TWO_LANGUAGES + textwrap.dedent("""\
        questions:
          - {id: a, type: text, label: Zalo, hint: "0912 345 678"}
        """))
    assert loaded.problems == []
    assert loaded.spec is not None
    question = loaded.spec.question("a")
    assert question is not None
    assert [question.label.get(lang) for lang in ("vi", "en")] == ["Zalo", "Zalo"]
    assert question.hint is not None and question.hint.get("en") == "0912 345 678"


# --- dates, pages and questions -----------------------------------------------------------------

def dates_problems(opens_at: str, closes_at: str) -> list[str]:
    return problems(f"""
        id: demo
        title: T
        agency: ubnd
        opens_at: {opens_at}
        closes_at: {closes_at}
        questions:
          - {{id: a, type: text, label: A}}
        """)


def test_opens_at_after_closes_at() -> None:
    assert dates_problems("2026-02-01", "2026-01-31") == [
        "form.yaml:5:12: closes_at must be after opens_at"]


def test_closes_at_time_before_opens_at_time_on_the_same_day() -> None:
    assert dates_problems("2026-02-01 08:00", "2026-02-01 07:30") == [
        "form.yaml:5:12: closes_at must be after opens_at"]


def test_closes_at_equal_to_opens_at_time() -> None:
    assert dates_problems("2026-02-01 08:00", "2026-02-01 08:00") == [
        "form.yaml:5:12: closes_at must be after opens_at"]


def test_one_day_form_opens_and_closes_on_the_same_date() -> None:
    # A bare closes_at date includes that whole day.
    assert dates_problems("2026-02-01", "2026-02-01") == []


def test_form_opening_at_a_time_may_close_at_the_end_of_that_day() -> None:
    assert dates_problems("2026-02-01 08:00", "2026-02-01") == []


def test_pages_and_questions_together() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            questions:
              - {id: a, type: text, label: A}
        questions:
          - {id: b, type: text, label: B}
        """) == ["form.yaml:8:1: use either 'pages' or 'questions', not both"]


def test_neither_pages_nor_questions() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        """) == ["form.yaml:1:1: a form needs 'pages' (or 'questions' for a one-page form)"]


def test_empty_questions_list() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions: []
        """) == ["form.yaml:1:1: a form needs 'pages' (or 'questions' for a one-page form)"]


def test_page_without_questions() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            questions: []
        """) == ["form.yaml:6:16: list should have at least 1 item after validation, not 0 "
                 "(got list)"]


# --- warnings -----------------------------------------------------------------------------------

def test_text_in_a_language_the_form_does_not_use_is_a_warning() -> None:
    loaded = load("""
        id: demo
        title: {vi: Khảo sát, en: Survey}
        agency: ubnd
        questions:
          - {id: a, type: text, label: A}
        """)
    assert [str(p) for p in loaded.problems] == [
        "form.yaml:2:23: warning: 'en' text is unused: it is not in the form's languages"]
    assert loaded.errors == []
    assert loaded.spec is not None


def test_indicators_a_letter_apart_are_a_warning() -> None:
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: likert, label: A, choices: [{value: 1, label: Một}], indicator: ease}
          - {id: b, type: rating, label: B, indicator: satisfaction}
          - {id: c, type: nps, label: C, indicator: satisfacton}
        """)
    assert [str(p) for p in loaded.problems] == [
        "form.yaml:7:34: warning: indicator 'satisfacton' differs from 'satisfaction' by a "
        "letter or two: a typo? (they count as separate dimensions)"]
    assert loaded.errors == []
    assert loaded.spec is not None


def test_matrix_row_indicator_is_compared_too() -> None:
    found = problems("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: rating, label: A, indicator: procedure}
          - id: m
            type: matrix
            label: M
            choices: [{value: 1, label: Một}]
            rows: [{id: r, label: R, indicator: procedures}]
        """)
    assert found == ["form.yaml:10:30: warning: indicator 'procedures' differs from 'procedure' "
                     "by a letter or two: a typo? (they count as separate dimensions)"]


def test_warning_prints_with_a_warning_prefix() -> None:
    problem = Problem("forms/a.yaml", 3, 7, "'en' text is unused", severity="warning")
    assert str(problem) == "forms/a.yaml:3:7: warning: 'en' text is unused"
    problem = Problem("forms/a.yaml", 3, 7, "label is empty")
    assert str(problem) == "forms/a.yaml:3:7: label is empty"


def test_errors_and_warnings_are_reported_in_file_order() -> None:
    found = problems("""
        id: demo
        title: {vi: T, en: T}
        agency: ubnd
        questions:
          - {id: a, type: text, label: A, max: 3}
          - {id: a, type: text, label: B}
        """)
    assert found == [
        "form.yaml:2:16: warning: 'en' text is unused: it is not in the form's languages",
        "form.yaml:5:35: 'max' sets the top of a rating scale; for limits on answers use "
        "'validate: {max: ...}'",
        "form.yaml:6:10: duplicate question id 'a'",
    ]


# --- forms that load ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", DEMO_FORMS, ids=[p.name for p in DEMO_FORMS])
def test_demo_form_loads_without_problems(path: Path) -> None:
    loaded = load_file(path)
    assert [str(p) for p in loaded.problems] == []
    assert loaded.spec is not None
    assert loaded.spec.id == path.stem
    assert loaded.spec.source == str(path)


def test_demo_forms_are_all_found() -> None:
    assert len(DEMO_FORMS) >= 3


def test_minimal_form_loads_with_defaults() -> None:
    loaded = load("""
        id: demo
        title: Góp ý
        agency: ubnd
        questions:
          - {id: gop_y, type: textarea, label: Góp ý}
        """)
    assert loaded.problems == []
    spec = loaded.spec
    assert spec is not None
    assert (spec.id, spec.agency, spec.status, spec.languages) == ("demo", "ubnd", "open", ("vi",))
    assert spec.review is False and spec.max_responses is None
    assert spec.opens_at is None and spec.closes_at is None
    assert spec.title.get("vi") == "Góp ý"


def test_questions_shorthand_makes_one_page() -> None:
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: text, label: A}
          - {id: b, type: email, label: B}
        """)
    assert loaded.spec is not None
    assert [page.id for page in loaded.spec.pages] == ["main"]
    assert [q.id for q in loaded.spec.pages[0].questions] == ["a", "b"]
    assert {q.page_index for q in loaded.spec.questions} == {0}


def test_pages_keep_their_order_and_questions() -> None:
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        pages:
          - id: mot
            questions: [{id: a, type: text, label: A}]
          - id: hai
            questions: [{id: b, type: text, label: B}, {id: c, type: text, label: C}]
        """)
    assert loaded.spec is not None
    assert [(p.id, p.index, [q.id for q in p.questions]) for p in loaded.spec.pages] == [
        ("mot", 0, ["a"]), ("hai", 1, ["b", "c"])]
    assert loaded.spec.question("c") is not None
    assert loaded.spec.question("c").page_index == 1  # type: ignore[union-attr]


GENERATED = """
id: demo
title: T
agency: ubnd
questions:
  - {id: co_khong, type: yes_no, label: A}
  - {id: sao, type: rating, label: B}
  - {id: sao_7, type: rating, label: C, max: 7}
  - {id: gioi_thieu, type: nps, label: D}
"""


def test_yes_no_choices_are_generated() -> None:
    spec = load(GENERATED).spec
    assert spec is not None
    question = spec.question("co_khong")
    assert question is not None
    assert [c.value for c in question.choices] == ["yes", "no"]
    assert [c.label.msgid for c in question.choices] == ["Yes", "No"]


def test_rating_choices_are_generated_from_1_to_5_by_default() -> None:
    spec = load(GENERATED).spec
    assert spec is not None
    question = spec.question("sao")
    assert question is not None
    assert [c.value for c in question.choices] == ["1", "2", "3", "4", "5"]
    assert question.numeric


def test_rating_choices_go_up_to_max() -> None:
    spec = load(GENERATED).spec
    assert spec is not None
    question = spec.question("sao_7")
    assert question is not None
    assert [c.value for c in question.choices] == [str(n) for n in range(1, 8)]


def test_nps_choices_are_generated_from_0_to_10_with_end_labels() -> None:
    spec = load(GENERATED).spec
    assert spec is not None
    question = spec.question("gioi_thieu")
    assert question is not None
    assert [c.value for c in question.choices] == [str(n) for n in range(11)]
    assert question.min_label is not None and question.min_label.msgid == "Not at all likely"
    assert question.max_label is not None and question.max_label.msgid == "Extremely likely"


def test_choice_list_is_shared_by_questions() -> None:
    spec = load("""
        id: demo
        title: T
        agency: ubnd
        choice_lists:
          hl: [{value: 1, label: Kém}, {value: 2, label: Tốt}, {value: na, label: Không áp dụng,
                not_applicable: true}]
        questions:
          - {id: a, type: likert, label: A, choices: hl}
          - {id: b, type: matrix, label: B, choices: hl, rows: [{id: r, label: R}]}
        """).spec
    assert spec is not None
    for qid in ("a", "b"):
        question = spec.question(qid)
        assert question is not None
        assert [c.value for c in question.choices] == ["1", "2", "na"]
        assert question.choices[2].not_applicable
        assert question.numeric


@pytest.mark.parametrize(("qtype", "limit"), [
    ("text", 500), ("textarea", 5000), ("email", 254), ("phone", 20), ("integer", None),
])
def test_default_maximum_length(qtype: str, limit: int | None) -> None:
    spec = load(f"""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {{id: a, type: {qtype}, label: A}}
        """).spec
    assert spec is not None
    question = spec.question("a")
    assert question is not None and question.rules.max_length == limit


def test_max_length_in_the_file_replaces_the_default() -> None:
    spec = load("""
        id: demo
        title: T
        agency: ubnd
        questions:
          - {id: a, type: textarea, label: A, validate: {max_length: 2000}}
        """).spec
    assert spec is not None
    question = spec.question("a")
    assert question is not None and question.rules.max_length == 2000


VERSIONED = """
id: demo
title: {vi: Góp ý, en: Feedback}
agency: ubnd
languages: [vi, en]
questions:
  - id: gop_y
    type: textarea
    label: {vi: Góp ý của Ông/Bà, en: Your feedback}
"""


def version_of(text: str) -> str:
    loaded = load_text(text, "form.yaml")
    assert loaded.spec is not None, loaded.problems
    return loaded.spec.version


def test_version_is_a_short_hash() -> None:
    version = version_of(VERSIONED)
    assert len(version) == 12 and all(c in "0123456789abcdef" for c in version)


def test_version_ignores_comments_and_formatting() -> None:
    reformatted = textwrap.dedent("""
        # Góp ý nhanh: a comment changes nothing.
        languages:   [vi,   en]
        id: "demo"
        agency: ubnd
        title:
          en: Feedback   # key order and quoting change nothing either
          vi: 'Góp ý'
        questions:
          - {id: gop_y, type: textarea, label: {en: Your feedback, vi: Góp ý của Ông/Bà}}
        """)
    assert version_of(reformatted) == version_of(VERSIONED)


def test_version_changes_when_the_definition_changes() -> None:
    changed = VERSIONED.replace("en: Your feedback", "en: Your suggestions")
    assert changed != VERSIONED
    assert version_of(changed) != version_of(VERSIONED)


@pytest.mark.parametrize("change", [
    ("title: {vi: Góp ý, en: Feedback}", "title: {vi: Góp ý nhanh, en: Quick feedback}"),
    ("agency: ubnd", "agency: ubnd\nstatus: closed"),
    ("agency: ubnd", "agency: ubnd\nopens_at: 2026-01-01\ncloses_at: 2026-12-31"),
    ("agency: ubnd", "agency: ubnd\nmax_responses: 100\nreview: true\nmin_seconds: 5"),
    ("agency: ubnd", "agency: ubnd\nthank_you: {vi: Cảm ơn, en: Thank you}"),
], ids=["title", "status", "dates", "limits", "thank-you"])
def test_version_stays_when_only_a_setting_changes(change: tuple[str, str]) -> None:
    assert version_of(VERSIONED.replace(*change)) == version_of(VERSIONED)


@pytest.mark.parametrize("change", [
    ("type: textarea", "type: text"),
    ("id: gop_y", "id: y_kien"),
    ("type: textarea", "type: textarea\n    required: true"),
    ("type: textarea", "type: textarea\n    validate: {max_length: 200}"),
    ("languages: [vi, en]", "languages: [vi]"),
], ids=["type", "id", "required", "rule", "languages"])
def test_version_changes_with_the_questions(change: tuple[str, str]) -> None:
    changed = VERSIONED.replace(*change)
    if change[0] == "languages: [vi, en]":
        changed = changed.replace("{vi: Góp ý, en: Feedback}", "Góp ý").replace(
            "{vi: Góp ý của Ông/Bà, en: Your feedback}", "Góp ý của Ông/Bà")
    assert version_of(changed) != version_of(VERSIONED)


def test_definition_is_plain_json_data() -> None:
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        opens_at: 2026-01-01
        questions:
          - {id: a, type: date, label: A, validate: {min: 2025-01-01}}
        """)
    assert loaded.spec is not None
    definition = loaded.spec.definition
    assert definition["opens_at"] == "2026-01-01"
    assert definition["questions"] == [  # type: ignore[comparison-overlap]
        {"id": "a", "type": "date", "label": "A", "validate": {"min": "2025-01-01"}}]


def test_quoted_date_is_still_a_whole_day() -> None:
    loaded = load("""
        id: demo
        title: T
        agency: ubnd
        opens_at: "2026-02-01"
        closes_at: "2026-02-01"
        questions:
          - {id: a, type: text, label: A}
        """)
    assert loaded.problems == []
    assert loaded.spec is not None
    assert loaded.spec.closes_at == dt.date(2026, 2, 1)
    assert not isinstance(loaded.spec.closes_at, dt.datetime)


def test_stored_definition_rebuilds_the_same_form() -> None:
    spec = load_file(ROOT / "forms" / "tat-ca-loai-cau-hoi.yaml").spec
    assert spec is not None
    rebuilt = build_from_definition(json.loads(json.dumps(spec.definition)))
    assert rebuilt.version == spec.version
    assert rebuilt.pages == spec.pages
    date_question = rebuilt.question("ngay_nop")
    assert date_question is not None and date_question.rules.min == dt.date(2025, 1, 1)


def test_an_alias_inside_itself_is_a_problem_not_a_crash() -> None:
    assert problems("x: &r [*r]\n") == ["form.yaml:1:4: a YAML alias refers to itself"]


def test_aliases_multiplying_into_a_huge_document_are_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    (message,) = problems("\n".join(lines) + "\n")
    assert "too many values" in message


def test_an_unknown_yaml_tag_is_a_problem_not_a_crash() -> None:
    (message,) = problems("id: !!python/object:os.system x\n")
    assert message.startswith("form.yaml:1:5: YAML: could not determine a constructor")


def test_an_unhashable_key_is_a_problem_not_a_crash() -> None:
    (message,) = problems("? [k]\n: 1\n")
    assert message == "form.yaml:1:3: YAML: found unhashable key"


def test_csrf_token_is_a_reserved_question_id() -> None:
    assert problems("""
        id: demo
        title: T
        agency: ubnd
        questions: [{id: csrf_token, type: text, label: X}]
        """) == ["form.yaml:4:18: 'csrf_token' is reserved by vnform's pages; choose another id"]


# --- every problem in one run ----------------------------------------------------------

def test_a_missing_required_key_does_not_hide_the_meaning_checks() -> None:
    loaded = load("""
        id: thieu
        title: Thiếu
        pages:
          - id: mot
            questions:
              - {id: a, type: single_choice, label: A, choices: khong_co}
              - {id: a, type: text, label: A2}
          - questions:
              - {id: b, type: text, label: B, show_if: c == "x"}
        """)
    assert [(p.line, p.message) for p in loaded.problems] == [
        (1, "missing required key 'agency'"),
        (6, "unknown choice list 'khong_co'"),
        (7, "duplicate question id 'a'"),
        (8, "missing required key 'id'"),
        (9, "show_if: 'c' is not a question of this form"),
    ]
    assert loaded.spec is None


def test_a_broken_choice_list_is_not_judged_again_where_it_is_used() -> None:
    loaded = load("""
        id: danh-sach
        title: Danh sách
        agency: ubnd
        choice_lists:
          muc_do: [{value: tot, label: Tốt}, {value: [1], label: Lỗi}]
        questions:
          - {id: a, type: likert, label: A, choices: muc_do, indicator: hai_long}
          - {id: b, type: text, label: B, show_if: a == "te"}
        """)
    assert len(loaded.problems) == 1
    assert loaded.problems[0].line == 5


def test_an_unknown_key_is_reported_and_the_rest_of_its_question_still_checked() -> None:
    loaded = load("""
        id: khoa-la
        title: Khoá lạ
        agency: ubnd
        questions:
          - {id: a, type: integer, label: A, mau_sac: do, validate: {min: 9, max: 1}}
        """)
    assert [p.message for p in loaded.problems] == [
        "unknown key 'mau_sac'", "max (1) is less than min (9)"]


DEMO_TREES = [yaml.safe_load(path.read_text(encoding="utf-8"))
              for path in sorted((Path(__file__).parent.parent / "forms").glob("*.yaml"))]
JUNK = st.one_of(st.none(), st.integers(-3, 3), st.floats(allow_nan=False), st.booleans(),
                 st.sampled_from(["", "x y", "Bad-Id", "likret", "2026-13-01", "a = 'b'"]),
                 st.just([]), st.just({}), st.just({"vi": 1}), st.just([{"value": []}]))


def _places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    children = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in children:
        found += _places(child, (*path, key))
    return found


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_demo_form_broken_anywhere_gets_problems_in_the_file_never_a_crash(data) -> None:
    tree = copy.deepcopy(data.draw(st.sampled_from(DEMO_TREES)))
    for _ in range(data.draw(st.integers(1, 4))):
        place = data.draw(st.sampled_from(_places(tree)[1:]))
        parent = functools.reduce(lambda node, key: node[key], place[:-1], tree)
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[place[-1]]
        else:
            parent[place[-1]] = copy.deepcopy(data.draw(JUNK))  # never a shared object
    text = yaml.safe_dump(tree, allow_unicode=True)
    loaded = load_text(text, "hong.yaml")
    lines = text.count("\n") + 1
    assert loaded.spec is not None or loaded.errors
    assert all(1 <= p.line <= lines and p.column >= 1 for p in loaded.problems)


def test_ids_made_up_for_unreadable_parts_never_clash_with_real_ones() -> None:
    pages = load("""
        id: f
        title: T
        agency: a
        pages:
          - {id: BAD ID, questions: [{id: a, type: text, label: A}]}
          - {id: page-unreadable-1, questions: [{id: b, type: text, label: B}]}
        """)
    assert [p.message for p in pages.problems] == [
        "'BAD ID' is not a slug: use lowercase letters, digits and '-'"]
    questions = load("""
        id: f
        title: T
        agency: a
        questions:
          - {type: text, label: A}
          - {id: q_unreadable_1, type: text, label: B}
        """)
    assert [p.message for p in questions.problems] == ["missing required key 'id'"]
