"""`vnform check`: lint form files from the command line, as an official or CI runs it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from vnform.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO_FORMS = ROOT / "forms"

GOOD = """
id: gop-y
title: Góp ý
agency: ubnd
questions:
  - {id: gop_y, type: textarea, label: Góp ý, personal_data: none}
"""

BROKEN = """
id: hong
title: Hỏng
agency: ubnd
questions:
  - id: kenh
    type: singel_choice
    label: Kênh
  - id: ly_do
    type: textarea
    personal_data: none
    label: Lý do
    show_if: kenh == "online"
"""

WARNED = """
id: canh-bao
title: {vi: Cảnh báo, en: Warning}
agency: ubnd
questions:
  - {id: a, type: text, label: A, personal_data: none}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    """Exit code, stdout lines and stderr of ``vnform check ARGV``."""
    code = main(["check", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_demo_forms_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(DEMO_FORMS))
    assert (code, out) == (0, [])
    files = len(list(DEMO_FORMS.glob("*.yaml")))
    assert f"{files} file(s) checked: 0 error(s), 0 warning(s)" in err


def test_each_demo_form_passes_on_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    paths = sorted(str(p) for p in DEMO_FORMS.glob("*.yaml"))
    code, out, _ = run(capsys, *paths)
    assert (code, out) == (0, [])


def test_broken_file_fails_with_file_line_col_messages(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    path = write_form(BROKEN)
    code, out, err = run(capsys, str(path))
    assert code == 1
    assert out == [
        f"{path}:6:11: unknown question type 'singel_choice' (did you mean 'single_choice'?)"]
    assert "1 file(s) checked: 1 error(s), 0 warning(s)" in err


def test_problems_of_a_file_are_all_listed_in_order(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    path = write_form("""
        id: hong
        title: Hỏng
        agency: ubnd
        questions:
          - {id: kenh, type: single_choice, label: Kênh, choices: [{value: online, label: A}]}
          - {id: ly_do, type: textarea, label: Lý do, show_if: kenh = "online", personal_data: none}
          - {id: kenh, type: text, label: Kênh khác, personal_data: none}
        """)
    code, out, err = run(capsys, str(path))
    assert code == 1
    assert out == [
        f"{path}:6:61: show_if: '=' is not an operator; use '==' to compare",
        f"{path}:7:10: duplicate question id 'kenh'",
    ]
    assert "1 file(s) checked: 2 error(s), 0 warning(s)" in err


def test_a_missing_required_key_hides_no_other_problem(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    path = write_form("""
        id: hong
        title: Hỏng
        choice_lists:
          muc_do: [{value: tot, label: Tốt}]
        questions:
          - {id: kenh, type: single_choice, label: Kênh, choices: kenh_list}
          - {id: ly_do, type: textarea, label: Lý do, show_if: kenh = "online", personal_data: none}
          - {id: kenh, type: text, label: Kênh khác, personal_data: none}
          - {id: hai_long, type: likret, label: Hài lòng, choices: muc_do}
          - {id: tuoi, type: integer, label: Tuổi, validate: {min: 60, max: 18}}
        """)
    code, out, err = run(capsys, str(path))
    assert code == 1
    assert out == [
        f"{path}:1:1: missing required key 'agency'",
        f"{path}:6:59: unknown choice list 'kenh_list'",
        f"{path}:7:61: show_if: '=' is not an operator; use '==' to compare",
        f"{path}:8:10: duplicate question id 'kenh'",
        f"{path}:9:26: unknown question type 'likret' (did you mean 'likert'?)",
        f"{path}:10:69: max (18) is less than min (60)",
    ]
    assert "1 file(s) checked: 6 error(s), 0 warning(s)" in err


def test_a_question_of_the_wrong_shape_is_not_judged_again_through_its_uses(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    path = write_form("""
        id: hong
        title: Hỏng
        agency: ubnd
        questions:
          - {id: kenh, type: single_choise, label: Kênh, choices: [{value: web, label: Web}]}
          - {id: ly_do, type: textarea, label: Lý do, show_if: kenh == "online",
             personal_data: none}
          - {id: ghi_chu, type: text, label: Ghi chú, colour: red, show_if: ly_do == "x",
             personal_data: none}
        """)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert out == [
        f"{path}:5:22: unknown question type 'single_choise' (did you mean 'single_choice'?)",
        f"{path}:8:47: unknown key 'colour'",
    ]


def test_one_broken_file_fails_the_whole_check(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path], forms_dir: Path,
) -> None:
    write_form(GOOD, name="a.yaml")
    broken = write_form(BROKEN, name="b.yaml")
    code, out, err = run(capsys, str(forms_dir))
    assert code == 1
    assert [line.partition(":")[0] for line in out] == [str(broken)]
    assert "2 file(s) checked: 1 error(s), 0 warning(s)" in err


def test_folder_is_searched_recursively_for_yaml_and_yml(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path], forms_dir: Path,
) -> None:
    (forms_dir / "so-tttt" / "2026").mkdir(parents=True)
    write_form(GOOD, name="a.yaml")
    nested = write_form(BROKEN, name="so-tttt/2026/b.yml")
    write_form("this is not a form", name="so-tttt/README.txt")
    code, out, err = run(capsys, str(forms_dir))
    assert code == 1
    assert len(out) == 1 and out[0].startswith(f"{nested}:6:11: unknown question type")
    assert "2 file(s) checked" in err


def test_missing_path_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "khong-co.yaml"
    code, out, _ = run(capsys, str(missing))
    assert code == 1
    assert out == [f"{missing}: no such file or folder"]


def test_missing_path_fails_even_when_the_other_files_pass(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path], tmp_path: Path,
) -> None:
    good = write_form(GOOD)
    code, out, _ = run(capsys, str(good), str(tmp_path / "typo.yaml"))
    assert code == 1
    assert out == [f"{tmp_path / 'typo.yaml'}: no such file or folder"]


def test_duplicate_form_id_across_files_fails(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path], forms_dir: Path,
) -> None:
    first = write_form(GOOD, name="a.yaml")
    second = write_form(GOOD, name="b.yaml")
    code, out, _ = run(capsys, str(forms_dir))
    assert code == 1
    assert out == [f"{second}:1:5: form id 'gop-y' is already used by {first}"]


def test_warnings_print_but_pass(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    path = write_form(WARNED)
    code, out, err = run(capsys, str(path))
    assert code == 0
    assert out == [
        f"{path}:2:23: warning: 'en' text is unused: it is not in the form's languages"]
    assert "1 file(s) checked: 0 error(s), 1 warning(s)" in err


def test_warnings_fail_with_strict(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    path = write_form(WARNED)
    code, out, _ = run(capsys, "--strict", str(path))
    assert code == 1
    assert out == [
        f"{path}:2:23: warning: 'en' text is unused: it is not in the form's languages"]


def test_strict_passes_a_clean_file(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    code, out, _ = run(capsys, "--strict", str(write_form(GOOD)))
    assert (code, out) == (0, [])


def test_default_path_is_the_forms_folder(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    write_form: Callable[..., Path], forms_dir: Path,
) -> None:
    write_form(BROKEN)
    monkeypatch.chdir(forms_dir.parent)
    code, out, err = run(capsys)
    assert code == 1
    assert out == ["forms/hong.yaml:6:11: unknown question type 'singel_choice' "
                   "(did you mean 'single_choice'?)"]
    assert "1 file(s) checked" in err


def test_default_path_checks_the_demo_forms(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys)
    assert (code, out) == (0, [])


def test_without_a_forms_folder_the_default_path_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys)
    assert code == 1
    assert out == ["forms: no such file or folder"]


def test_yaml_syntax_error_is_reported_with_its_position(
    capsys: pytest.CaptureFixture[str], write_form: Callable[..., Path],
) -> None:
    path = write_form("""
        id: sai-cu-phap
        title: {vi: Ông/Bà nộp hồ sơ thế nào?}
        agency: ubnd
        """)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert out == [f"{path}:2:37: YAML syntax: expected ',' or '}}', but got '?' "
                   "(while parsing a flow mapping)"]
