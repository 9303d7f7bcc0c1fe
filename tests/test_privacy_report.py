"""`vnform privacy report`: the record of processing for the impact assessment dossier,
built from the forms, the accounts, the API tokens and what the database holds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Citizen, errors

from vnform.cli import main

FORM = """
id: lien-he
title: {vi: Liên hệ lại, en: Contact}
agency: so-thu
languages: [vi, en]
open_data: true
purpose: {vi: Liên hệ lại về hồ sơ., en: To contact you about your application.}
controller: {vi: Sở Thu, en: Department}
retention_days: 30
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction}
  - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone}, personal_data: basic}
  - id: dan_toc
    type: single_choice
    label: {vi: Dân tộc, en: Ethnicity}
    personal_data: sensitive
    choices: [{value: kinh, label: Kinh}, {value: tay, label: Tày}]
"""
PLAIN = """
id: gon
title: Gọn
agency: so-thu
questions:
  - {id: hai_long, type: rating, label: Hài lòng}
"""


@pytest.fixture
def report(write_form, forms_dir, add_official, make_client, database_url, api_token,
           capsys) -> Any:
    write_form(FORM)
    write_form(PLAIN, name="gon.yaml")
    add_official("du.lieu@so.gov.vn", "analyst", "so-thu")
    add_official("phan.tich@so.gov.vn", "analyst", "so-thu")
    add_official("khac@so.gov.vn", "analyst", "so-khac")
    for email in ("du.lieu@so.gov.vn", "khac@so.gov.vn"):
        assert main(["user", "allow-personal-data", email, "--db", database_url]) == 0
    api_token("do-luong", "so-thu")
    client = make_client(forms_dir)
    for answers in ({"hai_long": "5", "dien_thoai": "0912345678", "dan_toc": "tay",
                     "consent": "yes"}, {"hai_long": "3"}):
        client.cookies.clear()
        citizen = Citizen(client)
        citizen.open("/f/lien-he")
        assert citizen.post("/f/lien-he", answers).status_code == 303, errors(citizen.page)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["privacy", "report", *args, "--db", database_url,
                     "--forms", str(forms_dir)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_report_lists_each_form_that_collects_personal_data(report) -> None:
    code, out, _err = report("--format", "json")
    assert code == 0
    (form,) = json.loads(out)["forms"]  # not "gon", which collects none
    assert (form["form"], form["controller"], form["retention_days"]) == (
        "lien-he", "Sở Thu", 30)
    assert form["purpose"] == {"vi": "Liên hệ lại về hồ sơ.",
                               "en": "To contact you about your application."}
    assert form["fields"] == [
        {"column": "dien_thoai", "question": "Điện thoại", "category": "basic"},
        {"column": "dan_toc", "question": "Dân tộc", "category": "sensitive"}]


def test_the_report_counts_what_is_held(report) -> None:
    held = json.loads(report("--format", "json")[1])["forms"][0]["held"]
    assert held == {"responses_with_personal_data": 1,
                    "answers_per_field": {"dien_thoai": 1, "dan_toc": 1},
                    "consents_given": 1, "consents_declined": 1, "responses_erased": 0}


def test_the_report_says_who_sees_personal_data_and_who_receives_data(report) -> None:
    form = json.loads(report("--format", "json")[1])["forms"][0]
    # Only accounts allowed personal data that see the form's agency.
    assert form["access"] == [{"account": "du.lieu@so.gov.vn", "role": "analyst"}]
    assert form["recipients"] == [
        "API token 'do-luong': aggregate indicators only",
        "The public (open data): aggregate indicators of completed periods only"]


def test_the_markdown_report_names_the_operators_duties(report) -> None:
    code, out, _err = report()
    assert code == 0 and out.startswith("# Record of processing of personal data\n")
    assert "| `dan_toc` | Dân tộc | sensitive |" in out
    assert "Encryption at rest of the database and its backups is the operator's" in out
    assert "Breach notification within 72 hours" in out


def test_one_form_only_and_an_unknown_form(report) -> None:
    assert "No form collects personal data." in report("--form", "gon")[1]
    code, _out, err = report("--form", "khong-co")
    assert code == 1 and "no form 'khong-co' is served" in err
