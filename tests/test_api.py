"""The machine-facing API over HTTP: tokens, the indicator feed and its caching,
invitations, and the OpenAPI document.

Tokens are made with the command line before the app starts (the ORM keeps one open
database per process); responses are stored straight into the database file at known
times (``seed``), or by a citizen through the real pages where the test is about that.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from conftest import Citizen, errors, sign_in
from starlette.routing import Route
from starlette.testclient import TestClient

from vnform.cli import main
from vnform.reports import FIELDS
from vnform.views.api import OPENAPI

FEED = "/api/v1/indicators"
INVITE = "/api/v1/invitations"
PERIOD = "2026-06"
#: Inside PERIOD (12:00 local time, UTC+7).
JUNE = dt.datetime(2026, 6, 15, 5, 0, tzinfo=dt.UTC)
JUNE_HTTP = "Mon, 15 Jun 2026 05:00:00 GMT"
PUBLIC_URL = "https://khaosat.example.gov.vn"

ALPHA = """
id: alpha
title: {vi: Cấp phép A, en: Permits A}
agency: so-a
service: cap-phep
languages: [vi, en]
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction}
  - {id: de_dang, type: yes_no, label: {vi: Dễ dàng, en: Easy}, indicator: ease}
"""
BETA = """
id: beta
title: {vi: Cấp phép B, en: Permits B}
agency: so-b
service: cap-phep
languages: [vi, en]
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}, indicator: satisfaction}
"""


@pytest.fixture
def forms(write_form, forms_dir: Path) -> Path:
    write_form(ALPHA)
    write_form(BETA)
    return forms_dir


@pytest.fixture
def data(forms, seed) -> None:
    """alpha: five ratings and yes/no answers; beta: two ratings (fewer than 3)."""
    for rating, easy in [("5", "yes"), ("4", "yes"), ("5", "no"), ("2", "yes"), ("3", "no")]:
        seed("alpha", {"hai_long": rating, "de_dang": easy}, at=JUNE)
    for rating in ("1", "5"):
        seed("beta", {"hai_long": rating}, at=JUNE - dt.timedelta(days=1))


@pytest.fixture
def start(forms, make_client) -> Callable[..., TestClient]:
    def run(**settings: Any) -> TestClient:
        return make_client(forms, **{"indicator_min_n": 3, **settings})

    return run


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def db_args(database_url: str) -> list[str]:
    return ["--db", database_url]


# --- tokens on the command line -------------------------------------------------------

def test_token_add_prints_the_secret_once_and_keeps_only_its_digest(
        api_token, rows) -> None:
    secret = api_token("emc", "so-a")
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", secret)
    ((name, digest, agencies, revoked),) = rows(
        "select name, token_digest, agencies, revoked from api_token")
    assert (name, json.loads(agencies), revoked) == ("emc", ["so-a"], 0)
    assert secret not in digest


def test_token_add_is_audited_without_the_secret(api_token, rows) -> None:
    secret = api_token("emc", "so-b", "so-a")
    ((actor, details),) = rows(
        "select actor, details from audit_event where action = 'api_token_added'")
    assert actor.startswith("cli")
    assert json.loads(details) == {"token": "emc", "agencies": ["so-a", "so-b"]}
    assert secret not in details


def test_token_add_refuses_a_name_in_use(api_token, capsys, database_url) -> None:
    api_token("emc")
    code, out, err = cli(capsys, "token", "add", "--name", "emc", *db_args(database_url))
    assert (code, out) == (1, "")
    assert "exists already" in err


def test_token_add_refuses_a_name_with_spaces(capsys, database_url) -> None:
    code, out, _ = cli(capsys, "token", "add", "--name", "e m c", *db_args(database_url))
    assert (code, out) == (2, "")


def test_token_add_warns_about_an_agency_no_form_uses(forms, capsys, database_url) -> None:
    code, _, err = cli(capsys, "token", "add", "--name", "emc", "--agency", "so-x",
                       "--forms", str(forms), *db_args(database_url))
    assert code == 0
    assert "no form" in err and "so-x" in err


def test_token_list_shows_agencies_or_all_state_and_last_use(
        api_token, capsys, database_url) -> None:
    api_token("emc", "so-a", "so-b")
    api_token("platform")
    assert cli(capsys, "token", "revoke", "platform", *db_args(database_url))[0] == 0
    code, out, _ = cli(capsys, "token", "list", *db_args(database_url))
    assert code == 0
    assert out.splitlines() == ["emc\tso-a,so-b\tactive\tnever",
                                "platform\tall\trevoked\tnever"]


def test_token_list_shows_when_a_token_was_last_used(
        api_token, start, capsys, database_url, rows) -> None:
    secret = api_token("emc")
    start().get(FEED, headers=bearer(secret))
    ((used,),) = rows("select last_used_at from api_token")
    assert used is not None


def test_token_revoke_is_audited(api_token, capsys, database_url, rows) -> None:
    api_token("emc")
    code, _, err = cli(capsys, "token", "revoke", "emc", *db_args(database_url))
    assert code == 0 and "revoked" in err
    ((actor, details),) = rows(
        "select actor, details from audit_event where action = 'api_token_revoked'")
    assert actor.startswith("cli")
    assert json.loads(details) == {"token": "emc"}


def test_token_revoke_of_an_unknown_name_fails(capsys, database_url) -> None:
    assert cli(capsys, "token", "revoke", "nobody", *db_args(database_url))[0] == 1


# --- authentication -------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Basic ZW1jOnNlY3JldA=="},
], ids=["none", "empty", "basic"])
def test_a_request_without_a_bearer_token_is_401(start, headers) -> None:
    response = start().get(FEED, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="vnform"'
    assert response.json()["error"] == "unauthorized"


def test_a_wrong_token_is_401_invalid_token(api_token, start) -> None:
    secret = api_token("emc")
    response = start().get(FEED, headers=bearer(secret[:-2] + "xx"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == \
        'Bearer realm="vnform", error="invalid_token"'
    assert response.json()["error"] == "unauthorized"


def test_a_revoked_token_is_401_and_others_still_work(
        api_token, start, capsys, database_url) -> None:
    kept, revoked = api_token("emc"), api_token("old")
    assert cli(capsys, "token", "revoke", "old", *db_args(database_url))[0] == 0
    client = start()
    assert client.get(FEED, headers=bearer(revoked)).status_code == 401
    assert client.post(INVITE, headers=bearer(revoked),
                       json={"form": "alpha", "cases": ["HS-1"]}).status_code == 401
    assert client.get(FEED, headers=bearer(kept)).status_code == 200


def test_a_revoked_token_is_refused_at_once_by_a_running_app(api_token, start, rows) -> None:
    secret = api_token("emc")
    client = start()
    assert client.get(FEED, headers=bearer(secret)).status_code == 200
    rows("update api_token set revoked = true")  # what `vnform token revoke` writes
    assert client.get(FEED, headers=bearer(secret)).status_code == 401


def test_an_officials_session_cookie_never_authorizes_the_api(
        add_official, start) -> None:
    add_official("it@so-a.gov.vn")
    client = start()
    assert sign_in(client, "it@so-a.gov.vn").status_code == 303
    assert client.get("/admin").status_code == 200  # the cookie is a valid session
    assert client.get(FEED).status_code == 401
    response = client.post(INVITE, json={"form": "alpha", "cases": ["HS-1"]})
    assert response.status_code == 401


def test_the_api_sets_no_cookie(api_token, start) -> None:
    secret = api_token("emc")
    client = start()
    for response in (client.get(FEED, headers=bearer(secret)),
                     client.post(INVITE, headers=bearer(secret),
                                 json={"form": "alpha", "cases": ["HS-1"]})):
        assert "set-cookie" not in response.headers
    assert not client.cookies


# --- the feed -------------------------------------------------------------------------

@pytest.mark.parametrize(("by", "fmt"), [("form", "json"), ("service", "json"),
                                         ("agency", "json"), ("form", "csv")])
def test_the_feed_is_what_the_command_line_writes(
        data, api_token, start, capsys, database_url, forms, by, fmt) -> None:
    code, expected, _ = cli(capsys, "indicators", "--period", PERIOD, "--by", by,
                            "--format", fmt, "--min-n", "3", "--forms", str(forms),
                            *db_args(database_url))
    assert code == 0
    secret = api_token("emc")
    response = start().get(FEED, params={"period": PERIOD, "by": by, "format": fmt},
                           headers=bearer(secret))
    assert response.status_code == 200
    assert response.text == expected
    if fmt == "json":
        assert response.headers["content-type"] == "application/json"
        assert response.json()["indicators"], "the data gives records"
    else:
        assert response.headers["content-type"] == "text/csv; charset=utf-8"


def test_the_feed_has_ok_and_suppressed_records_as_the_cli_computes_them(
        data, api_token, start) -> None:
    secret = api_token("emc")
    records = start().get(FEED, params={"period": PERIOD}, headers=bearer(secret)).json()[
        "indicators"]
    found = {(r["form"], r["indicator"]): r for r in records}
    alpha = found["alpha", "satisfaction"]
    assert (alpha["n_valid"], alpha["mean"], alpha["top2_pct"], alpha["status"]) == \
        (5, 3.8, 60.0, "low_n")
    beta = found["beta", "satisfaction"]
    assert (beta["n_valid"], beta["mean"], beta["status"]) == (2, None, "suppressed")


def test_csv_columns_are_the_record_fields(data, api_token, start) -> None:
    secret = api_token("emc")
    response = start().get(FEED, params={"period": PERIOD, "format": "csv"},
                           headers=bearer(secret))
    table = list(csv.reader(io.StringIO(response.text, newline="")))
    assert tuple(table[0]) == FIELDS
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert len(table) == 1 + len(start().get(
        FEED, params={"period": PERIOD}, headers=bearer(secret)).json()["indicators"])


def test_a_token_with_agencies_sees_only_their_forms(data, api_token, start) -> None:
    only_a, everything = api_token("emc-a", "so-a"), api_token("emc")
    client = start()
    mine = client.get(FEED, params={"period": PERIOD}, headers=bearer(only_a)).json()
    assert {r["form"] for r in mine["indicators"]} == {"alpha"}
    by_agency = client.get(FEED, params={"period": PERIOD, "by": "agency"},
                           headers=bearer(only_a)).json()
    assert {r["agency"] for r in by_agency["indicators"]} == {"so-a"}
    by_service = client.get(FEED, params={"period": PERIOD, "by": "service"},
                            headers=bearer(only_a)).json()
    (pooled,) = [r for r in by_service["indicators"] if r["indicator"] == "satisfaction"]
    assert pooled["n_valid"] == 5  # beta's two ratings are not in it
    everyone = client.get(FEED, params={"period": PERIOD}, headers=bearer(everything)).json()
    assert {r["form"] for r in everyone["indicators"]} == {"alpha", "beta"}


def test_a_token_for_an_agency_without_forms_sees_no_record(data, api_token, start) -> None:
    secret = api_token("other", "so-x")
    response = start().get(FEED, params={"period": PERIOD}, headers=bearer(secret))
    assert response.json() == {"indicators": []}
    assert response.headers["last-modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"


@pytest.mark.parametrize("query", [
    {"period": "2026-13"}, {"period": "last year"}, {"period": "٢٠٢٦"}, {"period": "0001"},
    {"by": "question"}, {"format": "xml"},
], ids=["month-13", "words", "other-digits", "year-1", "by", "format"])
def test_a_bad_parameter_is_a_400_json_error(api_token, start, query) -> None:
    secret = api_token("emc")
    response = start().get(FEED, params=query, headers=bearer(secret))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == "invalid_parameter"
    assert body["message"]


def test_the_period_defaults_to_the_current_local_year(api_token, start, seed) -> None:
    seed("alpha", {"hai_long": "5"})
    secret = api_token("emc")
    records = start().get(FEED, headers=bearer(secret)).json()["indicators"]
    year = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).year
    assert {r["period"] for r in records} == {str(year)}
    assert any(r["n_valid"] == 1 for r in records)


# --- caching --------------------------------------------------------------------------

def test_the_feed_sends_validators_and_no_cache(data, api_token, start) -> None:
    secret = api_token("emc")
    response = start().get(FEED, params={"period": PERIOD}, headers=bearer(secret))
    assert re.fullmatch(r'"[0-9a-f]{40}"', response.headers["etag"])
    assert response.headers["last-modified"] == JUNE_HTTP
    assert response.headers["cache-control"] == "private, no-cache"


def test_if_none_match_with_the_current_etag_is_304_without_a_body(
        data, api_token, start) -> None:
    secret = api_token("emc")
    client = start()
    first = client.get(FEED, params={"period": PERIOD}, headers=bearer(secret))
    again = client.get(FEED, params={"period": PERIOD},
                       headers={**bearer(secret), "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["last-modified"] == JUNE_HTTP


@pytest.mark.parametrize("header", ['"other", {etag}', "W/{etag}", "*"])
def test_if_none_match_lists_weak_tags_and_star(data, api_token, start, header) -> None:
    secret = api_token("emc")
    client = start()
    etag = client.get(FEED, params={"period": PERIOD}, headers=bearer(secret)).headers["etag"]
    again = client.get(FEED, params={"period": PERIOD},
                       headers={**bearer(secret), "If-None-Match": header.format(etag=etag)})
    assert again.status_code == 304


def test_the_etag_is_a_hash_of_the_body(data, api_token, start) -> None:
    secret = api_token("emc")
    client = start()
    tags = {client.get(FEED, params=query, headers=bearer(secret)).headers["etag"]
            for query in ({"period": PERIOD}, {"period": PERIOD, "format": "csv"},
                          {"period": PERIOD, "by": "agency"}, {"period": "2026-05"})}
    assert len(tags) == 4
    assert client.get(FEED, params={"period": PERIOD}, headers=bearer(secret)).headers[
        "etag"] in tags  # the same body, the same tag


def test_a_stale_etag_gets_the_new_body(data, api_token, start, seed) -> None:
    secret = api_token("emc")
    client = start()
    first = client.get(FEED, params={"period": PERIOD}, headers=bearer(secret))
    seed("alpha", {"hai_long": "1"}, at=JUNE + dt.timedelta(hours=1))
    again = client.get(FEED, params={"period": PERIOD},
                       headers={**bearer(secret), "If-None-Match": first.headers["etag"]})
    assert again.status_code == 200
    assert again.headers["etag"] != first.headers["etag"]


def test_if_modified_since_is_304_until_a_new_response_arrives(
        data, api_token, start) -> None:
    secret = api_token("emc")
    client = start()
    first = client.get(FEED, params={"period": PERIOD}, headers=bearer(secret))
    modified = first.headers["last-modified"]
    later = email.utils.format_datetime(JUNE + dt.timedelta(days=3), usegmt=True)
    for since in (modified, later):
        again = client.get(FEED, params={"period": PERIOD},
                           headers={**bearer(secret), "If-Modified-Since": since})
        assert again.status_code == 304, since
        assert again.content == b""
    earlier = email.utils.format_datetime(JUNE - dt.timedelta(seconds=1), usegmt=True)
    assert client.get(FEED, params={"period": PERIOD}, headers={
        **bearer(secret), "If-Modified-Since": earlier}).status_code == 200

    # A citizen answers now, through the real pages.
    citizen = Citizen(client)
    citizen.open("/f/alpha")
    posted = citizen.post("/f/alpha", {"hai_long": "4"})
    assert posted.status_code == 303, errors(citizen.page)
    client.cookies.clear()
    fresh = client.get(FEED, params={"period": PERIOD},
                       headers={**bearer(secret), "If-Modified-Since": modified})
    assert fresh.status_code == 200
    newest = email.utils.parsedate_to_datetime(fresh.headers["last-modified"])
    assert newest > JUNE
    assert dt.datetime.now(dt.UTC) - newest < dt.timedelta(minutes=1)


def test_an_invalid_if_modified_since_is_ignored(data, api_token, start) -> None:
    secret = api_token("emc")
    response = start().get(FEED, params={"period": PERIOD}, headers={
        **bearer(secret), "If-Modified-Since": "yesterday"})
    assert response.status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(
        data, api_token, start) -> None:
    secret = api_token("emc")
    client = start()
    first = client.get(FEED, params={"period": PERIOD}, headers=bearer(secret))
    old = email.utils.format_datetime(JUNE - dt.timedelta(days=30), usegmt=True)
    stale = client.get(FEED, params={"period": PERIOD}, headers={
        **bearer(secret), "If-None-Match": '"stale"',
        "If-Modified-Since": first.headers["last-modified"]})
    assert stale.status_code == 200
    current = client.get(FEED, params={"period": PERIOD}, headers={
        **bearer(secret), "If-None-Match": first.headers["etag"], "If-Modified-Since": old})
    assert current.status_code == 304


# --- invitations ----------------------------------------------------------------------

def test_invitations_are_created_with_a_link_per_case(api_token, start, rows) -> None:
    secret = api_token("emc", "so-a")
    response = start(public_url=PUBLIC_URL).post(
        INVITE, headers=bearer(secret), json={"form": "alpha", "cases": ["HS-001", "HS-002"]})
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["form"] == "alpha"
    assert [i["case"] for i in body["invitations"]] == ["HS-001", "HS-002"]
    for invitation in body["invitations"]:
        assert re.fullmatch(re.escape(PUBLIC_URL) + r"/f/alpha\?t=[A-Za-z0-9_.-]+",
                            invitation["url"])
    assert len({i["url"] for i in body["invitations"]}) == 2
    assert rows("select form_id, case_code, created_by, used_at from invitation "
                "order by id") == [("alpha", "HS-001", "emc", None),
                                   ("alpha", "HS-002", "emc", None)]


def test_invitations_are_audited_with_the_token_name(api_token, start, rows) -> None:
    secret = api_token("emc", "so-a")
    start().post(INVITE, headers=bearer(secret), json={"form": "alpha", "cases": ["HS-1"]})
    ((actor, form_id, details),) = rows(
        "select actor, form_id, details from audit_event where action = 'invitations_created'")
    assert (actor, form_id) == ("api:emc", "alpha")
    assert json.loads(details) == {"token": "emc", "count": 1}


def test_case_codes_are_trimmed_as_on_the_command_line(api_token, start) -> None:
    secret = api_token("emc")
    body = start().post(INVITE, headers=bearer(secret),
                        json={"form": "alpha", "cases": ["  HS-9 "]}).json()
    assert [i["case"] for i in body["invitations"]] == ["HS-9"]


def test_an_invitation_link_opens_the_form_for_its_case(api_token, start, rows) -> None:
    secret = api_token("emc", "so-a")
    client = start(public_url=PUBLIC_URL)
    (invitation,) = client.post(INVITE, headers=bearer(secret), json={
        "form": "alpha", "cases": ["HS-777"]}).json()["invitations"]
    link = urlsplit(invitation["url"])
    citizen = Citizen(client)
    page = citizen.open(f"{link.path}?{link.query}")
    assert page.status_code == 200
    posted = citizen.post("/f/alpha", {"hai_long": "5"})
    assert posted.status_code == 303, errors(citizen.page)
    assert rows("select case_code from response") == [("HS-777",)]
    assert rows("select used_at is not null from invitation") == [(1,)]


def test_invitations_without_a_public_url_use_the_request_address(
        api_token, start) -> None:
    secret = api_token("emc")
    body = start(public_url="").post(INVITE, headers=bearer(secret), json={
        "form": "alpha", "cases": ["HS-1"]}).json()
    assert body["invitations"][0]["url"].startswith("http://testserver/f/alpha?t=")


@pytest.mark.parametrize("form_id", ["beta", "no-such-form"])
def test_invitations_for_a_form_the_token_may_not_see_are_404(
        api_token, start, rows, form_id) -> None:
    secret = api_token("emc", "so-a")
    response = start().post(INVITE, headers=bearer(secret),
                            json={"form": form_id, "cases": ["HS-1"]})
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": f"no form '{form_id}'"}
    assert rows("select count(*) from invitation") == [(0,)]


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded",
                                          "text/plain"])
def test_invitations_need_a_json_body(api_token, start, content_type) -> None:
    secret = api_token("emc")
    headers = bearer(secret) | ({"Content-Type": content_type} if content_type else {})
    response = start().post(INVITE, headers=headers,
                            content=b'{"form": "alpha", "cases": ["HS-1"]}')
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_json_with_a_charset_is_json(api_token, start) -> None:
    secret = api_token("emc")
    response = start().post(INVITE, headers={
        **bearer(secret), "Content-Type": "application/json; charset=utf-8"},
        content='{"form": "alpha", "cases": ["HS-Đ1"]}'.encode())
    assert response.status_code == 201
    assert response.json()["invitations"][0]["case"] == "HS-Đ1"


@pytest.mark.parametrize(("body", "message"), [
    (b'{"form": "alpha", "cases": ["HS-1"]', "the body is not valid JSON"),
    (b"\xff\xfe", "the body is not valid JSON"),
    (b"[" * 100_000, "the body is not valid JSON"),
    (b'["alpha"]', "the body must be a JSON object"),
    (b'{"cases": ["HS-1"]}', '"form" must be the id of a form'),
    (b'{"form": 7, "cases": ["HS-1"]}', '"form" must be the id of a form'),
    (b'{"form": "alpha"}', '"cases" must be a list of 1 to 1000 case codes'),
    (b'{"form": "alpha", "cases": []}', '"cases" must be a list of 1 to 1000 case codes'),
    (b'{"form": "alpha", "cases": "HS-1"}', '"cases" must be a list of 1 to 1000'),
    (json.dumps({"form": "alpha", "cases": [f"HS-{i}" for i in range(1001)]}).encode(),
     '"cases" must be a list of 1 to 1000 case codes'),
    (b'{"form": "alpha", "cases": ["HS-1", 2]}', '"cases"[1] must be a string'),
    (b'{"form": "alpha", "cases": ["HS-1", "  "]}', '"cases"[1]: empty case code'),
    (json.dumps({"form": "alpha", "cases": ["x" * 101]}).encode(),
     '"cases"[0]: case code longer than 100 characters'),
    (b'{"form": "alpha", "cases": ["HS\\n1"]}', '"cases"[0]: case code with a control'),
    (b'{"form": "alpha", "cases": ["HS-1", "HS-2", "HS-1"]}',
     "\"cases\"[2]: case 'HS-1' is listed twice"),
    (b'{"form": "alpha", "case": ["HS-1"]}', "unknown field 'case'"),
], ids=["truncated", "not-utf8", "deep", "array", "no-form", "form-number", "no-cases",
        "empty-cases", "cases-string", "1001-cases", "case-number", "blank-case",
        "long-case", "control-character", "repeated-case", "unknown-field"])
def test_a_malformed_invitation_request_is_a_400_json_error(
        api_token, start, rows, body, message) -> None:
    secret = api_token("emc")
    response = start().post(INVITE, content=body, headers={
        **bearer(secret), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_body"
    assert response.json()["message"].startswith(message)
    assert rows("select count(*) from invitation") == [(0,)]


def test_a_thousand_cases_of_a_hundred_characters_are_accepted(api_token, start, rows) -> None:
    secret = api_token("emc")
    cases = [f"{i:04d}" + "x" * 96 for i in range(1000)]
    response = start().post(INVITE, headers=bearer(secret), json={"form": "alpha",
                                                                  "cases": cases})
    assert response.status_code == 201
    assert rows("select count(*) from invitation") == [(1000,)]


def test_an_oversized_invitation_request_is_413(api_token, start) -> None:
    secret = api_token("emc")
    cases = [f"HS-{i}" for i in range(200)]
    response = start(max_body_bytes=500).post(
        INVITE, headers=bearer(secret), json={"form": "alpha", "cases": cases})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


# --- the OpenAPI document -------------------------------------------------------------

def served_paths(client: TestClient) -> set[tuple[str, str]]:
    """(path, method) of every machine-facing route the app serves."""
    found = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.path.startswith(("/api/", "/open-data/")) \
                and route.path != "/api/v1/openapi.json":
            found |= {(route.path, m.lower()) for m in route.methods or () if m != "HEAD"}
    return found


def test_the_openapi_document_is_served_without_a_token(start) -> None:
    response = start().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(OPENAPI))


def test_the_openapi_document_describes_every_route_served_and_no_other(start) -> None:
    client = start()
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1.")
    assert {"title", "version"} <= doc["info"].keys()
    described = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert described == served_paths(client)


def test_the_openapi_document_declares_the_bearer_scheme(start) -> None:
    doc = start().get("/api/v1/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"]}
    assert doc["security"] == [{"bearer": []}]
    for path in ("/open-data/indicators.csv", "/open-data/indicators.json"):
        assert doc["paths"][path]["get"]["security"] == []


def test_the_openapi_record_schema_has_every_field_in_order(start) -> None:
    doc = start().get("/api/v1/openapi.json").json()
    record = doc["components"]["schemas"]["IndicatorRecord"]
    assert tuple(record["properties"]) == FIELDS
    assert tuple(record["required"]) == FIELDS
    assert record["additionalProperties"] is False


def test_the_openapi_parameters_are_those_the_feed_reads(start) -> None:
    doc = start().get("/api/v1/openapi.json").json()
    operation = doc["paths"][FEED]["get"]
    query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert set(query) == {"period", "by", "format"}
    assert query["by"]["schema"]["enum"] == ["form", "service", "agency"]
    assert query["format"]["schema"]["enum"] == ["json", "csv"]
    for path in ("/open-data/indicators.csv", "/open-data/indicators.json"):
        names = {p["name"] for p in doc["paths"][path]["get"]["parameters"] if p["in"] == "query"}
        assert names == {"period", "by"}


def test_the_openapi_document_lists_every_error_the_api_answers(start) -> None:
    doc = start().get("/api/v1/openapi.json").json()
    assert set(doc["paths"][FEED]["get"]["responses"]) == {"200", "304", "400", "401"}
    assert set(doc["paths"][INVITE]["post"]["responses"]) == {
        "201", "400", "401", "404", "413", "415"}
    for item in doc["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}


def test_every_ref_in_the_openapi_document_resolves(start) -> None:
    doc = start().get("/api/v1/openapi.json").json()
    refs = re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(doc))
    assert refs
    for ref in refs:
        node: Any = doc
        for part in ref.split("/"):
            node = node[part]


def validator(doc: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    """A JSON Schema (2020-12, as OpenAPI 3.1 uses) validator for a component schema."""
    schema = {"$ref": f"#/components/schemas/{name}", **{"components": doc["components"]}}
    jsonschema.Draft202012Validator.check_schema(doc["components"]["schemas"][name])
    return jsonschema.Draft202012Validator(schema)


def test_feed_responses_match_the_openapi_schema(data, api_token, start) -> None:
    secret = api_token("emc")
    client = start()
    doc = client.get("/api/v1/openapi.json").json()
    check = validator(doc, "Indicators")
    for by in ("form", "service", "agency"):
        body = client.get(FEED, params={"period": PERIOD, "by": by},
                          headers=bearer(secret)).json()
        check.validate(body)
    error = client.get(FEED, params={"by": "x"}, headers=bearer(secret)).json()
    validator(doc, "Error").validate(error)


def test_invitation_responses_match_the_openapi_schema(api_token, start) -> None:
    secret = api_token("emc")
    client = start()
    doc = client.get("/api/v1/openapi.json").json()
    request = {"form": "alpha", "cases": ["HS-1", "HS-2"]}
    validator(doc, "InvitationRequest").validate(request)
    body = client.post(INVITE, headers=bearer(secret), json=request).json()
    validator(doc, "Invitations").validate(body)
