"""What publishing a new version does to the answers already given (pure)."""

from __future__ import annotations

import textwrap

from vnform.forms.changes import Impact, impacts
from vnform.forms.loader import load_text
from vnform.forms.spec import FormSpec

BASE = """
id: doi
title: Đổi
agency: a
questions:
  - {id: kenh, type: single_choice, label: Kênh, choices: [{value: web, label: Web},
                                                         {value: quay, label: Quầy}]}
  - {id: diem, type: rating, label: Điểm}
  - {id: bang, type: matrix, label: Bảng, choices: [{value: 1, label: Kém}, {value: 2, label: Tốt}],
     rows: [{id: nhanh, label: Nhanh}, {id: dung, label: Đúng}]}
  - {id: y_kien, type: textarea, label: Ý kiến}
"""
ANSWERED = {"kenh": 10, "diem": 8, "bang.nhanh": 5, "bang.dung": 4, "y_kien": 3}
COUNTS = {"kenh": {"web": 7, "quay": 3}, "diem": {"5": 8}, "bang.nhanh": {"2": 5},
          "bang.dung": {"1": 4}}


def spec(text: str) -> FormSpec:
    loaded = load_text(textwrap.dedent(text), "doi.yaml")
    assert loaded.spec is not None, loaded.problems
    return loaded.spec


def changed(old: str, new: str) -> list[Impact]:
    return impacts(spec(BASE), spec(BASE.replace(old, new)), ANSWERED, COUNTS)


def test_a_wording_change_has_no_impact() -> None:
    assert changed("label: Ý kiến", "label: Ý kiến của Ông/Bà") == []


def test_an_answered_question_dropped_is_an_impact() -> None:
    assert changed("  - {id: y_kien, type: textarea, label: Ý kiến}\n", "") == [
        Impact("question_dropped", "y_kien", 3)]


def test_a_renamed_id_is_a_dropped_question() -> None:
    assert changed("id: y_kien", "id: gop_y") == [Impact("question_dropped", "y_kien", 3)]


def test_an_answered_choice_dropped_is_an_impact() -> None:
    assert changed(",\n                                                         "
                   "{value: quay, label: Quầy}", "") == [
        Impact("choice_dropped", "kenh", 3, value="quay")]


def test_a_type_change_is_an_impact() -> None:
    assert changed("id: diem, type: rating", "id: diem, type: nps") == [
        Impact("type_changed", "diem", 8, before="rating", after="nps")]


def test_a_scale_change_is_an_impact() -> None:
    assert changed("id: diem, type: rating, label: Điểm",
                   "id: diem, type: rating, label: Điểm, max: 10") == [
        Impact("scale_changed", "diem", 8, before="1, 2, 3, 4, 5",
               after="1, 2, 3, 4, 5, 6, 7, 8, 9, 10")]


def test_an_answered_matrix_row_dropped_is_an_impact() -> None:
    assert changed(", {id: dung, label: Đúng}", "") == [
        Impact("question_dropped", "bang.dung", 4)]


def test_a_question_nobody_answered_may_go() -> None:
    assert impacts(spec(BASE), spec(BASE.replace("  - {id: y_kien, type: textarea, "
                                                 "label: Ý kiến}\n", "")),
                   {**ANSWERED, "y_kien": 0}, COUNTS) == []
