"""Per-case invitations: `vnform invite` links that rate one case file once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import Citizen
from starlette.testclient import TestClient

from vnform import store
from vnform.app import create_app
from vnform.cli import main
from vnform.forms.registry import Registry
from vnform.links import invitation_path, read_invitation_token, sign_invitation

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

BASE = "http://127.0.0.1:8000"
SCALE = """[{value: 1, label: Rất không hài lòng}, {value: 2, label: Không hài lòng},
              {value: 3, label: Bình thường}, {value: 4, label: Hài lòng},
              {value: 5, label: Rất hài lòng}]"""
RATING = f"""
id: hs
title: {{vi: Đánh giá hồ sơ, en: Rate your case}}
agency: so-thu
languages: [vi, en]
questions:
  - id: hai_long
    type: likert
    label: {{vi: Ông/Bà hài lòng với việc giải quyết hồ sơ không, en: Satisfaction}}
    required: true
    indicator: satisfaction
    choices: {SCALE}
"""
LONG = f"""
id: hs-dai
title: {{vi: Đánh giá hồ sơ hai trang, en: Rate your case in two steps}}
agency: so-thu
languages: [vi, en]
pages:
  - id: mot
    questions:
      - {{id: dung_han, type: yes_no, label: Đúng hẹn, required: true}}
  - id: hai
    questions:
      - id: hai_long
        type: likert
        label: Mức độ hài lòng
        required: true
        indicator: satisfaction
        choices: {SCALE}
"""
ALREADY_RATED = "Hồ sơ này đã được đánh giá"
NOT_VALID = "Liên kết này không hợp lệ"


@pytest.fixture
def forms(write_form, forms_dir: Path) -> Path:
    write_form(RATING)
    write_form(LONG)
    return forms_dir


@pytest.fixture
def secret_key(settings_for) -> str:
    return settings_for().secret_key


@pytest.fixture(autouse=True)
def server_key(monkeypatch: pytest.MonkeyPatch, secret_key: str) -> None:
    """The command line signs links with the server's key, as on one deployment."""
    monkeypatch.setenv("VNFORM_SECRET_KEY", secret_key)
    monkeypatch.delenv("VNFORM_PUBLIC_URL", raising=False)


@pytest.fixture
def cli(forms: Path, database_url: str,
        capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``vnform <args> --db <test database> --forms <test forms>``: (exit code, out, err).
    Run it while no app is running (the ORM keeps one database open per process)."""

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([*args, "--db", database_url, "--forms", str(forms)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def invite(cli) -> Callable[..., dict[str, str]]:
    """Invite *cases* to rate with *form_id*; returns {case: link path}."""

    def make(form_id: str, *cases: str) -> dict[str, str]:
        code, out, err = cli("invite", form_id, *(arg for case in cases
                                                   for arg in ("--case", case)))
        assert code == 0, err
        links = dict(line.split("\t") for line in out.splitlines())
        return {case: url.removeprefix(BASE) for case, url in links.items()}

    return make


@pytest.fixture
def serve(settings_for, forms: Path) -> Callable[[], AbstractContextManager[TestClient]]:
    """Start the app on the test forms for a ``with`` block (stopped at its end)."""
    return lambda: TestClient(create_app(settings_for(forms)))


def rate(client: TestClient, link: str, answer: str = "5") -> Citizen:
    """Open *link* in a fresh browser and rate the one-page form."""
    client.cookies.clear()
    citizen = Citizen(client)
    assert citizen.open(link).status_code == 200
    response = citizen.post("/f/hs", {"hai_long": answer})
    assert response.status_code == 303, response.text
    assert citizen.follow(response).status_code == 200
    return citizen


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["t"][0]


# Links ----------------------------------------------------------------------------------

def test_a_link_reads_back_the_secret_it_was_made_with() -> None:
    path = invitation_path("hs", "s" * 32, "key-" + "k" * 40)
    assert path.startswith("/f/hs?t=")
    assert read_invitation_token(token_of(path), "key-" + "k" * 40) == "s" * 32


def test_a_token_signed_with_another_key_reads_as_nothing() -> None:
    token = sign_invitation("s" * 32, "another-deployment-" + "k" * 30)
    assert read_invitation_token(token, "key-" + "k" * 40) is None


# The command line -----------------------------------------------------------------------

def test_invite_prints_a_tab_separated_link_per_case(cli) -> None:
    code, out, _err = cli("invite", "hs", "--case", "HS-001", "--case", "HS-002")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert [case for case, _url in lines] == ["HS-001", "HS-002"]
    assert all(url.startswith(f"{BASE}/f/hs?t=") for _case, url in lines)
    assert lines[0][1] != lines[1][1]


def test_invite_reads_the_first_column_of_a_case_file(cli, tmp_path: Path) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_bytes("\ufeffma_ho_so,ghi_chu\r\n HS-1 ,a\r\n\r\nHS-2,b\r\nHS-1,c\r\n,\r\n"
                      .encode())
    code, out, _err = cli("invite", "hs", "--case", "HS-0", "--case-file", str(cases))
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["HS-0", "HS-1", "HS-2"]


def test_invite_refuses_an_overlong_case_code_and_stores_nothing(cli, tmp_path: Path,
                                                                  rows) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text("case\nHS-1\n" + "X" * 101 + "\n", encoding="utf-8")
    code, out, err = cli("invite", "hs", "--case-file", str(cases))
    assert code == 2
    assert out == ""
    assert "line 3: case code longer than 100 characters" in err
    assert rows("select count(*) from invitation") == [(0,)]


def test_invite_needs_a_form_of_the_forms_folder(cli) -> None:
    code, _out, err = cli("invite", "khong-co", "--case", "HS-1")
    assert code == 1
    assert "no form 'khong-co'" in err


def test_invite_links_start_with_the_base_url(cli) -> None:
    code, out, _err = cli("invite", "hs", "--case", "HS-1",
                          "--base-url", "https://gopy.example.gov.vn/")
    assert code == 0
    assert out.split("\t")[1].startswith("https://gopy.example.gov.vn/f/hs?t=")


def test_invite_takes_the_base_url_from_the_environment(cli, monkeypatch) -> None:
    monkeypatch.setenv("VNFORM_PUBLIC_URL", "https://khaosat.example.vn")
    _code, out, _err = cli("invite", "hs", "--case", "HS-1")
    assert out.split("\t")[1].startswith("https://khaosat.example.vn/f/hs?t=")


def test_invite_records_the_batch_in_the_audit_trail(cli, rows) -> None:
    cli("invite", "hs", "--case", "HS-1", "--case", "HS-2")
    [(actor, action, form_id, details)] = rows(
        "select actor, action, form_id, details from audit_event")
    assert (action, form_id) == ("invitations_created", "hs")
    assert actor.startswith("cli")
    assert json.loads(details)["count"] == 2


def test_invitations_keep_only_a_digest_of_their_secret(invite, rows, secret_key) -> None:
    link = invite("hs", "HS-1")["HS-1"]
    secret = read_invitation_token(token_of(link), secret_key)
    [(digest,)] = rows("select token_digest from invitation")
    assert secret and secret not in digest and len(digest) == 64


# The citizen's side ---------------------------------------------------------------------

def test_a_link_opens_the_forms_first_page(invite, serve) -> None:
    link = invite("hs", "HS-1")["HS-1"]
    with serve() as client:
        page = Citizen(client).open(link)
    assert page.status_code == 200
    assert "Ông/Bà hài lòng với việc giải quyết hồ sơ không" in page.text


def test_the_response_records_the_case_and_uses_the_invitation(invite, serve, rows) -> None:
    link = invite("hs", "HS-1")["HS-1"]
    with serve() as client:
        citizen = rate(client, link)
        assert "Cảm ơn" in citizen.page.text
    assert rows("select case_code from response") == [("HS-1",)]
    [(used_at,)] = rows("select used_at from invitation")
    assert used_at is not None


def test_a_used_link_shows_the_already_rated_page_and_stores_nothing(invite, serve,
                                                                     rows) -> None:
    link = invite("hs", "HS-1")["HS-1"]
    with serve() as client:
        rate(client, link)
        client.cookies.clear()
        again = client.get(link)
    assert again.status_code == 200
    assert ALREADY_RATED in again.text
    assert 'name="_token"' not in again.text
    assert rows("select count(*) from response") == [(1,)]


def test_a_new_invitation_for_a_rated_case_shows_the_already_rated_page(invite, serve,
                                                                        rows) -> None:
    first = invite("hs", "HS-1")["HS-1"]
    with serve() as client:
        rate(client, first)
    second = invite("hs", "HS-1")["HS-1"]
    with serve() as client:
        page = client.get(second)
    assert page.status_code == 200
    assert ALREADY_RATED in page.text
    assert rows("select count(*) from response") == [(1,)]
    assert rows("select count(*) from invitation where used_at is null") == [(1,)]


def test_a_link_opened_in_two_browsers_stores_one_response(invite, serve, rows) -> None:
    link = invite("hs", "HS-1")["HS-1"]
    with serve() as client:
        late = Citizen(client)
        late.open(link)
        kept = dict(client.cookies)
        rate(client, link, "5")
        client.cookies.clear()
        client.cookies.update(kept)
        refused = late.post("/f/hs", {"hai_long": "1"})
    assert refused.status_code == 409
    assert ALREADY_RATED in refused.text
    assert rows("select value from answer") == [("5",)]


@pytest.mark.parametrize("same_link", [True, False], ids=["one-link", "two-invitations"])
def test_submissions_racing_for_one_case_store_one_response(
        invite, forms: Path, database_url: str, secret_key: str, rows,
        same_link: bool) -> None:
    links = [invite("hs", "HS-1")["HS-1"] for _ in range(1 if same_link else 2)]
    secrets_ = [read_invitation_token(token_of(link), secret_key) for link in links]
    spec = Registry.load(forms).forms["hs"]

    async def race() -> list[object]:
        async with store.opened(database_url):
            found = [await store.invitation_by_secret(s or "") for s in secrets_]
            counting = await store.counting([spec], HCM)
            ids = [i.id for i in found if i] * (2 if same_link else 1)
            return await asyncio.gather(*(
                store.submit(spec, token, "vi", {"hai_long": value}, counting, case_code="HS-1",
                             invitation_id=invitation_id)
                for token, value, invitation_id in zip(
                    ("a" * 32, "b" * 32), ("5", "1"), ids, strict=True)
            ), return_exceptions=True)

    outcomes = asyncio.run(race())
    assert sum(isinstance(o, store.CaseRated) for o in outcomes) == 1
    assert rows("select case_code from response") == [("HS-1",)]
    assert rows("select count(*) from answer") == [(1,)]


def test_an_altered_token_is_refused_before_any_database_lookup(invite, serve,
                                                                monkeypatch) -> None:
    link = invite("hs", "HS-1")["HS-1"]
    # Change the signature's first character: its last one may only carry base64
    # padding bits, and changing those would leave the signature valid.
    cut = link.rindex(".") + 1
    altered = link[:cut] + ("A" if link[cut] != "A" else "B") + link[cut + 1:]

    async def no_lookup(secret: str) -> None:
        raise AssertionError("looked up an invitation for an unsigned token")

    monkeypatch.setattr(store, "invitation_by_secret", no_lookup)
    with serve() as client:
        page = client.get(altered)
    assert page.status_code == 404
    assert NOT_VALID in page.text


def test_a_token_for_another_form_is_refused(invite, serve) -> None:
    other = invite("hs-dai", "HS-1")["HS-1"]
    with serve() as client:
        page = client.get("/f/hs?t=" + token_of(other))
    assert page.status_code == 404
    assert NOT_VALID in page.text


def test_the_refusal_is_in_the_visitors_language(invite, serve) -> None:
    with serve() as client:
        page = client.get("/f/hs?lang=en&t=nonsense")
    assert page.status_code == 404
    assert "This link is not valid" in page.text


def test_a_multi_page_link_keeps_the_case_across_pages(invite, serve, rows) -> None:
    link = invite("hs-dai", "HS-7")["HS-7"]
    with serve() as client:
        citizen = Citizen(client)
        citizen.open(link)
        second = citizen.follow(citizen.post("/f/hs-dai", {"dung_han": "yes"}))
        assert "Mức độ hài lòng" in second.text
        done = citizen.post("/f/hs-dai/p/hai", {"hai_long": "4"})
        assert citizen.follow(done).status_code == 200
    assert rows("select form_id, case_code from response") == [("hs-dai", "HS-7")]


def test_opening_the_link_again_during_the_visit_keeps_its_answers(invite, serve) -> None:
    link = invite("hs-dai", "HS-7")["HS-7"]
    with serve() as client:
        citizen = Citizen(client)
        citizen.open(link)
        citizen.post("/f/hs-dai", {"dung_han": "no"})
        again = citizen.open(link)
    assert again.status_code == 200
    assert 'value="no" checked' in again.text


def test_the_plain_form_address_still_stores_responses_without_a_case(serve, rows) -> None:
    with serve() as client:
        citizen = Citizen(client)
        citizen.open("/f/hs")
        assert citizen.post("/f/hs", {"hai_long": "3"}).status_code == 303
    assert rows("select case_code from response") == [(None,)]


def test_case_satisfaction_counts_each_rated_case_end_to_end(invite, serve, cli) -> None:
    links = invite("hs", "HS-1", "HS-2", "HS-3")
    with serve() as client:
        for case, answer in (("HS-1", "5"), ("HS-2", "4"), ("HS-3", "1")):
            rate(client, links[case], answer)
        client.cookies.clear()
        anonymous = Citizen(client)  # no case: not counted among the cases
        anonymous.open("/f/hs")
        anonymous.post("/f/hs", {"hai_long": "1"})
    year = dt.datetime.now(HCM).year
    code, out, err = cli("indicators", "--period", str(year), "--min-n", "1")
    assert code == 0, err
    [record] = [r for r in json.loads(out)["indicators"]
                if r["indicator"] == "case_satisfaction" and r["form"] == "hs"]
    assert (record["cases"], record["case_satisfaction_pct"]) == (3, 66.67)
