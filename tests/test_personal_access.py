"""Officials and personal data: masked (•••) on every page and in every export unless
the account has personal-data access, which an administrator gives with the command
line; each view or download that shows personal data is an audit row."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from conftest import PERSONAL_FORM_HEAD, Citizen, errors, sign_in

from vnform.cli import main

MASKED = "phan.tich@so.gov.vn"  # an analyst without access
ALLOWED = "du.lieu@so.gov.vn"  # an analyst with access
URL = "/admin/forms/lien-he"
PHONE = "0912345678"

FORM = PERSONAL_FORM_HEAD + """\
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}}
  - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone}, personal_data: basic}
  - id: dan_toc
    type: single_choice
    label: {vi: Dân tộc, en: Ethnicity}
    personal_data: sensitive
    choices: [{value: kinh, label: Kinh}, {value: tay, label: Tày}]
  - {id: gop_y, type: textarea, label: {vi: Góp ý, en: Comments}, personal_data: none}
"""


@pytest.fixture
def app(write_form, forms_dir, add_official, make_client, monkeypatch,
        database_url) -> Callable[[str], Any]:
    """One citizen who agreed and gave personal data; a signed-in client per account."""
    write_form(FORM)
    add_official(MASKED, "analyst", "so-thu")
    add_official(ALLOWED, "analyst", "so-thu")
    assert main(["user", "allow-personal-data", ALLOWED, "--db", database_url]) == 0
    client = make_client(forms_dir)
    citizen = Citizen(client)
    citizen.open("/f/lien-he")
    sent = citizen.post("/f/lien-he", {"hai_long": "4", "dien_thoai": PHONE,
                                       "dan_toc": "tay", "gop_y": "Tốt", "consent": "yes"})
    assert sent.status_code == 303, errors(citizen.page)

    def signed(email: str) -> Any:
        client.cookies.clear()
        assert sign_in(client, email).status_code == 303
        return client

    return signed


def audit_rows(rows: Callable[..., Any], action: str) -> list[dict[str, Any]]:
    return [json.loads(details) | {"actor": actor} for actor, details in rows(
        "select actor, details from audit_event where action = ? order by id", action)]


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# --- pages ---------------------------------------------------------------------------

def test_an_analyst_without_access_sees_personal_answers_masked(app, rows) -> None:
    page = app(MASKED).get(f"{URL}/responses/1?lang=en").text
    assert PHONE not in page and "Tày" not in page
    assert page.count("•••") == 2
    assert "Tốt" in page  # not personal data
    assert audit_rows(rows, "personal_data_viewed") == []


def test_an_analyst_with_access_sees_them_and_the_audit_log_says_so(app, rows) -> None:
    page = app(ALLOWED).get(f"{URL}/responses/1?lang=en").text
    assert PHONE in page and "Tày" in page and "•••" not in page
    assert audit_rows(rows, "personal_data_viewed") == [
        {"actor": ALLOWED, "what": "response", "responses": 1}]


def test_the_latest_text_answers_on_the_results_page_are_masked(app) -> None:
    page = app(MASKED).get(f"{URL}?lang=en").text
    assert PHONE not in page
    assert "<blockquote>•••<span class=\"visually-hidden\"> (masked: personal data)</span>" \
        in page
    assert "<blockquote>Tốt</blockquote>" in page


def test_the_text_answers_page_of_a_personal_question_is_masked(app, rows) -> None:
    assert PHONE not in app(MASKED).get(f"{URL}/texts/dien_thoai").text
    assert PHONE in app(ALLOWED).get(f"{URL}/texts/dien_thoai").text
    assert audit_rows(rows, "personal_data_viewed")[-1] == {
        "actor": ALLOWED, "what": "text answers", "responses": 1}


def test_a_masked_view_reads_as_masked_in_the_audit_log_words(app) -> None:
    client = app(ALLOWED)
    client.get(f"{URL}/responses/1")
    # An administrator reads the audit log; the allowed analyst cannot.
    assert client.get("/admin/audit").status_code == 403


# --- exports -------------------------------------------------------------------------

def test_exports_leave_personal_data_out_by_default(app) -> None:
    client = app(ALLOWED)
    found = table(client.get(f"{URL}/export.csv").text)
    assert "dien_thoai" not in found[0] and "dan_toc" not in found[0]
    assert found[0]["gop_y"] == "Tốt"
    line = json.loads(client.get(f"{URL}/export.jsonl").text.splitlines()[0])
    assert set(line["answers"]) == {"hai_long", "gop_y"}


def test_an_export_with_personal_data_is_masked_for_an_analyst_without_access(app,
                                                                              rows) -> None:
    found = table(app(MASKED).get(f"{URL}/export.csv?personal=1").text)
    assert (found[0]["dien_thoai"], found[0]["dan_toc"]) == ("•••", "•••")
    assert audit_rows(rows, "export")[-1]["personal_data"] == "masked"


def test_an_export_with_personal_data_for_an_account_with_access(app, rows) -> None:
    found = table(app(ALLOWED).get(f"{URL}/export.csv?personal=1").text)
    assert (found[0]["dien_thoai"], found[0]["dan_toc"]) == (PHONE, "tay")
    assert audit_rows(rows, "export")[-1]["personal_data"] == "shown"


def test_the_results_page_offers_personal_data_only_to_an_account_with_access(app) -> None:
    assert "personal=1" not in app(MASKED).get(URL).text
    assert "personal=1" in app(ALLOWED).get(URL).text


def test_the_data_dictionary_marks_each_columns_category(app) -> None:
    found = {row["column"]: row for row in table(app(MASKED).get(f"{URL}/dictionary.csv").text)}
    assert [found[key]["personal_data"] for key in ("hai_long", "dien_thoai", "dan_toc",
                                                    "gop_y")] == ["", "basic", "sensitive", ""]


def test_the_cli_export_leaves_personal_data_out_unless_asked(app, database_url, forms_dir,
                                                              capsysbinary) -> None:
    common = ["--db", database_url, "--forms", str(forms_dir)]
    assert main(["export", "lien-he", *common]) == 0
    assert b"dien_thoai" not in capsysbinary.readouterr().out
    assert main(["export", "lien-he", "--include-personal-data", *common]) == 0
    assert PHONE.encode() in capsysbinary.readouterr().out


# --- the accounts --------------------------------------------------------------------

def test_access_is_given_and_taken_back_on_the_command_line(app, database_url,
                                                            capsys) -> None:
    assert main(["user", "deny-personal-data", ALLOWED, "--db", database_url]) == 0
    assert PHONE not in app(ALLOWED).get(f"{URL}/responses/1").text
    capsys.readouterr()
    main(["user", "list", "--db", database_url])
    listed = {line.split()[0]: line.split()[3] for line in capsys.readouterr().out.splitlines()[1:]}
    assert listed == {ALLOWED: "masked", MASKED: "masked"}


def test_an_account_made_with_access_sees_personal_data(app, add_official,
                                                        database_url, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-rat-dai-2026\n"))
    assert main(["user", "add", "moi@so.gov.vn", "--role", "analyst", "--agency", "so-thu",
                 "--personal-data", "--password-stdin", "--db", database_url]) == 0
    client = app(MASKED)
    client.cookies.clear()
    assert sign_in(client, "moi@so.gov.vn", password="mat-khau-rat-dai-2026").status_code \
        == 303
    assert PHONE in client.get(f"{URL}/responses/1").text


def test_masks_never_reach_the_stored_answers(app, rows) -> None:
    app(MASKED).get(f"{URL}/responses/1")
    assert ("dien_thoai", PHONE) in rows("select question, text from answer")
    assert not any(re.search("•", str(value)) for (value,) in rows("select text from answer"))


# --- small groups in filtered lists --------------------------------------------------

def test_a_filtered_list_of_fewer_than_the_minimum_is_not_shown(app) -> None:
    client = app(MASKED)
    listed = client.get(f"{URL}/responses?lang=en&language=vi").text
    assert "Fewer than 5 responses match these filters" in listed
    assert "/responses/1" not in listed
    texts = client.get(f"{URL}/texts/gop_y?lang=en&language=vi").text
    assert "Fewer than 5 responses match these filters" in texts and "Tốt" not in texts


def test_an_unfiltered_list_is_shown_whatever_its_size(app) -> None:
    assert "/responses/1" in app(MASKED).get(f"{URL}/responses").text


def test_an_account_with_personal_data_access_sees_a_small_filtered_list(app) -> None:
    assert "/responses/1" in app(ALLOWED).get(f"{URL}/responses?language=vi").text


def test_the_figures_of_a_personal_number_are_for_accounts_with_access(
        write_form, forms_dir, add_official, make_client) -> None:
    write_form("""
id: tuoi
title: Tuổi
agency: so-thu
purpose: Thống kê theo tuổi.
controller: Sở Thu
retention_days: 30
questions:
  - {id: nam_sinh, type: integer, label: Năm sinh, personal_data: basic}
""")
    add_official(MASKED, "analyst", "so-thu")
    client = make_client(forms_dir)
    citizen = Citizen(client)
    citizen.open("/f/tuoi")
    assert citizen.post("/f/tuoi", {"nam_sinh": "1985", "consent": "yes"}).status_code == 303
    client.cookies.clear()
    assert sign_in(client, MASKED).status_code == 303
    page = client.get("/admin/forms/tuoi?lang=en").text
    section = page.split('id="result-nam_sinh"', 1)[1].split("</section>", 1)[0]
    assert "1985" not in section and "1,985" not in section
    assert "Answered by 1" in section
