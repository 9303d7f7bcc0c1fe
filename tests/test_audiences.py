"""Closed audiences: invitation-only forms, and one answer per device."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Citizen
from starlette.testclient import TestClient

from vnform.cli import main

BASE = "http://127.0.0.1:8000"
INVITED = """
id: moi
title: {vi: Khảo sát theo lời mời, en: Survey by invitation}
agency: so-thu
invitation_only: true
languages: [vi, en]
questions:
  - {id: danh_gia, type: rating, label: {vi: Đánh giá, en: Rating}, required: true}
"""
ONCE = """
id: mot-lan
title: {vi: Mỗi máy một lần, en: Once per device}
agency: so-thu
one_response_per: device
languages: [vi, en]
questions:
  - {id: danh_gia, type: rating, label: {vi: Đánh giá, en: Rating}, required: true}
"""
OTHER = """
id: khac
title: {vi: Khảo sát khác, en: Another survey}
agency: so-thu
languages: [vi, en]
questions:
  - {id: danh_gia, type: rating, label: {vi: Đánh giá, en: Rating}, required: true}
"""


@pytest.fixture
def forms(write_form, forms_dir: Path, settings_for, monkeypatch) -> Path:
    for text in (INVITED, ONCE, OTHER):
        write_form(text)
    monkeypatch.setenv("VNFORM_SECRET_KEY", settings_for().secret_key)
    monkeypatch.delenv("VNFORM_PUBLIC_URL", raising=False)
    return forms_dir


@pytest.fixture
def invite(forms: Path, database_url: str, capsys) -> Callable[[str], str]:
    """A single-use link to the invitation-only form, for *case* (before the app starts)."""
    def make(case: str) -> str:
        capsys.readouterr()
        assert main(["invite", "moi", "--case", case, "--db", database_url,
                     "--forms", str(forms)]) == 0
        return capsys.readouterr().out.split("\t")[1].strip().removeprefix(BASE)
    return make


def answer(citizen: Citizen, url: str, rating: str = "4"):
    return citizen.post(url, {"danh_gia": rating})


# --- invitation only --------------------------------------------------------------------------

def test_an_invitation_only_form_refuses_a_visit_without_its_link(forms, make_client) -> None:
    page = make_client(forms).get("/f/moi?lang=en")
    assert page.status_code == 403
    assert "This survey is by invitation" in page.text
    assert 'name="danh_gia"' not in page.text


def test_an_invitation_only_form_is_not_listed(forms, make_client) -> None:
    home = make_client(forms).get("/?lang=en")
    assert "/f/khac" in home.text and "/f/moi" not in home.text


def test_a_post_without_an_invitation_stores_nothing(forms, make_client, rows) -> None:
    client = make_client(forms)
    other = Citizen(client)
    other.open("/f/khac")  # a session, a CSRF token and a form token of another form
    refused = client.post("/f/moi", data={"csrf_token": other.hidden["csrf_token"],
                                          "_token": other.hidden["_token"], "danh_gia": "5"})
    assert refused.status_code == 403
    assert rows("select count(*) from response where form_id = 'moi'") == [(0,)]


def test_the_invitation_link_opens_the_form_and_stores_the_answer(
        forms, invite, make_client, rows) -> None:
    link = invite("HS-001")
    citizen = Citizen(make_client(forms))
    page = citizen.open(link)
    assert page.status_code == 200 and 'name="danh_gia"' in page.text
    assert citizen.follow(answer(citizen, "/f/moi")).status_code == 200
    assert rows("select case_code from response where form_id = 'moi'") == [("HS-001",)]


def test_the_invitation_speaks_vietnamese_to_a_visit_without_it(forms, make_client) -> None:
    page = make_client(forms).get("/f/moi?lang=vi")
    assert "Khảo sát này chỉ dành cho người được mời" in page.text


# --- one response per device --------------------------------------------------------------------

@pytest.fixture
def client(forms, make_client) -> TestClient:
    return make_client(forms)


def test_after_answering_the_device_is_told_it_has_answered(client: TestClient, rows) -> None:
    citizen = Citizen(client)
    citizen.open("/f/mot-lan?lang=en")
    done = answer(citizen, "/f/mot-lan")
    assert done.status_code == 303
    cookie = done.headers["set-cookie"]
    # A keyed hash of the form: the cookie does not say which survey was answered.
    assert re.search(r"vnform_answered=[0-9a-f]{20};", cookie) and "mot-lan" not in cookie
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    again = citizen.open("/f/mot-lan?lang=en")
    assert "You have already answered this survey" in again.text
    assert 'name="danh_gia"' not in again.text


def test_a_second_answer_from_the_device_is_refused(client: TestClient, rows) -> None:
    first = Citizen(client)
    first.open("/f/mot-lan")
    answer(first, "/f/mot-lan")
    client.cookies.delete("vnform_session")  # a new visit, the device's cookie kept
    second = Citizen(client)
    second.open("/f/khac")  # a new session's tokens
    second.open("/f/mot-lan")
    # The form is not shown, so there is no form token to send: a crafted post is stale.
    refused = client.post("/f/mot-lan", data={
        "csrf_token": second.hidden["csrf_token"], "_token": "x" * 32, "danh_gia": "1"})
    assert refused.status_code == 403
    assert rows("select count(*) from response where form_id = 'mot-lan'") == [(1,)]


def test_sending_the_same_answer_again_still_shows_thanks(client: TestClient) -> None:
    citizen = Citizen(client)
    citizen.open("/f/mot-lan")
    answer(citizen, "/f/mot-lan")
    again = answer(citizen, "/f/mot-lan")  # a double click
    assert again.status_code == 303 and again.headers["location"].endswith("/thanks")


def test_other_forms_and_other_devices_are_not_affected(client: TestClient, rows) -> None:
    citizen = Citizen(client)
    citizen.open("/f/mot-lan")
    answer(citizen, "/f/mot-lan")
    other = Citizen(client)
    other.open("/f/khac")
    assert answer(other, "/f/khac").status_code == 303
    client.cookies.clear()  # another browser
    fresh = Citizen(client)
    fresh.open("/f/mot-lan")
    assert answer(fresh, "/f/mot-lan").status_code == 303
    assert rows("select count(*) from response") == [(3,)]


def test_a_second_invitation_on_an_answered_device_is_welcome(
        write_form, forms, invite, make_client, rows) -> None:
    """Invited and once per device: a new case on the same phone is a new answer."""
    write_form(INVITED.replace("invitation_only: true",
                               "invitation_only: true\none_response_per: device"),
               name="moi.yaml")
    first, second = invite("HS-1"), invite("HS-2")
    client = make_client(forms)
    for link in (first, second):
        citizen = Citizen(client)
        assert 'name="danh_gia"' in citizen.open(link).text
        assert answer(citizen, "/f/moi").status_code == 303
    assert rows("select case_code from response order by id") == [("HS-1",), ("HS-2",)]


def test_a_device_marked_by_an_older_version_is_still_told_it_has_answered(
        client: TestClient) -> None:
    client.cookies.set("vnform_answered", "mot-lan")  # a form id, as once written
    page = Citizen(client).open("/f/mot-lan?lang=en")
    assert "You have already answered this survey" in page.text
