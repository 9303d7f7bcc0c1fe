"""`vnform export`: one row per response, stable columns, safe in spreadsheets."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import Citizen, copy_response
from starlette.testclient import TestClient

from vnform.app import create_app
from vnform.cli import main
from vnform.export import neutralise

FORM = """
id: xuat
title: {vi: Xuất dữ liệu, en: Export}
agency: a
languages: [vi, en]
questions:
  - id: ten
    type: text
    label: Tên
  - id: tuoi
    type: integer
    label: Tuổi
  - id: kenh
    type: multiple_choice
    label: Kênh
    choices: [{value: web, label: Web}, {value: zalo, label: Zalo}, {value: tv, label: TV}]
  - id: chat_luong
    type: matrix
    label: Chất lượng
    choices: [{value: 1, label: Tệ}, {value: 2, label: Tốt}]
    rows: [{id: thu_tuc, label: Thủ tục}, {id: can_bo, label: Cán bộ}]
  - id: y_kien
    type: textarea
    label: Ý kiến
"""


@pytest.fixture
def submit(settings_for, forms_dir, write_form):
    """Submit answers through the web pages, then stop the app (as before an export)."""
    write_form(FORM)

    def run(*answer_sets: dict[str, object], lang: str = "vi") -> None:
        with TestClient(create_app(settings_for(forms_dir))) as client:
            for answers in answer_sets:
                citizen = Citizen(client)
                citizen.open(f"/f/xuat?lang={lang}")
                response = citizen.post("/f/xuat", answers)
                assert response.status_code == 303, response.text

    return run


def export(tmp_path: Path, forms_dir: Path, database_url: str, *flags: str) -> str:
    out = tmp_path / "out.csv"
    code = main(["export", "xuat", "--format", "csv", "--output", str(out),
                 "--db", database_url, "--forms", str(forms_dir), *flags])
    assert code == 0
    return out.read_bytes().decode("utf-8")


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_header_has_fixed_columns_then_one_per_question(submit, tmp_path, forms_dir,
                                                        database_url) -> None:
    submit()
    header = export(tmp_path, forms_dir, database_url).splitlines()[0]
    assert header == ("response_id,submitted_at,language,form_version,"
                      "ten,tuoi,kenh,chat_luong.thu_tuc,chat_luong.can_bo,y_kien")


def test_one_row_per_response_in_submission_order(submit, tmp_path, forms_dir,
                                                  database_url) -> None:
    submit({"ten": "An"}, {"ten": "Bình"}, {"ten": "Chi"})
    rows = parsed(export(tmp_path, forms_dir, database_url))
    assert [r["ten"] for r in rows] == ["An", "Bình", "Chi"]
    assert [r["response_id"] for r in rows] == ["1", "2", "3"]


def test_fixed_columns_carry_time_language_and_version(submit, tmp_path, forms_dir,
                                                       database_url) -> None:
    submit({"ten": "An"}, lang="en")
    (row,) = parsed(export(tmp_path, forms_dir, database_url))
    assert row["language"] == "en"
    assert len(row["form_version"]) == 12
    assert row["submitted_at"].endswith("Z") and row["submitted_at"][10] == "T"


def test_multiple_choice_joins_values_with_semicolons(submit, tmp_path, forms_dir,
                                                      database_url) -> None:
    submit({"kenh": ["tv", "web"]})
    (row,) = parsed(export(tmp_path, forms_dir, database_url))
    assert row["kenh"] == "web;tv"


def test_matrix_rows_are_their_own_columns(submit, tmp_path, forms_dir, database_url) -> None:
    submit({"chat_luong.thu_tuc": "2", "chat_luong.can_bo": "1"})
    (row,) = parsed(export(tmp_path, forms_dir, database_url))
    assert (row["chat_luong.thu_tuc"], row["chat_luong.can_bo"]) == ("2", "1")


def test_unanswered_questions_are_empty_cells(submit, tmp_path, forms_dir,
                                              database_url) -> None:
    submit({"ten": "An"})
    (row,) = parsed(export(tmp_path, forms_dir, database_url))
    assert row["tuoi"] == row["kenh"] == row["y_kien"] == ""


def test_vietnamese_text_commas_quotes_and_newlines_round_trip(submit, tmp_path, forms_dir,
                                                               database_url) -> None:
    text = 'Rất tốt, "nhanh" —\r\nĐà Nẵng; cảm ơn!'
    submit({"y_kien": text})
    (row,) = parsed(export(tmp_path, forms_dir, database_url))
    assert row["y_kien"] == text


@pytest.mark.parametrize("evil", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)",
                                  "=cmd|' /C calc'!A0"])
def test_formula_like_text_is_neutralised(submit, tmp_path, forms_dir, database_url,
                                          evil) -> None:
    submit({"ten": evil})
    (row,) = parsed(export(tmp_path, forms_dir, database_url))
    assert row["ten"] == "'" + evil


def test_numbers_stay_numbers(submit, tmp_path, forms_dir, database_url) -> None:
    submit({"tuoi": "-5", "ten": "-7"})
    (row,) = parsed(export(tmp_path, forms_dir, database_url))
    assert (row["tuoi"], row["ten"]) == ("-5", "-7")


def test_plain_csv_has_no_byte_order_mark(submit, tmp_path, forms_dir, database_url) -> None:
    submit()
    assert not export(tmp_path, forms_dir, database_url).startswith("\ufeff")


def test_excel_flag_adds_a_byte_order_mark(submit, tmp_path, forms_dir, database_url) -> None:
    submit({"ten": "Nguyễn"})
    text = export(tmp_path, forms_dir, database_url, "--excel")
    assert text.startswith("\ufeffresponse_id,")
    assert parsed(text)[0]["ten"] == "Nguyễn"


def test_export_to_stdout(submit, forms_dir, database_url, capsys) -> None:
    submit({"ten": "An"})
    assert main(["export", "xuat", "--db", database_url,
                 "--forms", str(forms_dir)]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith(",An,,,,,")


def test_export_streams_in_batches_across_many_responses(submit, tmp_path, forms_dir,
                                                         database_url, database) -> None:
    submit({"ten": "Người 1", "tuoi": "1"})
    with database.connect() as db:  # copies of it, past several batches
        for i in range(2, 1202):
            db.execute("insert into answer (response_id, form_id, question, value, number)"
                       " values (?, 'xuat', 'tuoi', ?, ?)", (copy_response(db), str(i), i))
    database.retally()
    rows = parsed(export(tmp_path, forms_dir, database_url))
    assert len(rows) == 1201
    assert [r["tuoi"] for r in rows[498:502]] == ["499", "500", "501", "502"]
    assert rows[-1]["tuoi"] == "1201"


def test_retired_questions_keep_their_column_after_the_current_ones(
        submit, tmp_path, forms_dir, database_url, write_form) -> None:
    submit({"ten": "An", "y_kien": "cũ"})
    write_form(FORM.replace("  - id: ten\n    type: text\n    label: Tên\n", ""))
    header = export(tmp_path, forms_dir, database_url).splitlines()[0]
    assert header.endswith("chat_luong.can_bo,y_kien,ten")
    row = parsed(export(tmp_path, forms_dir, database_url))[0]
    assert row["ten"] == "An"


def test_unknown_form_is_an_error(submit, forms_dir, database_url, capsys) -> None:
    submit()
    code = main(["export", "khong-co", "--db", database_url,
                 "--forms", str(forms_dir)])
    assert code == 1
    assert "no form 'khong-co'" in capsys.readouterr().err


def test_a_mistyped_database_is_an_error_not_an_empty_export(forms_dir, tmp_path,
                                                              capsys) -> None:
    missing = tmp_path / "nothing-here.sqlite3"
    code = main(["export", "xuat", "--db", f"sqlite://{missing}", "--forms", str(forms_dir)])
    assert code == 1
    assert "no database at" in capsys.readouterr().err
    assert not missing.exists()


@pytest.mark.parametrize("cell", ["=1", "+1", "-x", "@x", "\tx", "\rx", "\nx"])
def test_neutralise_prefixes_every_formula_trigger(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "0", "-12", "-1.5", "abc", "Đà Nẵng", "x=1"])
def test_neutralise_leaves_safe_cells_alone(cell: str) -> None:
    assert neutralise(cell) == cell
