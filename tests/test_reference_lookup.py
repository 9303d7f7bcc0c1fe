"""Finding a response by the reference code its citizen read on the thank-you page.

Citizens answer through the real pages and officials look codes up through real HTTP;
the database is only read (or changed, to stand in for a clash of codes). The agencies
are those of the demo forms: gop-y-nhanh belongs to ubnd-phuong-ba-dinh, dvc-hai-long to
so-tttt-ha-noi.
"""

from __future__ import annotations

import asyncio
import html
import importlib
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Citizen, postgres_connect, postgres_database, postgres_url, sign_in
from starlette.testclient import TestClient
from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from vnform import references, store
from vnform.views.citizen import receipt_code

ADMIN = "admin@so.gov.vn"
ANALYST = "phan.tich@badinh.gov.vn"  # ubnd-phuong-ba-dinh: gop-y-nhanh
OTHER = "phan.tich@so-tttt.gov.vn"  # so-tttt-ha-noi: dvc-hai-long, not gop-y-nhanh
FIND = "/admin/responses"
NOT_FOUND = "was found among the forms you can see"
BAD_FORMAT = "A reference code has 8 letters and digits"


# --- helpers ----------------------------------------------------------------------------


def answer_quick(client: TestClient) -> str:
    """A citizen (a fresh visit) sends gop-y-nhanh; returns the code its thank-you page
    shows (``ABCD-2345``)."""
    client.cookies.clear()
    citizen = Citizen(client)
    citizen.open("/f/gop-y-nhanh?lang=en")
    done = citizen.post("/f/gop-y-nhanh", {"danh_gia": "4", "gop_y": "Tốt"})
    assert done.headers["location"] == "/f/gop-y-nhanh/thanks"
    thanks = client.get("/f/gop-y-nhanh/thanks")
    match = re.search(r'<p class="receipt">[^<]*<strong>([^<]+)</strong>', thanks.text)
    assert match, thanks.text
    return match.group(1)


def find(client: TestClient, ref: str) -> Any:
    return client.get(FIND, params={"ref": ref, "lang": "en"}, follow_redirects=False)


def text_of(page: Any) -> str:
    main = re.search(r"<main.*?</main>", page.text, re.S)
    assert main, page.text
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main.group(0))).split())


def same_page(text: str) -> str:
    return re.sub(r' nonce="[^"]*"', "", text)


@pytest.fixture
def served(add_official, make_client, rows) -> Callable[[str], tuple[TestClient, str, int]]:
    """The app with an admin and an analyst of each demo agency; one citizen has sent
    gop-y-nhanh. Signs in as *email*; returns (client, the code shown, the response id)."""

    def start(email: str) -> tuple[TestClient, str, int]:
        add_official(ADMIN)
        add_official(ANALYST, "analyst", "ubnd-phuong-ba-dinh")
        add_official(OTHER, "analyst", "so-tttt-ha-noi")
        client = make_client()
        code = answer_quick(client)
        ((rid,),) = rows("select id from response where form_id = 'gop-y-nhanh'")
        client.cookies.clear()
        assert sign_in(client, email).status_code == 303
        return client, code, rid

    return start


# --- storing the code -------------------------------------------------------------------


def test_the_code_shown_is_stored_with_the_response(served, rows) -> None:
    _client, code, rid = served(ADMIN)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    ((stored, token),) = rows("select reference_code, token from response where id = ?", rid)
    assert stored == code.replace("-", "")
    assert receipt_code(token) == code


def test_the_code_is_read_in_any_case_with_or_without_its_dash() -> None:
    assert references.parse("abcd-2345") == "ABCD2345"
    assert references.parse("  AbCd2345\t") == "ABCD2345"
    assert references.parse("ABCD-2345") == "ABCD2345"
    assert references.parse("ABCD--2345") is None
    assert references.parse("ABC-D2345") is None
    assert references.parse("ABCD-1890") is None  # 0, 1, 8 and 9 are not base32
    assert references.parse("ABCD-2345" + " " * 100) is None


# --- finding it ---------------------------------------------------------------------------


def test_the_code_on_the_thank_you_page_finds_the_response(served) -> None:
    client, code, rid = served(ADMIN)
    found = find(client, code)
    assert found.status_code == 303
    assert found.headers["location"] == f"/admin/forms/gop-y-nhanh/responses/{rid}"


def test_every_lookup_is_in_the_audit_log(served, rows) -> None:
    client, code, _rid = served(OTHER)  # another agency's official: not found
    find(client, code)
    assert rows("select actor, action, form_id from audit_event where action = ?",
                "response_lookup") == [(OTHER, "response_lookup", None)]


@pytest.mark.parametrize("typed", [
    lambda code: code.lower(),
    lambda code: code.replace("-", ""),
    lambda code: code.replace("-", "").lower(),
    lambda code: f"  {code}  ",
    lambda code: f"\t{code.lower()} ",
], ids=["lowercase", "no dash", "lowercase, no dash", "spaces around", "tab, lowercase"])
def test_the_code_is_found_as_people_type_it(served, typed: Callable[[str], str]) -> None:
    client, code, rid = served(ADMIN)
    found = find(client, typed(code))
    assert found.status_code == 303
    assert found.headers["location"] == f"/admin/forms/gop-y-nhanh/responses/{rid}"


def test_the_response_page_shows_the_code(served) -> None:
    client, code, rid = served(ADMIN)
    page = client.get(f"/admin/forms/gop-y-nhanh/responses/{rid}?lang=en")
    assert page.status_code == 200
    assert f"<div><dt>Reference code</dt><dd>{code}</dd></div>" in page.text


def test_an_analyst_of_the_agency_may_look_up_its_responses(served) -> None:
    client, code, rid = served(ANALYST)
    found = find(client, code)
    assert found.status_code == 303
    assert found.headers["location"] == f"/admin/forms/gop-y-nhanh/responses/{rid}"
    assert client.get(found.headers["location"]).status_code == 200


def test_another_agencys_response_is_not_found_as_a_code_that_names_none(served) -> None:
    client, code, rid = served(OTHER)
    hidden = find(client, code)
    unknown_code = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    missing = find(client, unknown_code)
    assert hidden.status_code == missing.status_code == 404
    # The same page, word for word, but for the code typed (and the scripts' nonce, new
    # for every page): nothing tells them apart.
    assert same_page(hidden.text.replace(code, "CODE")) \
        == same_page(missing.text.replace(unknown_code, "CODE"))
    assert NOT_FOUND in text_of(hidden)
    assert "gop-y-nhanh" not in hidden.text and f"/responses/{rid}" not in hidden.text


def test_a_code_that_names_nothing_is_not_found_with_the_search_box_again(served) -> None:
    client, code, _rid = served(ADMIN)
    other = "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
    page = find(client, other.lower())
    assert page.status_code == 404
    assert f"No response with the reference code {other} {NOT_FOUND}" in text_of(page)
    assert f'<form method="get" action="{FIND}"' in page.text
    assert f'name="ref" value="{other.lower()}"' in page.text  # as typed, to correct


@pytest.mark.parametrize("typed", ["ABC", "ABCD-23456", "ABCD-2341", "ABCD_2345", "AB CD2345",
                                   "ABCD-234é", "' OR 1=1 --", "x" * 5000])
def test_a_text_that_cannot_be_a_code_is_refused_with_422(served, typed: str) -> None:
    client, _code, _rid = served(ADMIN)
    page = find(client, typed)
    assert page.status_code == 422
    assert BAD_FORMAT in text_of(page)
    assert re.search(r'<input [^>]*aria-describedby="ref-hint ref-error" aria-invalid="true"',
                     page.text)


def test_an_empty_search_asks_for_the_code(served) -> None:
    client, _code, _rid = served(ADMIN)
    page = find(client, "   ")
    assert page.status_code == 422
    assert "Enter the reference code the citizen was given." in text_of(page)


def test_the_search_page_alone_shows_the_search_box(served) -> None:
    client, _code, _rid = served(ANALYST)
    page = client.get(FIND + "?lang=en")
    assert page.status_code == 200
    assert '<label class="label" id="ref-label" for="ref">Find a response by its reference ' \
           "code</label>" in page.text


@pytest.mark.parametrize("url", ["/admin", "/admin/forms/gop-y-nhanh"])
def test_the_forms_list_and_the_results_page_have_the_search_box(served, url: str) -> None:
    client, _code, _rid = served(ANALYST)
    page = client.get(url + "?lang=en")
    assert page.status_code == 200
    form = re.search(rf'<form method="get" action="{FIND}"[^>]*>(.*?)</form>', page.text, re.S)
    assert form, page.text
    assert '<label class="label" id="ref-label" for="ref">Find a response by its ' \
           "reference code</label>" in form.group(1)
    assert re.search(r'<input [^>]*id="ref" name="ref"', form.group(1))
    assert '<button class="button" type="submit">Find</button>' in form.group(1)


def test_signed_out_visitors_are_sent_to_sign_in(served) -> None:
    client, code, _rid = served(ADMIN)
    client.cookies.clear()
    response = client.get(FIND, params={"ref": code}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login?next=")


def test_a_code_two_responses_share_lists_both(served, rows) -> None:
    client, code, rid = served(ADMIN)
    second = answer_quick(client)
    ((other,),) = rows("select id from response where id <> ?", rid)
    # 40 bits among millions of responses: two may share a code. Stand in for that.
    rows("update response set reference_code = ? where id = ?", code.replace("-", ""), other)
    assert sign_in(client, ADMIN).status_code == 303
    page = find(client, code)
    assert page.status_code == 200
    assert f'href="/admin/forms/gop-y-nhanh/responses/{rid}"' in page.text
    assert f'href="/admin/forms/gop-y-nhanh/responses/{other}"' in page.text
    assert find(client, second).status_code == 404  # its own code now names nothing


# --- the migration that gave stored responses their code ------------------------------------

MIGRATION = importlib.import_module("vnform.migrations.0007_reference_codes")
OLD_ROWS = [f"token-{n:02d}-aaaaaaaaaaaaaaaaaaaaaa" for n in range(5)]
INSERT = ("insert into response (form_id, form_version, token, language, submitted_at) "
          "values ('dong', 'v1', '{token}', 'vi', '2026-01-02 03:04:05+00:00')")


async def _migrated_to(url: str, target: str) -> None:
    try:
        await run_migrations(config=store.tortoise_config(url), target=target)
    finally:
        await Tortoise.close_connections()


def test_the_migration_gives_stored_responses_the_code_of_their_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MIGRATION, "BATCH", 2)  # several batches, and a partial last one
    path = tmp_path / "old.sqlite3"
    url = f"sqlite://{path}"
    asyncio.run(_migrated_to(url, "vnform.0006_designs"))
    with sqlite3.connect(path) as db:
        assert "reference_code" not in {c[1] for c in db.execute("pragma table_info(response)")}
        for token in OLD_ROWS:
            db.execute(INSERT.format(token=token))
    asyncio.run(store.prepare(url))
    with sqlite3.connect(path) as db:
        assert db.execute("select token, reference_code from response order by id").fetchall() \
            == [(token, references.code_of(token)) for token in OLD_ROWS]
        assert db.execute("select name from sqlite_master where type = 'index' "
                          "and tbl_name = 'response' and name = 'response_reference'").fetchall()
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


@pytest.mark.postgres
def test_the_migration_gives_stored_responses_their_code_on_postgres(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MIGRATION, "BATCH", 2)
    with postgres_database() as name:
        url = postgres_url(name)
        asyncio.run(_migrated_to(url, "vnform.0006_designs"))
        with postgres_connect(url) as db:
            for token in OLD_ROWS:
                db.execute(INSERT.format(token=token))
        asyncio.run(store.prepare(url))
        with postgres_connect(url) as db:
            assert db.execute("select token, reference_code from response order by id")\
                .fetchall() == [(token, references.code_of(token)) for token in OLD_ROWS]
            assert db.execute("select 1 from pg_indexes where tablename = 'response' "
                              "and indexname = 'response_reference'").fetchall() == [(1,)]
