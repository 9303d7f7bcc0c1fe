"""`vnform subject find|erase`: a citizen's request made at a counter, served from the
command line. Both are audited without the values looked for or erased."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import PERSONAL_FORM_HEAD, Citizen, errors

from vnform.cli import main

FORM = PERSONAL_FORM_HEAD + """\
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}}
  - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone}, personal_data: basic}
  - {id: ho_ten, type: text, label: {vi: Họ tên, en: Name}, personal_data: basic}
  - {id: gop_y, type: textarea, label: {vi: Góp ý, en: Comments}, personal_data: none}
"""
CITIZENS = [
    {"hai_long": "5", "dien_thoai": "0912345678", "ho_ten": "Đặng Thị Lan", "consent": "yes"},
    {"hai_long": "3", "dien_thoai": "0987654321", "consent": "yes"},
    {"hai_long": "4", "gop_y": "0912345678"},  # the same digits, in an answer not personal
]


@pytest.fixture
def cli(write_form, forms_dir, make_client, database_url, capsys) -> Any:
    write_form(FORM)
    client = make_client(forms_dir)
    for answers in CITIZENS:
        client.cookies.clear()
        citizen = Citizen(client)
        citizen.open("/f/lien-he")
        assert citizen.post("/f/lien-he", answers).status_code == 303, errors(citizen.page)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*args, "--db", database_url, "--forms", str(forms_dir)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def found_ids(out: str) -> list[int]:
    return [int(line.split()[0]) for line in out.splitlines()[1:]]


def test_find_lists_the_responses_with_a_phone_number_typed_with_spaces(cli) -> None:
    code, out, err = cli("subject", "find", "--value", "0912 345 678")
    assert code == 0
    assert out.splitlines()[0] == "RESPONSE_ID  FORM  SUBMITTED  REFERENCE  QUESTION"
    assert found_ids(out) == [1]  # not the third: its matching answer is not personal data
    assert out.splitlines()[1].endswith("  dien_thoai")
    assert "1 response(s) found" in err


def test_find_matches_a_name_whatever_its_case(cli) -> None:
    assert found_ids(cli("subject", "find", "--value", "đặng thị lan")[1]) == [1]
    assert found_ids(cli("subject", "find", "--value", "Đặng Thị Lan")[1]) == [1]


def test_find_within_one_form_only(cli) -> None:
    assert found_ids(cli("subject", "find", "--value", "0987654321", "--form", "khac")[1]) \
        == []


def test_find_is_audited_without_the_value(cli, rows) -> None:
    cli("subject", "find", "--value", "0912345678")
    ((details,),) = rows("select details from audit_event where action = 'subject_searched'")
    assert json.loads(details)["responses"] == 1 and "0912345678" not in details


def test_erase_deletes_the_responses_and_keeps_their_counts(cli, rows, database) -> None:
    code, _out, err = cli("subject", "erase", "1", "2")
    assert code == 0 and "erased the 2 response(s)" in err
    assert rows("select id from response") == [(3,)]
    assert database.verify() == []
    ((details,),) = rows("select details from audit_event where action = 'response_deleted'")
    assert json.loads(details) == {"via": "cli", "responses": 2}


def test_erase_personal_only_keeps_the_other_answers(cli, rows) -> None:
    assert cli("subject", "erase", "1", "--personal-only")[0] == 0
    assert rows("select question from answer where response_id = 1") == [("hai_long",)]


def test_erase_of_an_unknown_response_says_so(cli, rows) -> None:
    code, _out, err = cli("subject", "erase", "99")
    assert code == 1 and "no response 99" in err
    assert rows("select count(*) from response") == [(3,)]


def test_find_a_phone_number_given_with_the_country_code(cli) -> None:
    assert found_ids(cli("subject", "find", "--value", "+84 912 345 678")[1]) == [1]
