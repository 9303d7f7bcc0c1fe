"""Submissions that look automated (a filled-in honeypot, or sent faster than the form's
``min_seconds``) are thanked like any other, then kept apart: no count includes them,
and officials can still download them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
import time

import pytest
from conftest import Citizen, sign_in
from starlette.testclient import TestClient
from tortoise.exceptions import OperationalError

from vnform import store
from vnform.views import citizen as citizen_views

QUICK = "/f/nhanh"
OTHER_NO_LIMIT = """
id: khong-gioi-han
title: {vi: Không giới hạn, en: No limit}
agency: so-tttt-ha-noi
rate_limit: 0
questions:
  - {id: danh_gia, type: rating, label: {vi: Đánh giá, en: Rating}, required: true}
"""
FORM = """
id: nhanh
title: {vi: Góp ý nhanh, en: Quick feedback}
agency: so-tttt-ha-noi
languages: [vi, en]
questions:
  - {id: danh_gia, type: rating, label: {vi: Đánh giá, en: Rating}, required: true}
  - {id: y_kien, type: textarea, label: {vi: Ý kiến, en: Comment}, personal_data: none}
"""
TWO_PAGES = """
id: hai-trang
title: {vi: Hai trang, en: Two pages}
agency: so-tttt-ha-noi
languages: [vi, en]
pages:
  - id: mot
    questions:
      - {id: ten, type: text, label: {vi: Tên, en: Name}}
  - id: hai
    questions:
      - {id: danh_gia, type: rating, label: {vi: Đánh giá, en: Rating}, required: true}
"""


@pytest.fixture
def serve(write_form, forms_dir, make_client, add_official):
    add_official("admin@so.gov.vn")

    def start(extra: str = "") -> TestClient:
        write_form(FORM + extra)
        write_form(TWO_PAGES)
        return make_client(forms_dir)

    return start


def send(client: TestClient, answers: dict[str, str], url: str = QUICK) -> Citizen:
    citizen = Citizen(client)
    citizen.open(url + "?lang=en")
    response = citizen.post(url, answers)
    assert response.status_code == 303, response.text[:300]
    assert response.headers["location"].endswith("/thanks")
    return citizen


async def locked(*args, **kwargs):
    """What the database answers while another writer holds it."""
    raise OperationalError(sqlite3.OperationalError("database is locked"))


def counts(rows) -> tuple[int, int]:
    """(responses stored, submissions kept apart)."""
    return (rows("select count(*) from response")[0][0],
            rows("select count(*) from flagged_submission")[0][0])


def test_the_form_carries_a_honeypot_people_never_see(serve) -> None:
    page = serve().get(QUICK)
    assert 'class="hp" aria-hidden="true"' in page.text
    assert 'name="_website"' in page.text and 'tabindex="-1"' in page.text


def test_a_filled_in_honeypot_is_thanked_and_kept_apart(serve, rows) -> None:
    send(serve(), {"danh_gia": "5", "_website": "http://spam.example"})
    assert counts(rows) == (0, 1)
    assert rows("select reason, answers from flagged_submission") == [
        ("honeypot", '{"danh_gia":["5"]}')]


def test_an_empty_honeypot_is_a_normal_response(serve, rows) -> None:
    send(serve(), {"danh_gia": "5", "_website": ""})
    assert counts(rows) == (1, 0)


def test_sending_a_kept_apart_submission_again_is_thanked_once_more(serve, rows) -> None:
    citizen = send(serve(), {"danh_gia": "4", "_website": "x"})
    again = citizen.post(QUICK, {"danh_gia": "4", "_website": "x"})
    assert again.status_code == 303 and again.headers["location"].endswith("/thanks")
    assert counts(rows) == (0, 1)


def test_a_honeypot_filled_on_an_earlier_page_flags_the_whole_submission(serve, rows) -> None:
    citizen = Citizen(serve())
    citizen.open("/f/hai-trang?lang=en")
    citizen.follow(citizen.post("/f/hai-trang", {"ten": "Bot", "_website": "x"}))
    done = citizen.post("/f/hai-trang/p/hai", {"danh_gia": "3"})
    assert done.headers["location"].endswith("/thanks")
    assert counts(rows) == (0, 1)


def test_a_submission_faster_than_min_seconds_is_kept_apart(serve, rows) -> None:
    send(serve("min_seconds: 30\n"), {"danh_gia": "5"})
    assert counts(rows) == (0, 1)
    assert rows("select reason from flagged_submission") == [("too_fast",)]


def test_a_submission_after_min_seconds_is_stored(serve, rows, monkeypatch) -> None:
    client = serve("min_seconds: 30\n")
    citizen = Citizen(client)
    citizen.open(QUICK + "?lang=en")
    later = time.time() + 31
    monkeypatch.setattr(citizen_views.time, "time", lambda: later)
    assert citizen.post(QUICK, {"danh_gia": "5"}).status_code == 303
    assert counts(rows) == (1, 0)


def test_without_min_seconds_speed_is_not_judged(serve, rows) -> None:
    send(serve(), {"danh_gia": "5"})
    assert counts(rows) == (1, 0)


def test_min_seconds_must_be_a_positive_whole_number() -> None:
    from vnform.forms.loader import load_text

    text = FORM.lstrip("\n") + "min_seconds: 0\n"
    line = text.count("\n")
    problems = [str(p) for p in load_text(text).problems]
    assert problems == [f"<form>:{line}:14: input should be greater than or equal to 1 (got 0)"]


def test_the_results_leave_them_out_and_say_how_many_there_are(serve, rows) -> None:
    client = serve()
    send(client, {"danh_gia": "5", "_website": "x"})
    send(client, {"danh_gia": "1"})
    client.cookies.clear()
    assert sign_in(client, "admin@so.gov.vn").status_code == 303
    page = client.get("/admin/forms/nhanh?lang=en")
    assert '<p class="big-number">1</p>' in page.text
    assert "1 submission looked automated" in page.text
    default = list(csv.DictReader(io.StringIO(
        client.get("/admin/forms/nhanh/export.csv").text)))
    assert [row["danh_gia"] for row in default] == ["1"]
    flagged = client.get("/admin/forms/nhanh/export.csv?flagged=1&excel=1")
    assert "-flagged.csv" in flagged.headers["content-disposition"]
    kept = list(csv.DictReader(io.StringIO(flagged.content.decode("utf-8-sig"))))
    assert [row["danh_gia"] for row in kept] == ["5"]
    assert rows("select action, details from audit_event where action = 'export'"
                " order by id")[-1][1].count('"flagged":true') == 1


# --- the per-address rate limit -------------------------------------------------------------

def test_the_submission_over_the_limit_is_a_429_keeping_the_answers(serve, rows) -> None:
    client = serve("rate_limit: 2\n")
    send(client, {"danh_gia": "5"})
    send(client, {"danh_gia": "4"})
    citizen = Citizen(client)
    citizen.open(QUICK + "?lang=en")
    refused = citizen.post(QUICK, {"danh_gia": "3", "y_kien": "Lần thứ ba"})
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "sent from your connection many times in the last minute" in refused.text
    assert "Lần thứ ba" in refused.text
    assert counts(rows) == (2, 0)


def test_the_limit_counts_the_last_minute_only(serve, rows, database) -> None:
    client = serve("rate_limit: 1\n")
    send(client, {"danh_gia": "5"})
    database.execute("update submission_mark set at = ?",
                     database.moment(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61)))
    send(client, {"danh_gia": "4"})
    assert counts(rows) == (2, 0)


def test_the_limit_is_per_form(serve, rows) -> None:
    client = serve("rate_limit: 1\n")
    send(client, {"danh_gia": "5"})
    citizen = Citizen(client)
    citizen.open("/f/hai-trang?lang=en")  # the deployment's default limit, 10
    citizen.follow(citizen.post("/f/hai-trang", {"ten": "An"}))
    assert citizen.post("/f/hai-trang/p/hai", {"danh_gia": "3"}).status_code == 303
    assert counts(rows) == (2, 0)


def test_zero_turns_the_limit_off(serve, rows) -> None:
    client = serve("rate_limit: 0\n")
    for rating in "12345123451":
        send(client, {"danh_gia": rating})
    assert counts(rows) == (11, 0)


def test_the_deployment_default_is_ten_a_minute(serve, rows) -> None:
    client = serve()
    for rating in "1234512345":
        send(client, {"danh_gia": rating})
    citizen = Citizen(client)
    citizen.open(QUICK)
    assert citizen.post(QUICK, {"danh_gia": "1"}).status_code == 429
    assert counts(rows) == (10, 0)


def test_the_rate_limit_stores_no_address(serve, rows) -> None:
    send(serve(), {"danh_gia": "5"})
    ((key,),) = rows("select key from submission_mark")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert "testclient" not in key


def test_a_review_page_over_the_limit_is_a_429_and_keeps_the_draft(
        write_form, forms_dir, make_client, rows) -> None:
    write_form(TWO_PAGES + "review: true\nrate_limit: 1\n")
    client = make_client(forms_dir)
    for name in ("An", "Bình"):
        citizen = Citizen(client)
        citizen.open("/f/hai-trang?lang=en")
        citizen.follow(citizen.post("/f/hai-trang", {"ten": name}))
        citizen.follow(citizen.post("/f/hai-trang/p/hai", {"danh_gia": "3"}))
        sent = citizen.post("/f/hai-trang/review")
    assert sent.status_code == 429 and sent.headers["retry-after"] == "60"
    assert counts(rows) == (1, 0)
    assert rows("select count(*) from draft") == [(1,)]


def test_a_honeypot_mark_survives_an_old_cookie_sent_again(serve, rows) -> None:
    """The mark lives on the server: replaying the cookie from before it changes nothing."""
    client = serve()
    citizen = Citizen(client)
    citizen.open("/f/hai-trang?lang=en")
    before = dict(client.cookies)
    citizen.follow(citizen.post("/f/hai-trang", {"ten": "Bot", "_website": "x"}))
    client.cookies.clear()
    for name, value in before.items():
        client.cookies.set(name, value)
    citizen.post("/f/hai-trang/p/hai", {"danh_gia": "3"})
    assert counts(rows) == (0, 1)


def test_a_kept_apart_submission_sent_again_in_the_same_visit_is_thanked(
        serve, rows) -> None:
    """The thank-you redirect got lost: the session still holds the token."""
    client = serve()
    citizen = Citizen(client)
    citizen.open(QUICK + "?lang=en")
    before = dict(client.cookies)
    citizen.post(QUICK, {"danh_gia": "4", "_website": "x"})
    for name, value in before.items():
        client.cookies.set(name, value)
    again = citizen.post(QUICK, {"danh_gia": "4", "_website": "x"})
    assert again.status_code == 303 and again.headers["location"].endswith("/thanks")
    assert counts(rows) == (0, 1)
    assert rows("select count(*) from submission_mark") == [(1,)]


def test_a_visit_that_tripped_the_honeypot_but_never_sent_is_not_counted(
        serve, rows) -> None:
    client = serve()
    citizen = Citizen(client)
    citizen.open("/f/hai-trang?lang=en")
    citizen.post("/f/hai-trang", {"ten": "Bot", "_website": "x"})
    assert rows("select count(*) from flagged_submission") == [(1,)]
    client.cookies.clear()
    assert sign_in(client, "admin@so.gov.vn").status_code == 303
    assert "looked automated" not in client.get("/admin/forms/hai-trang?lang=en").text


def test_submissions_sent_at_once_cannot_all_slip_under_the_limit(
        write_form, forms_dir, settings_for, rows) -> None:
    """The mark is written before counting, so parallel posts see each other."""
    import asyncio

    from vnform.forms.registry import Registry

    write_form(FORM)
    key, limit = "k" * 64, 3

    async def race() -> list[int | None]:
        async with store.opened(settings_for(forms_dir).database_url):
            return list(await asyncio.gather(*(
                store.claim_submission(key, limit, dt.timedelta(minutes=1))
                for _ in range(10))))

    assert Registry.load(forms_dir).forms["nhanh"]
    claimed = asyncio.run(race())
    assert sum(mark is not None for mark in claimed) <= limit
    assert rows("select count(*) from submission_mark") == [(sum(
        mark is not None for mark in claimed),)]


def test_a_submission_that_is_not_stored_gives_its_claim_back(serve, rows) -> None:
    client = serve("max_responses: 1\nrate_limit: 5\n")
    first, second = Citizen(client), Citizen(client)
    first.open(QUICK)
    second.open(QUICK)
    assert first.post(QUICK, {"danh_gia": "5"}).status_code == 303
    assert second.post(QUICK, {"danh_gia": "4"}).status_code == 403  # the form is full
    assert rows("select count(*) from submission_mark") == [(1,)]


def test_a_form_without_a_limit_never_gives_back_another_forms_claim(
        write_form, forms_dir, make_client, rows, monkeypatch) -> None:
    write_form(FORM)  # the deployment's limit: each submission leaves a mark
    write_form(OTHER_NO_LIMIT)
    client = make_client(forms_dir)
    send(client, {"danh_gia": "5"})

    monkeypatch.setattr(store, "submit", locked)
    citizen = Citizen(client)
    citizen.open("/f/khong-gioi-han")
    assert citizen.post("/f/khong-gioi-han", {"danh_gia": "3"}).status_code == 503
    assert rows("select count(*) from submission_mark") == [(1,)]


def test_a_failed_submission_gives_its_own_claim_back(
        write_form, forms_dir, make_client, rows, monkeypatch) -> None:
    write_form(FORM)
    client = make_client(forms_dir)

    monkeypatch.setattr(store, "submit", locked)
    citizen = Citizen(client)
    citizen.open(QUICK)
    assert citizen.post(QUICK, {"danh_gia": "3"}).status_code == 503
    assert rows("select count(*) from submission_mark") == [(0,)]


def test_a_submission_and_its_mark_are_stored_in_one_transaction(serve, rows) -> None:
    """The mark is written with the response, at the same moment: no commit of its own."""
    client = serve("rate_limit: 5\n")
    send(client, {"danh_gia": "5"})
    ((response_at,),) = rows("select submitted_at from response")
    assert rows("select at from submission_mark") == [(response_at,)]


def test_the_submission_over_the_limit_stores_neither_answers_nor_mark(serve, rows) -> None:
    client = serve("rate_limit: 2\n")
    for rating in ("5", "4"):
        send(client, {"danh_gia": rating})
    citizen = Citizen(client)
    citizen.open(QUICK)
    refused = citizen.post(QUICK, {"danh_gia": "3"})
    assert refused.status_code == 429
    assert rows("select count(*) from response") == [(2,)]
    assert rows("select count(*) from submission_mark") == [(2,)]
