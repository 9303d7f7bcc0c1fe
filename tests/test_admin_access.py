"""Officials' access control: sign-in, sessions, throttling, least privilege, audit, CLI.

Everything goes through real HTTP (or the real command line) against a real SQLite
file; the database is only read or changed directly to stand in for the clock or for
another worker process.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import PASSWORD, Citizen, csrf_of, sign_in
from starlette.testclient import TestClient

from vnform.cli import main

ADMIN = "admin@so.gov.vn"
ANALYST = "phan.tich@badinh.gov.vn"  # analyst of ubnd-phuong-ba-dinh (gop-y-nhanh only)
WRONG = "Mật khẩu sai hoàn toàn 42 lần"
BAD_CREDENTIALS = "Địa chỉ thư điện tử hoặc mật khẩu không đúng"
NOT_FOUND = "Không tìm thấy trang"
TOO_MANY = "Quá nhiều yêu cầu"
COOKIE = "vnform_session"

SURVEY = "/f/dvc-hai-long"
ADMIN_URLS = [
    "/admin",
    "/admin/audit",
    "/admin/forms/dvc-hai-long",
    "/admin/forms/dvc-hai-long/responses",
    "/admin/forms/dvc-hai-long/responses/1",
    "/admin/forms/dvc-hai-long/texts/gop_y",
    "/admin/forms/dvc-hai-long/export.csv",
    "/admin/forms/dvc-hai-long/export.xlsx",
    "/admin/forms/dvc-hai-long/export.jsonl",
    "/admin/forms/dvc-hai-long/dictionary.csv",
]
#: Every per-form page of dvc-hai-long (agency so-tttt-ha-noi); {rid} is a real response.
FORM_URLS = [
    "/admin/forms/dvc-hai-long",
    "/admin/forms/dvc-hai-long/responses",
    "/admin/forms/dvc-hai-long/responses/{rid}",
    "/admin/forms/dvc-hai-long/texts/gop_y",
    "/admin/forms/dvc-hai-long/export.csv",
    "/admin/forms/dvc-hai-long/export.xlsx",
    "/admin/forms/dvc-hai-long/export.jsonl",
    "/admin/forms/dvc-hai-long/dictionary.csv",
]


# --- helpers ----------------------------------------------------------------------------


def login_redirect(target: str) -> str:
    return "/admin/login?" + urlencode({"next": target})


def redirects_to_login(client: TestClient, url: str = "/admin") -> bool:
    response = client.get(url, follow_redirects=False)
    return response.status_code == 303 and response.headers["location"] == login_redirect(url)


def page_token(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, text
    return match.group(1)


def stop(client: TestClient) -> None:
    """Stop a running app (its lifespan ends, the ORM closes), as an operator stops a
    server before running a command: the ORM holds one open database per process."""
    client.__exit__(None, None, None)


def reuse_cookie(client: TestClient, value: str) -> None:
    """Put a (saved, possibly stolen) session cookie into *client*'s jar."""
    client.cookies.clear()
    client.cookies.set(COOKIE, value, domain="testserver.local")


def ago(**delta: float) -> str:
    """A UTC time in the past, written as the tables store times."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(**delta)).isoformat(sep=" ")


def submit_survey(client: TestClient) -> None:
    """A citizen completes the three pages of dvc-hai-long."""
    citizen = Citizen(client)
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, {"kenh": "online", "lan_nop": "1",
                                         "dung_han": "yes"}))
    citizen.follow(citizen.post(SURVEY + "/p/trai-nghiem", {"hai_long": "5", "de_dang": "4"}))
    done = citizen.post(SURVEY + "/p/y-kien", {"gioi_thieu": "10", "gop_y": "Rất nhanh"})
    assert done.headers["location"] == SURVEY + "/thanks"


def submit_quick(client: TestClient, lang: str = "vi") -> None:
    """A citizen sends the one-page gop-y-nhanh form in *lang*."""
    citizen = Citizen(client)
    citizen.open(f"/f/gop-y-nhanh?lang={lang}")
    done = citizen.post("/f/gop-y-nhanh", {"danh_gia": "4", "gop_y": "Tốt"})
    assert done.headers["location"] == "/f/gop-y-nhanh/thanks"


def audit_rows(rows: Callable[..., list[tuple[Any, ...]]],
               action: str) -> list[tuple[Any, ...]]:
    """(actor, form_id, details, address) of each audit event of *action*, oldest first."""
    return [(actor, form_id, json.loads(details), address) for actor, form_id, details, address
            in rows("select actor, form_id, details, address from audit_event "
                    "where action = ? order by id", action)]


def audit_table(page_text: str) -> list[tuple[str, str]]:
    """(who, event) of each row of the audit page, top to bottom."""
    return [(html.unescape(who), html.unescape(event)) for who, event in re.findall(
        r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>", page_text)]


@pytest.fixture
def cli(database_url, monkeypatch, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run ``vnform <args> --db <the test database>``; returns (exit code, stdout, stderr)."""

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main([*args, "--db", database_url])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def survey_response(add_official, make_client, rows) -> Callable[[str], tuple[TestClient, int]]:
    """Start the app with an admin and an analyst of ubnd-phuong-ba-dinh, store one
    dvc-hai-long response, and sign in as *email*; returns (client, response id)."""

    def start(email: str) -> tuple[TestClient, int]:
        add_official(ADMIN)
        add_official(ANALYST, "analyst", "ubnd-phuong-ba-dinh")
        client = make_client()
        submit_survey(client)
        ((rid,),) = rows("select id from response where form_id = 'dvc-hai-long'")
        assert sign_in(client, email).status_code == 303
        return client, rid

    return start


# --- the sign-in page --------------------------------------------------------------------


def test_sign_in_page_has_email_and_password_fields_with_autocomplete(client) -> None:
    page = client.get("/admin/login")
    assert page.status_code == 200
    assert re.search(r'<input[^>]*name="email"[^>]*autocomplete="username"', page.text)
    assert re.search(r'<input[^>]*name="password"[^>]*type="password"'
                     r'[^>]*autocomplete="current-password"', page.text)


def test_sign_in_page_carries_a_csrf_token_in_a_hidden_field(client) -> None:
    page = client.get("/admin/login")
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]{20,}">', page.text)


def test_right_password_redirects_to_the_next_page(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    response = sign_in(client, ADMIN, next_url="/admin/forms/gop-y-nhanh")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/forms/gop-y-nhanh"
    assert client.get("/admin/forms/gop-y-nhanh").status_code == 200


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example",
                                      "/f/gop-y-nhanh"])
def test_next_outside_the_admin_area_is_ignored(add_official, make_client,
                                                next_url: str) -> None:
    add_official(ADMIN)
    client = make_client()
    response = sign_in(client, ADMIN, next_url=next_url)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"


def test_email_is_not_case_sensitive_at_sign_in(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    response = sign_in(client, "  Admin@SO.Gov.VN ")
    assert response.status_code == 303
    assert client.get("/admin").status_code == 200


def test_wrong_password_is_refused_with_a_generic_message(add_official, make_client,
                                                          rows) -> None:
    add_official(ADMIN)
    client = make_client()
    response = sign_in(client, ADMIN, password=WRONG)
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.text
    assert rows("select count(*) from user_session") == [(0,)]
    assert redirects_to_login(client)


def test_the_typed_password_is_never_echoed_back(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    response = sign_in(client, ADMIN, password=WRONG)
    assert response.status_code == 401
    assert WRONG not in response.text
    assert 'value="admin@so.gov.vn"' in response.text  # the address is kept for retyping


def test_an_overlong_password_is_refused_like_a_wrong_one(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    response = sign_in(client, ADMIN, password=PASSWORD + "x" * 2000)
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.text


def test_sign_in_brings_the_official_back_to_the_page_asked_for(add_official,
                                                                make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    page = client.get("/admin/forms/gop-y-nhanh/responses?page=1")  # follows to sign-in
    assert page.url.path == "/admin/login"
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page.text)[1])
    response = client.post(action, follow_redirects=False, data={
        "csrf_token": page_token(page.text), "email": ADMIN, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/forms/gop-y-nhanh/responses?page=1"


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(add_official, make_client,
                                                                rows) -> None:
    add_official(ADMIN)
    client = make_client()
    wrong = sign_in(client, ADMIN, password=WRONG)
    unknown = sign_in(client, "khong.co@so.gov.vn", password=WRONG)
    assert unknown.status_code == wrong.status_code == 401
    assert BAD_CREDENTIALS in unknown.text
    # Byte for byte the same page once the typed address (and the script nonce, new
    # with every request) is set aside.
    def same(text: str, email: str) -> str:
        return re.sub(r'nonce="[^"]+"', "", text.replace(email, "EMAIL"))

    assert same(unknown.text, "khong.co@so.gov.vn") == same(wrong.text, ADMIN)


def test_disabled_account_gets_the_same_answer_as_a_wrong_password(add_official, make_client,
                                                                   cli, rows) -> None:
    add_official(ADMIN)
    assert cli("user", "disable", ADMIN)[0] == 0
    client = make_client()
    response = sign_in(client, ADMIN)  # the right password
    assert response.status_code == 401
    assert BAD_CREDENTIALS in response.text
    assert rows("select count(*) from user_session") == [(0,)]


@pytest.mark.parametrize("token", [None, "", "not-the-session-token"])
def test_sign_in_without_the_right_csrf_token_is_refused(add_official, make_client, rows,
                                                         token: str | None) -> None:
    add_official(ADMIN)
    client = make_client()
    client.get("/admin/login")
    data = {"email": ADMIN, "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/admin/login", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert rows("select count(*) from user_session") == [(0,)]
    assert redirects_to_login(client)


# --- pages for officials only ----------------------------------------------------------


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_admin_pages_send_visitors_without_a_session_to_sign_in(client, url: str) -> None:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == login_redirect(url)


def test_sign_in_redirect_keeps_the_query_string(client) -> None:
    url = "/admin/forms/dvc-hai-long/export.csv?since=2026-01-01&language=vi"
    response = client.get(url, follow_redirects=False)
    assert response.headers["location"] == login_redirect(url)


# --- sessions ---------------------------------------------------------------------------


def test_session_cookie_is_http_only_and_same_site_lax(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    cookie = sign_in(client, ADMIN).headers["set-cookie"].lower()
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain HTTP unless the deployment says otherwise


def test_session_cookie_is_secure_when_served_over_https(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client(https=True)
    page = client.get("https://testserver/admin/login")
    response = client.post("https://testserver/admin/login", follow_redirects=False, data={
        "csrf_token": page_token(page.text), "email": ADMIN, "password": PASSWORD})
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("https://testserver/admin").status_code == 200


def test_each_sign_in_starts_a_new_session_row(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    first = rows("select id from user_session")
    client.cookies.clear()  # a second browser
    sign_in(client, ADMIN)
    both = rows("select id from user_session")
    assert len(first) == 1 and len(both) == 2 and first[0] in both


def test_signing_in_again_in_the_same_browser_replaces_the_session(add_official, make_client,
                                                                    rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    first = rows("select id from user_session")
    sign_in(client, ADMIN)
    second = rows("select id from user_session")
    assert len(second) == 1 and second != first


def test_session_table_holds_a_digest_not_the_cookie_token(add_official, make_client,
                                                           rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    payload = client.cookies.get(COOKIE).split(".")[0]
    token = json.loads(base64.b64decode(payload))["official"]
    assert rows("select id from user_session") == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert not rows("select 1 from user_session where id = ?", token)


def test_session_cookie_changes_at_sign_in(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    client.get("/admin/login")
    before = client.cookies.get(COOKIE)
    assert before
    sign_in(client, ADMIN)
    assert client.cookies.get(COOKIE) != before


def test_csrf_token_from_before_sign_in_no_longer_works(add_official, make_client,
                                                        rows) -> None:
    add_official(ADMIN)
    client = make_client()
    old_token = page_token(client.get("/admin/login").text)
    sign_in(client, ADMIN)
    assert csrf_of(client) != old_token
    response = client.post("/admin/logout", data={"csrf_token": old_token},
                           follow_redirects=False)
    assert response.status_code == 403
    assert rows("select count(*) from user_session") == [(1,)]


def test_sign_out_by_get_is_not_allowed(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    assert client.get("/admin/logout", follow_redirects=False).status_code == 405
    assert client.get("/admin").status_code == 200


def test_sign_out_needs_the_csrf_token(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    response = client.post("/admin/logout", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert rows("select count(*) from user_session") == [(1,)]
    assert client.get("/admin").status_code == 200


def test_sign_out_deletes_the_session_row(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    response = client.post("/admin/logout", data={"csrf_token": csrf_of(client)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"
    assert rows("select count(*) from user_session") == [(0,)]
    assert redirects_to_login(client)


def test_a_copied_cookie_stops_working_after_sign_out(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    stolen = client.cookies.get(COOKIE)
    client.post("/admin/logout", data={"csrf_token": csrf_of(client)})
    reuse_cookie(client, stolen)
    assert redirects_to_login(client)


def test_session_ends_after_30_idle_minutes(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    (stored,) = rows("select last_seen_at from user_session")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00", stored[0])
    rows("update user_session set last_seen_at = ?", ago(minutes=31))
    assert redirects_to_login(client)
    assert rows("select count(*) from user_session") == [(0,)]


def test_session_survives_29_idle_minutes(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    rows("update user_session set last_seen_at = ?", ago(minutes=29))
    assert client.get("/admin", follow_redirects=False).status_code == 200


def test_activity_keeps_the_session_alive(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    rows("update user_session set last_seen_at = ?", ago(minutes=29))
    assert client.get("/admin").status_code == 200
    ((last_seen,),) = rows("select last_seen_at from user_session")
    assert last_seen > ago(minutes=1)


def test_session_ends_12_hours_after_sign_in_even_when_active(add_official, make_client,
                                                              rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    rows("update user_session set created_at = ?, last_seen_at = ?", ago(hours=13),
         ago(seconds=5))
    assert redirects_to_login(client)
    assert rows("select count(*) from user_session") == [(0,)]


def test_disabling_the_account_ends_its_session(add_official, make_client, cli) -> None:
    add_official(ADMIN)
    first = make_client()
    sign_in(first, ADMIN)
    cookie = first.cookies.get(COOKIE)
    stop(first)
    assert cli("user", "disable", ADMIN)[0] == 0
    second = make_client()
    reuse_cookie(second, cookie)
    assert redirects_to_login(second)


def test_a_disabled_account_is_refused_at_every_request(add_official, make_client,
                                                         rows) -> None:
    """Even if its session row survived (say, the flag was set by another tool)."""
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    rows("update app_user set disabled = true")
    assert rows("select count(*) from user_session") == [(1,)]
    assert redirects_to_login(client)


def test_changing_the_password_ends_the_sessions(add_official, make_client, cli,
                                                 rows) -> None:
    add_official(ADMIN)
    first = make_client()
    sign_in(first, ADMIN)
    cookie = first.cookies.get(COOKIE)
    stop(first)
    assert cli("user", "set-password", ADMIN, "--password-stdin",
               stdin="Mưa phùn tháng hai trên phố cổ\n")[0] == 0
    assert rows("select count(*) from user_session") == [(0,)]
    second = make_client()
    reuse_cookie(second, cookie)
    assert redirects_to_login(second)
    assert sign_in(second, ADMIN).status_code == 401
    assert sign_in(second, ADMIN, password="Mưa phùn tháng hai trên phố cổ").status_code == 303


# --- throttling -------------------------------------------------------------------------


def test_sixth_attempt_after_five_wrong_passwords_is_throttled(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    for _ in range(5):
        assert sign_in(client, ADMIN, password=WRONG).status_code == 401
    response = sign_in(client, ADMIN)  # even the right password
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 900
    assert redirects_to_login(client)


def test_throttled_sign_in_shows_the_translated_error_page(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    for _ in range(5):
        sign_in(client, ADMIN, password=WRONG)
    response = sign_in(client, ADMIN)
    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in response.text
    assert f"<h1>{TOO_MANY}</h1>" in response.text


def test_unknown_email_is_throttled_the_same_way(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    for _ in range(5):
        assert sign_in(client, "khong.co@so.gov.vn", password=WRONG).status_code == 401
    response = sign_in(client, "khong.co@so.gov.vn", password=WRONG)
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 900


def test_failures_from_one_address_across_emails_are_throttled(add_official,
                                                               make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    for n in range(5):
        assert sign_in(client, f"doan{n}@so.gov.vn", password=WRONG).status_code == 401
    response = sign_in(client, ADMIN)
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 900


def test_four_failures_do_not_throttle(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    for _ in range(4):
        sign_in(client, ADMIN, password=WRONG)
    assert sign_in(client, ADMIN).status_code == 303


def test_successful_sign_in_clears_the_accounts_failures(add_official, make_client,
                                                         rows) -> None:
    add_official(ADMIN)
    client = make_client()
    for _ in range(4):
        sign_in(client, ADMIN, password=WRONG)
    assert rows("select count(*) from login_failure where key = ?", f"email:{ADMIN}") == [(4,)]
    assert sign_in(client, ADMIN).status_code == 303
    assert rows("select count(*) from login_failure where key = ?", f"email:{ADMIN}") == [(0,)]


def test_failures_are_counted_per_email_and_per_address_in_the_database(
        add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, "Admin@So.gov.vn", password=WRONG)
    keys = sorted(key for (key,) in rows("select key from login_failure"))
    assert keys == [f"email:{ADMIN}", "ip:testclient"]


def test_failures_recorded_by_another_worker_throttle_this_one(add_official, make_client,
                                                               rows) -> None:
    add_official(ADMIN)
    client = make_client()
    client.get("/admin/login")
    for _ in range(5):  # as another worker process would have recorded them
        rows("insert into login_failure (key, at) values (?, ?)", f"email:{ADMIN}",
             ago(minutes=2))
    response = sign_in(client, ADMIN)
    assert response.status_code == 429
    # Until the oldest failure (2 minutes ago) leaves the 15-minute window.
    assert 13 * 60 - 10 <= int(response.headers["retry-after"]) <= 13 * 60


def test_failures_older_than_the_window_do_not_throttle(add_official, make_client,
                                                        rows) -> None:
    add_official(ADMIN)
    client = make_client()
    for _ in range(5):
        rows("insert into login_failure (key, at) values (?, ?)", f"email:{ADMIN}",
             ago(minutes=16))
    assert sign_in(client, ADMIN).status_code == 303


# --- least privilege --------------------------------------------------------------------


def test_analyst_sees_only_the_forms_of_their_agency(survey_response) -> None:
    client, _rid = survey_response(ANALYST)
    page = client.get("/admin")
    assert page.status_code == 200
    assert 'href="/admin/forms/gop-y-nhanh"' in page.text
    assert "dvc-hai-long" not in page.text and "tat-ca-loai-cau-hoi" not in page.text


@pytest.mark.parametrize("url", FORM_URLS)
def test_analyst_gets_not_found_on_another_agencys_form(survey_response, url: str) -> None:
    client, rid = survey_response(ANALYST)
    response = client.get(url.format(rid=rid), follow_redirects=False)
    assert response.status_code == 404


@pytest.mark.parametrize("url", FORM_URLS)
def test_admin_opens_every_page_of_every_form(survey_response, url: str) -> None:
    client, rid = survey_response(ADMIN)
    response = client.get(url.format(rid=rid), follow_redirects=False)
    assert response.status_code == 200


@pytest.mark.parametrize("url", [u.replace("dvc-hai-long", "gop-y-nhanh") for u in FORM_URLS
                                 if "{rid}" not in u])
def test_analyst_opens_the_pages_of_their_own_agencys_form(survey_response, url: str) -> None:
    client, _rid = survey_response(ANALYST)
    assert client.get(url, follow_redirects=False).status_code == 200


def test_analyst_not_found_page_is_the_normal_translated_page(survey_response) -> None:
    client, _rid = survey_response(ANALYST)
    hidden = client.get("/admin/forms/dvc-hai-long")
    missing = client.get("/admin/forms/khong-ton-tai")
    assert hidden.status_code == missing.status_code == 404
    assert '<html lang="vi">' in hidden.text
    assert f"<h1>{NOT_FOUND}</h1>" in hidden.text
    assert hidden.text.replace("dvc-hai-long", "X") == missing.text.replace("khong-ton-tai", "X")


def test_analyst_may_not_read_the_audit_log(survey_response) -> None:
    client, _rid = survey_response(ANALYST)
    response = client.get("/admin/audit", follow_redirects=False)
    assert response.status_code == 403
    assert "sign_in" not in response.text
    assert "Ông/Bà không có quyền xem trang này" in response.text


def test_a_response_cannot_be_opened_through_a_form_the_analyst_may_see(
        survey_response) -> None:
    client, rid = survey_response(ANALYST)
    response = client.get(f"/admin/forms/gop-y-nhanh/responses/{rid}", follow_redirects=False)
    assert response.status_code == 404
    assert "Rất nhanh" not in response.text


def test_a_response_is_shown_only_under_its_own_form_to_an_admin(survey_response) -> None:
    client, rid = survey_response(ADMIN)
    assert client.get(f"/admin/forms/gop-y-nhanh/responses/{rid}").status_code == 404
    assert client.get(f"/admin/forms/dvc-hai-long/responses/{rid}").status_code == 200


def test_refused_export_leaves_no_export_in_the_audit_log(survey_response, rows) -> None:
    client, _rid = survey_response(ANALYST)
    client.get("/admin/forms/dvc-hai-long/export.csv")
    assert audit_rows(rows, "export") == []


# --- audit trail ------------------------------------------------------------------------


def test_sign_in_is_audited_with_actor_and_address(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, "ADMIN@so.gov.vn")
    assert audit_rows(rows, "sign_in") == [(ADMIN, None, {}, "testclient")]


def test_failed_sign_in_is_audited(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN, password=WRONG)
    assert audit_rows(rows, "sign_in_failed") == [(ADMIN, None, {}, "testclient")]


def test_throttled_sign_in_is_audited(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    for _ in range(6):
        sign_in(client, ADMIN, password=WRONG)
    assert len(audit_rows(rows, "sign_in_failed")) == 5
    assert audit_rows(rows, "sign_in_throttled") == [(ADMIN, None, {}, "testclient")]


def test_sign_out_is_audited(add_official, make_client, rows) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    client.post("/admin/logout", data={"csrf_token": csrf_of(client)})
    assert audit_rows(rows, "sign_out") == [(ADMIN, None, {}, "testclient")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_export_is_audited_with_format_rows_and_filters(add_official, make_client, rows,
                                                        fmt: str) -> None:
    add_official(ADMIN)
    client = make_client()
    submit_quick(client, "vi")
    submit_quick(client, "vi")
    submit_quick(client, "en")
    sign_in(client, ADMIN)
    response = client.get(f"/admin/forms/gop-y-nhanh/export.{fmt}?since=2020-01-01&language=vi")
    assert response.status_code == 200
    assert audit_rows(rows, "export") == [(ADMIN, "gop-y-nhanh", {
        "format": fmt, "rows": 2, "complete": True, "since": "2020-01-01", "language": "vi",
    }, "testclient")]


def test_cli_account_changes_are_audited_with_a_cli_actor(add_official, cli, rows) -> None:
    add_official(ADMIN)
    assert cli("user", "disable", ADMIN)[0] == 0
    assert cli("user", "set-password", ADMIN, "--password-stdin",
               stdin="Mưa phùn tháng hai trên phố cổ\n")[0] == 0
    events = rows("select action, actor, details from audit_event order by id")
    assert [action for action, _actor, _details in events] == [
        "user_added", "user_disabled", "password_changed"]
    assert all(actor.startswith("cli") for _action, actor, _details in events)
    assert all(json.loads(details)["email"] == ADMIN for _action, _actor, details in events)


def test_audit_page_lists_events_newest_first(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, "khong.co@so.gov.vn", password=WRONG)
    sign_in(client, ADMIN)
    page = client.get("/admin/audit?lang=en")
    assert page.status_code == 200
    table = audit_table(page.text)
    assert [event for _who, event in table] == [  # sentences, not codes
        "Signed in", "Sign-in refused: wrong email or password", "Added an official's account"]
    assert table[0][0] == ADMIN and table[1][0] == "khong.co@so.gov.vn"
    assert table[2][0].startswith("cli")


def test_audit_page_filters_by_action(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, "khong.co@so.gov.vn", password=WRONG)
    sign_in(client, ADMIN)
    page = client.get("/admin/audit?action=sign_in_failed&lang=en")
    assert audit_table(page.text) == [
        ("khong.co@so.gov.vn", "Sign-in refused: wrong email or password")]
    assert '<option value="sign_in_failed" selected>' in page.text


def test_audit_page_shows_100_events_then_links_to_older_ones(add_official, make_client,
                                                              rows) -> None:
    add_official(ADMIN)  # event 1: user_added
    for n in range(119):  # events 2..120, as earlier sign-ins would have left them
        rows("insert into audit_event (at, actor, action, details, address) "
             "values (?, ?, 'sign_in_failed', '{}', 'testclient')", ago(hours=1),
             f"doan{n}@so.gov.vn")
    client = make_client()
    sign_in(client, ADMIN)  # event 121
    first = client.get("/admin/audit")
    table = audit_table(first.text)
    assert len(table) == 100
    assert table[0] == (ADMIN, "Đã đăng nhập") and table[-1][0] == "doan20@so.gov.vn"
    older = re.search(r'<a href="(\?before=[^"]+)">Các mục cũ hơn</a>', first.text)
    assert older, first.text
    second = client.get("/admin/audit" + html.unescape(older.group(1)))
    rest = audit_table(second.text)
    assert len(rest) == 21
    assert rest[0][0] == "doan19@so.gov.vn" and rest[-1][1] == "Đã thêm tài khoản cán bộ"


def test_audit_details_read_as_names_and_values(add_official, make_client, cli) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN)
    page = client.get("/admin/audit?lang=en")
    assert "agencies=" not in page.text and "role=admin" not in page.text
    assert "Role: Administrator" in page.text
    assert "Vai trò: Quản trị viên" in client.get("/admin/audit?lang=vi").text


def test_audit_page_escapes_what_visitors_typed(add_official, make_client) -> None:
    add_official(ADMIN)
    client = make_client()
    sign_in(client, "<script>alert(1)</script>@x.vn", password=WRONG)
    sign_in(client, ADMIN)
    page = client.get("/admin/audit")
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;@x.vn" in page.text


def test_no_password_is_ever_written_to_the_audit_log(add_official, make_client, cli,
                                                      rows) -> None:
    new_password = "Mưa phùn tháng hai trên phố cổ"
    add_official(ADMIN)
    client = make_client()
    sign_in(client, ADMIN, password=WRONG)
    sign_in(client, "khong.co@so.gov.vn", password=WRONG)
    sign_in(client, ADMIN)
    client.post("/admin/logout", data={"csrf_token": csrf_of(client)})
    stop(client)
    assert cli("user", "set-password", ADMIN, "--password-stdin", stdin=new_password + "\n")[0] == 0
    dump = "\n".join(repr(row) for row in rows("select * from audit_event"))
    assert len(rows("select * from audit_event")) == 6
    for secret in (PASSWORD, WRONG, new_password):
        assert secret not in dump
        assert json.dumps(secret)[1:-1] not in dump  # nor JSON-escaped
    ((password_hash,),) = rows("select password_hash from app_user")
    assert password_hash not in dump


# --- command line -----------------------------------------------------------------------


@pytest.mark.parametrize(("weak", "reason"), [("password123", "at least 12 characters"),
                                              ("password1234", "too easy to guess")])
def test_cli_refuses_a_weak_password(add_official, cli, rows, weak: str, reason: str) -> None:
    add_official(ADMIN)
    code, _out, err = cli("user", "add", "moi@so.gov.vn", "--role", "admin",
                          "--password-stdin", stdin=weak + "\n")
    assert code == 1
    assert err.startswith("vnform: ") and reason in err
    assert rows("select email from app_user") == [(ADMIN,)]


def test_cli_refuses_a_password_over_128_characters(add_official, cli, rows) -> None:
    add_official(ADMIN)
    long_password = "Cà phê sữa đá mỗi sáng bảy giờ " * 5  # 155 characters
    code, _out, err = cli("user", "add", "moi@so.gov.vn", "--role", "admin",
                          "--password-stdin", stdin=long_password + "\n")
    assert code == 1
    assert "at most 128" in err
    assert rows("select email from app_user") == [(ADMIN,)]


def test_cli_refuses_an_analyst_without_an_agency(add_official, cli, rows) -> None:
    add_official(ADMIN)
    code, _out, err = cli("user", "add", "moi@so.gov.vn", "--role", "analyst",
                          "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 2
    assert "--agency" in err
    assert rows("select email from app_user") == [(ADMIN,)]


def test_cli_refuses_a_duplicate_email_whatever_its_case(add_official, cli, rows) -> None:
    add_official(ADMIN)
    code, _out, err = cli("user", "add", "Admin@SO.gov.vn", "--role", "analyst",
                          "--agency", "so-tttt-ha-noi", "--password-stdin",
                          stdin=PASSWORD + "\n")
    assert code == 1
    assert "exists already" in err
    assert rows("select email, role from app_user") == [(ADMIN, "admin")]


def test_cli_stores_an_argon2id_hash_and_the_email_lowercased(cli, rows) -> None:
    code, _out, _err = cli("user", "add", "Nguyen.Van.A@SO.Gov.VN", "--role", "analyst",
                           "--agency", "ubnd-phuong-ba-dinh", "--password-stdin",
                           stdin=PASSWORD + "\n")
    assert code == 0
    ((email, password_hash, role, agencies, disabled),) = rows(
        "select email, password_hash, role, agencies, disabled from app_user")
    assert email == "nguyen.van.a@so.gov.vn"
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash
    assert (role, json.loads(agencies), disabled) == ("analyst", ["ubnd-phuong-ba-dinh"], 0)


def test_cli_lists_accounts_in_aligned_columns_under_a_header(add_official, cli) -> None:
    add_official(ADMIN)
    add_official(ANALYST, "analyst", "ubnd-phuong-ba-dinh", "so-tttt-ha-noi")
    assert cli("user", "disable", ANALYST)[0] == 0
    code, out, _err = cli("user", "list")
    assert code == 0
    assert out.splitlines() == [
        "EMAIL                    ROLE     AGENCIES                            PERSONAL_DATA"
        "  STATE",
        "admin@so.gov.vn          admin    all                                 masked       "
        "  active",
        "phan.tich@badinh.gov.vn  analyst  so-tttt-ha-noi,ubnd-phuong-ba-dinh  masked       "
        "  disabled",
    ]


def test_cli_list_splits_on_whitespace_into_its_columns(add_official, cli) -> None:
    add_official(ANALYST, "analyst", "ubnd-phuong-ba-dinh", "so-tttt-ha-noi")
    _code, out, _err = cli("user", "list")
    assert [line.split() for line in out.splitlines()] == [
        ["EMAIL", "ROLE", "AGENCIES", "PERSONAL_DATA", "STATE"],
        [ANALYST, "analyst", "so-tttt-ha-noi,ubnd-phuong-ba-dinh", "masked", "active"],
    ]


def test_cli_list_says_what_all_and_dash_mean_after_the_table(add_official, cli) -> None:
    add_official(ADMIN)
    _code, _out, err = cli("user", "list")
    assert err.splitlines() == [
        "vnform: 1 account(s); AGENCIES: whose forms the account sees (all: every agency, "
        "as an admin; -: none, so no form); PERSONAL_DATA: shown (or masked) to it"]


def test_an_account_without_agencies_is_listed_with_a_dash() -> None:
    from vnform.accounts import Official
    from vnform.cli.users import account_table

    assert account_table([Official(1, "a@so.gov.vn", "analyst")]) == [
        "EMAIL        ROLE     AGENCIES  PERSONAL_DATA  STATE",
        "a@so.gov.vn  analyst  -         masked         active",
    ]


def test_cli_list_of_no_account_says_how_to_create_the_first(cli, database_url) -> None:
    code, out, err = cli("user", "list")
    assert code == 0
    assert out.splitlines() == ["EMAIL  ROLE  AGENCIES  PERSONAL_DATA  STATE"]
    assert "vnform: no official account yet" in err
    assert f" user add you@agency.gov.vn --role admin --db {database_url}\n" in err


def test_cli_enable_lets_a_disabled_official_sign_in_again(add_official, make_client, cli,
                                                           rows) -> None:
    add_official(ADMIN)
    assert cli("user", "disable", ADMIN)[0] == 0
    assert cli("user", "enable", ADMIN)[0] == 0
    assert rows("select disabled from app_user") == [(0,)]
    assert [action for (action,) in rows("select action from audit_event order by id")] == [
        "user_added", "user_disabled", "user_enabled"]
    client = make_client()
    assert sign_in(client, ADMIN).status_code == 303


def test_cli_disable_of_an_unknown_account_fails(cli, add_official) -> None:
    add_official(ADMIN)
    code, _out, err = cli("user", "disable", "khong.co@so.gov.vn")
    assert code == 1
    assert "no account" in err
