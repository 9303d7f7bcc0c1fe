"""`vnform demo`: generated responses are ones the app itself would have stored.

Every stored answer is read back from the database and cleaned again with the form's
own rules, page by page, as the review step does; hidden questions must have no
answer, and the rows must be exactly those a submission writes. (With
``--database=postgres``, on PostgreSQL too, except the test that copies a SQLite file.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import sign_in

from vnform import demo
from vnform.answers import answer_rows, keep_visible, visible_questions
from vnform.cli import main
from vnform.formbuild import bind, validate
from vnform.forms.loader import load_text
from vnform.i18n import translations
from vnform.navigation import page_answers

FORM = r"""
id: du-lieu-mau
title: {vi: Dữ liệu mẫu, en: Demo data}
agency: so-thu
languages: [vi, en]
pages:
  - id: mot
    questions:
      - id: kenh
        type: single_choice
        label: Kênh
        required: true
        choices: [{value: online, label: Trực tuyến}, {value: counter, label: Một cửa}]
      - id: de_dang
        type: likert
        label: Dễ dàng
        required: true
        show_if: kenh == "online"
        choices: [{value: 1, label: Khó}, {value: 2, label: Vừa}, {value: 3, label: Dễ}]
      - id: kho_khan
        type: multiple_choice
        label: Khó khăn
        show_if: de_dang <= 2
        validate: {min_choices: 2, max_choices: 3}
        choices: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C},
                  {value: d, label: D}]
      - {id: tinh, type: dropdown, label: Tỉnh,
         choices: [{value: "01", label: Hà Nội}, {value: "79", label: TP HCM}]}
      - {id: diem, type: rating, max: 10, label: Điểm, required: true, indicator: satisfaction}
      - {id: gioi_thieu, type: nps, label: Giới thiệu}
      - {id: da_dung, type: yes_no, label: Đã dùng}
      - id: chat_luong
        type: matrix
        label: Chất lượng
        choices: [{value: 1, label: Tệ}, {value: 2, label: Tốt},
                  {value: na, label: Không áp dụng, not_applicable: true}]
        rows: [{id: thu_tuc, label: Thủ tục}, {id: can_bo, label: Cán bộ}]
  - id: hai
    questions:
      - {id: ho_ten, type: text, label: Họ tên, autocomplete: name,
         validate: {min_length: 2, max_length: 12}}
      - {id: ma_ho_so, type: text, label: Mã hồ sơ, required: true,
         validate: {pattern: '[0-9A-Z.\-]{6,40}'}}
      - {id: tuoi, type: integer, label: Tuổi, validate: {min: 15, max: 120}}
      - {id: chi_phi, type: decimal, label: Chi phí, validate: {min: 0, max: 50.5}}
      - {id: email, type: email, label: Email}
      - {id: dien_thoai, type: phone, label: Điện thoại, show_if: da_dung == "yes",
         required: true}
      - {id: ngay_nop, type: date, label: Ngày nộp, validate: {min: 2025-01-01, max: 2025-12-31}}
      - {id: mo_ta, type: textarea, label: Mô tả, validate: {max_length: 30}}
"""
FORM_ID = "du-lieu-mau"


def spec_of(text: str = FORM) -> Any:
    loaded = load_text(text)
    assert loaded.spec is not None, [str(p) for p in loaded.problems]
    return loaded.spec


Rows = Callable[..., list[tuple[Any, ...]]]


def run_demo(database_url: str, forms: Path, *flags: str) -> int:
    return main(["demo", "--form", FORM_ID, "--db", database_url, "--forms", str(forms),
                 *flags])


def stored_answers(rows: Rows) -> dict[int, list[tuple[Any, ...]]]:
    """(question, value, number, text) rows per response id, in storage order."""
    by_response: dict[int, list[tuple[Any, ...]]] = {
        response_id: [] for (response_id,) in rows("select id from response order by id")}
    for response_id, *row in rows(
            "select response_id, question, value, number, text from answer order by id"):
        by_response[response_id].append(tuple(row))
    return by_response


def as_answers(spec: Any, rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Answers by key as the app keeps them: a list for multiple choice, else a string."""
    answers: dict[str, Any] = {}
    for question, value, _number, text in rows:
        shown = value if value is not None else text
        if spec.question(question.partition(".")[0]).multiple:
            answers.setdefault(question, []).append(shown)
        else:
            assert question not in answers
            answers[question] = shown
    return answers


@pytest.fixture
def generated(write_form, forms_dir, database_url, rows) -> dict[int, list[tuple[Any, ...]]]:
    write_form(FORM)
    assert run_demo(database_url, forms_dir, "--responses", "50", "--seed", "7",
                    "--batch", "20") == 0
    return stored_answers(rows)


def test_stores_the_responses_asked_for_with_the_forms_version(generated, rows) -> None:
    spec = spec_of()
    assert len(generated) == 50
    assert rows("select distinct form_id, form_version from response") == \
        [(FORM_ID, spec.version)]
    assert rows("select form_id, version from form_version") == [(FORM_ID, spec.version)]
    assert {lang for (lang,) in rows("select language from response")} <= {"vi", "en"}


def test_every_answer_passes_the_forms_rules(generated) -> None:
    spec = spec_of()
    t = translations("vi")
    for response_id, stored in generated.items():
        answers = as_answers(spec, stored)
        assert keep_visible(spec, answers) == answers, response_id  # nothing hidden answered
        shown = visible_questions(spec, answers)
        clean: dict[str, Any] = {}
        for page in spec.pages:
            form = bind(page, answers=page_answers(page, answers))
            questions = [q for q in shown if q.page_index == page.index]
            assert validate(form, questions, "vi", t), (response_id, {
                f.name: f.errors for f in form if f.errors})
            clean.update(form.clean)
        assert clean == answers
        # The very rows a submission of these answers writes, in the same order.
        assert [(r.question, r.value, r.number, r.text)
                for r in answer_rows(spec, clean)] == stored


def test_conditions_and_optional_questions_vary(generated) -> None:
    spec = spec_of()
    answered = [as_answers(spec, rows) for rows in generated.values()]
    for key in ("de_dang", "kho_khan", "dien_thoai", "ho_ten", "chat_luong.can_bo"):
        count = sum(key in answers for answers in answered)
        assert 0 < count < 50, key
    assert all("ma_ho_so" in answers and "diem" in answers for answers in answered)


def test_the_dashboard_and_the_export_read_them(generated, forms_dir, database_url,
                                                make_client, add_official,
                                                tmp_path) -> None:
    out = tmp_path / "out.csv"
    assert main(["export", FORM_ID, "--output", str(out), "--db", database_url,
                 "--forms", str(forms_dir)]) == 0
    exported = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [int(row["response_id"]) for row in exported] == list(generated)
    add_official("demo@so.gov.vn", "admin")
    client = make_client(forms_dir)  # after the commands: one ORM per process at a time
    assert sign_in(client, "demo@so.gov.vn").status_code == 303
    page = client.get(f"/admin/forms/{FORM_ID}")
    assert page.status_code == 200
    assert '<p class="big-number">50</p>' in page.text


def test_the_same_seed_gives_the_same_answers(write_form, forms_dir, database_path,
                                              tmp_path) -> None:
    import sqlite3

    write_form(FORM)
    other = tmp_path / "other.sqlite3"
    shutil.copyfile(database_path, other)
    found = []
    for database in (database_path, other):
        assert run_demo(f"sqlite://{database}", forms_dir, "--responses", "30",
                        "--seed", "3") == 0

        def query(sql: str, file: Path = database) -> list[tuple[Any, ...]]:
            with sqlite3.connect(file) as db:
                result = db.execute(sql).fetchall()
            db.close()
            return result

        found.append((stored_answers(query), query("select language from response")))
    assert found[0] == found[1]


def test_pure_generation_is_deterministic() -> None:
    spec = spec_of()
    end = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    first = list(demo.generate(spec, 20, seed=5, end=end, days=10))
    assert first == list(demo.generate(spec, 20, seed=5, end=end, days=10))
    assert first != list(demo.generate(spec, 20, seed=6, end=end, days=10))
    times = [g.submitted_at for g in first]
    assert times == sorted(times)
    assert end - dt.timedelta(days=10) <= times[0] and times[-1] <= end


def test_runs_add_to_the_responses_already_there(write_form, forms_dir, database_url,
                                                 rows) -> None:
    write_form(FORM)
    for _ in range(2):
        assert run_demo(database_url, forms_dir, "--responses", "10", "--seed", "1") == 0
    assert rows("select count(*), count(distinct token) from response") == [(20, 20)]
    assert rows("select count(*) from form_version") == [(1,)]


@pytest.mark.parametrize("flags", [["--responses", "0"], ["--responses", "-5"],
                                   ["--responses", "5", "--batch", "0"],
                                   ["--responses", "5", "--days", "0"]])
def test_refuses_bad_numbers(flags, write_form, forms_dir, database_url, capsys,
                             rows) -> None:
    write_form(FORM)
    assert run_demo(database_url, forms_dir, *flags) == 2
    assert "must be" in capsys.readouterr().err
    assert rows("select count(*) from response") == [(0,)]


def test_refuses_an_unknown_form(forms_dir, database_url, capsys) -> None:
    assert main(["demo", "--form", "khong-co", "--responses", "5", "--forms", str(forms_dir),
                 "--db", database_url]) == 1
    assert "no form 'khong-co'" in capsys.readouterr().err


def test_refuses_a_required_question_it_cannot_answer(write_form, forms_dir, database_url,
                                                      capsys) -> None:
    write_form(f"""
        id: {FORM_ID}
        title: Không đoán được
        agency: a
        questions:
          - {{id: ma, type: text, label: Mã, required: true, validate: {{pattern: 'zz[q]+'}}}}
    """)
    assert run_demo(database_url, forms_dir, "--responses", "5") == 1
    assert "cannot generate a valid answer to question 'ma'" in capsys.readouterr().err
