"""Under overload, refusals are explicit (503 with Retry-After) and cost nobody their
answers: a busy database re-renders the citizen's page with what they typed, and
requests beyond what a process can serve wait their turn, then are refused in time."""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx2 as httpx
import pytest
from conftest import DEMO_FORMS, Citizen, Database, running_server
from starlette.testclient import TestClient
from tortoise.exceptions import OperationalError

from vnform import store
from vnform.app import create_app
from vnform.middleware import Admission, session_issued

URL = "/f/gop-y-nhanh"
ANSWERS = {"danh_gia": "4", "dung_gio": "yes", "gop_y": "Nhân viên nhiệt tình, chờ hơi lâu"}


@contextmanager
def writes_blocked(database: Database) -> Iterator[None]:
    """Another connection holds the write lock (a long import, a migration) meanwhile."""
    with database.connect() as db:
        db.execute("lock table response in exclusive mode" if database.postgres
                   else "begin immediate")
        yield


@pytest.fixture
def citizen_on_form(client: TestClient) -> Citizen:
    citizen = Citizen(client)
    citizen.open(URL + "?lang=en")
    return citizen


def test_a_submission_the_locked_database_cannot_take_is_a_503_keeping_every_answer(
        citizen_on_form: Citizen, database: Database) -> None:
    with writes_blocked(database):
        page = citizen_on_form.post(URL, ANSWERS)
    assert page.status_code == 503
    assert page.headers["retry-after"] == "5"
    assert page.headers["cache-control"] == "no-store"
    assert "Your answers have not been sent yet" in page.text
    assert 'role="alert"' in page.text
    assert "<title>Error:" in page.text
    assert ANSWERS["gop_y"] in page.text
    assert re.search(r'value="4"[^>]*checked', page.text)
    assert re.search(r'value="yes"[^>]*checked', page.text)


def test_sending_again_after_a_busy_refusal_stores_the_response_once(
        citizen_on_form: Citizen, database: Database, rows) -> None:
    with writes_blocked(database):
        citizen_on_form.post(URL, ANSWERS)
    assert rows("select count(*) from response") == [(0,)]
    again = citizen_on_form.post(URL, ANSWERS)  # the re-rendered page's own token
    assert again.status_code == 303
    assert citizen_on_form.post(URL, ANSWERS).status_code == 303  # a double click
    assert rows("select count(*) from response") == [(1,)]
    assert rows("select text from answer where question = 'gop_y'") == [(ANSWERS["gop_y"],)]


def test_the_busy_page_speaks_vietnamese(client: TestClient, database: Database) -> None:
    citizen = Citizen(client)
    citizen.open(URL + "?lang=vi")
    with writes_blocked(database):
        page = citizen.post(URL, ANSWERS)
    assert page.status_code == 503
    assert "Câu trả lời của Ông/Bà chưa được gửi" in page.text


# --- more requests than a process serves at a time ------------------------------------

@contextmanager
def slot_taken(base_url: str, path: str = URL) -> Iterator[None]:
    """A request in progress for as long as the block lasts: a POST whose body is still
    arriving, so the app waits for it (and holds its turn) until the client leaves. A
    citizen's by default (without a session: a new visit, which takes a turn)."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port)) as held:
        held.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\n".encode()
                     + b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 1000\r\n\r\ncsrf_token=")
        yield


def wait_until_served(base_url: str) -> httpx.Response:
    """GET / until it is served (the held turn is released once the server notices the
    client has gone)."""
    for _ in range(100):
        response = httpx.get(base_url + "/")
        if response.status_code != 503:
            return response
        time.sleep(0.05)
    raise AssertionError("still refused after the held request ended")


def refused_soon(base_url: str) -> httpx.Response:
    """GET / until it is refused: the held request has taken the turn by then."""
    for _ in range(200):
        response = httpx.get(base_url + "/?lang=en")
        if response.status_code == 503:
            return response
        time.sleep(0.02)
    raise AssertionError("never refused while the only turn was taken")


@pytest.fixture
def one_at_a_time(settings_for) -> Iterator[str]:
    """A server that serves one request at a time and lets none wait."""
    app = create_app(settings_for(DEMO_FORMS, max_concurrent=1, queue_seconds=0))
    with running_server(app) as url:
        yield url


def test_a_request_beyond_the_limit_is_refused_with_503_and_retry_after(
        one_at_a_time: str) -> None:
    with slot_taken(one_at_a_time):
        refused = refused_soon(one_at_a_time)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert "The service is busy" in refused.text
    assert "Nothing you sent has been kept" in refused.text


def test_the_health_check_and_static_files_never_queue(one_at_a_time: str) -> None:
    with slot_taken(one_at_a_time):
        refused_soon(one_at_a_time)
        assert httpx.get(one_at_a_time + "/healthz").status_code == 200
        assert httpx.get(one_at_a_time + "/static/css/vnform.css").status_code == 200


def test_requests_are_served_again_once_the_turn_is_free(one_at_a_time: str) -> None:
    with slot_taken(one_at_a_time):
        refused_soon(one_at_a_time)
    assert wait_until_served(one_at_a_time).status_code == 200


def test_a_citizen_sending_answers_waits_for_a_turn_however_busy(one_at_a_time: str) -> None:
    with httpx.Client(base_url=one_at_a_time) as client:
        page = client.get(URL)
        fields = dict(re.findall(r'name="(csrf_token|_token)" value="([^"]+)"', page.text))
        outcome: list[int] = []
        with slot_taken(one_at_a_time):
            refused_soon(one_at_a_time)  # new visits are turned away meanwhile
            sending = threading.Thread(target=lambda: outcome.append(client.post(
                URL, data={**fields, **ANSWERS}, timeout=60).status_code))
            sending.start()
            sending.join(timeout=1)
            assert outcome == []  # waiting, not refused
        sending.join(timeout=30)
    assert outcome == [303]


def test_officials_never_take_a_citizens_turn(settings_for) -> None:
    app = create_app(settings_for(DEMO_FORMS, max_concurrent=1, max_concurrent_officials=1,
                                  queue_seconds=0))
    with running_server(app) as url, slot_taken(url, "/admin/login"):
        time.sleep(0.3)  # the official's request holds the officials' only turn
        assert httpx.get(url + "/admin/login").status_code == 503
        assert httpx.get(url + "/").status_code == 200
        assert httpx.get(url + URL).status_code == 200


def test_citizens_never_take_an_officials_turn(one_at_a_time: str) -> None:
    with slot_taken(one_at_a_time):
        refused_soon(one_at_a_time)
        assert httpx.get(one_at_a_time + "/admin/login").status_code == 200
        assert httpx.get(one_at_a_time + "/open-data/indicators.json").status_code == 200


def test_a_request_waits_for_its_turn_rather_than_being_refused(settings_for) -> None:
    app = create_app(settings_for(DEMO_FORMS, max_concurrent=1, queue_seconds=30))
    with running_server(app) as url:
        answers: list[tuple[int, float]] = []
        with slot_taken(url):
            time.sleep(0.5)  # the held request takes the turn
            waiting = threading.Thread(target=lambda: answers.append(
                (httpx.get(url + "/", timeout=60).status_code, time.monotonic())))
            waiting.start()
            waiting.join(timeout=1)
            released = time.monotonic()
        waiting.join(timeout=30)
        ((status, served),) = answers
        assert status == 200
        assert served > released  # it was served once the turn was free, not before


# --- telling a busy database from a broken one ----------------------------------------

@pytest.mark.parametrize("failure", [
    sqlite3.OperationalError("database is locked"),
    OperationalError(sqlite3.OperationalError("database is locked")),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
    ConnectionRefusedError(111, "Connection refused"),
], ids=repr)
def test_a_busy_or_unreachable_database_is_transient(failure: Exception) -> None:
    assert store.is_transient(failure)


@pytest.mark.parametrize("failure", [
    sqlite3.OperationalError("no such table: response"),
    OperationalError(sqlite3.OperationalError("no such column: case_code")),
    asyncpg.exceptions.UndefinedColumnError('column "case_code" does not exist'),
    ValueError("a bug"),
], ids=repr)
def test_a_broken_schema_or_a_bug_is_not_transient(failure: Exception) -> None:
    assert not store.is_transient(failure)


def test_a_database_fault_that_is_not_transient_is_a_500(
        citizen_on_form: Citizen, monkeypatch, caplog) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError(sqlite3.OperationalError("no such column: case_code"))

    monkeypatch.setattr(store, "submit", broken)
    page = citizen_on_form.post(URL, ANSWERS)
    assert page.status_code == 500
    assert "retry-after" not in page.headers
    assert "no such column" in caplog.text  # logged for the operator, not shown
    assert "no such column" not in page.text


# --- the admission rule itself --------------------------------------------------------------

def admission(limit: int, wait: float) -> tuple[Admission, list[str], asyncio.Event]:
    """An Admission around an app that runs until *release* is set; *log* says who was
    served or refused."""
    log: list[str] = []
    release = asyncio.Event()

    async def app(scope, receive, send) -> None:
        log.append(f"served {scope['path']}")
        await release.wait()
        if scope["path"] == "/fails":
            raise RuntimeError("the view failed")

    async def refuse(scope, receive, send) -> None:
        log.append(f"refused {scope['path']}")

    return Admission(app, limit=limit, wait=wait, refuse=refuse,
                     issued=session_issued(SECRET, "vnform_session", 3600)), log, release


SECRET = "test-secret-key-" + "x" * 32


def signed_session() -> bytes:
    """A session cookie as the server signs it (Starlette's sessions)."""
    import itsdangerous

    return b"vnform_session=" + itsdangerous.TimestampSigner(SECRET).sign(b"e30=")


def call(gate: Admission, path: str, method: str = "GET", session: bool = False,
         cookie: bytes | None = None) -> Any:
    cookie = cookie if cookie is not None else signed_session() if session else None
    headers = [(b"cookie", cookie)] if cookie else []
    return gate({"type": "http", "path": path, "method": method, "headers": headers},
                None, None)


def test_admission_refuses_at_once_without_a_wait() -> None:
    async def run() -> list[str]:
        gate, log, release = admission(limit=1, wait=0)
        first = asyncio.create_task(call(gate, "/a"))
        await asyncio.sleep(0)
        await call(gate, "/b")
        release.set()
        await first
        return log

    assert asyncio.run(run()) == ["served /a", "refused /b"]


def test_admission_gives_the_turn_back_when_the_app_fails() -> None:
    async def run() -> list[str]:
        gate, log, release = admission(limit=1, wait=0)
        release.set()
        with pytest.raises(RuntimeError):
            await call(gate, "/fails")
        await call(gate, "/after")
        return log

    assert asyncio.run(run()) == ["served /fails", "served /after"]


def test_a_cancelled_wait_leaks_no_turn() -> None:
    async def run() -> list[str]:
        gate, log, release = admission(limit=1, wait=30)
        first = asyncio.create_task(call(gate, "/a"))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(call(gate, "/gone"))
        await asyncio.sleep(0)
        waiting.cancel()  # the client went away while queued
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        await first
        await call(gate, "/next")  # the turn is free again
        return log

    assert asyncio.run(run()) == ["served /a", "served /next"]


def test_a_patient_post_waits_beyond_the_queue_time() -> None:
    async def run() -> list[str]:
        gate, log, release = admission(limit=1, wait=0)
        gate.patient = ("/f/",)
        first = asyncio.create_task(call(gate, "/a"))
        await asyncio.sleep(0)
        answers = asyncio.create_task(call(gate, "/f/x", method="POST", session=True))
        await asyncio.sleep(0.01)
        assert log == ["served /a"]
        release.set()
        await asyncio.gather(first, answers)
        return log

    assert asyncio.run(run()) == ["served /a", "served /f/x"]


def test_a_post_without_a_session_is_not_patient() -> None:
    """A flood of posts that never opened a form cannot hold every turn."""
    async def run() -> list[str]:
        gate, log, release = admission(limit=1, wait=0)
        gate.patient = ("/f/",)
        first = asyncio.create_task(call(gate, "/a"))
        await asyncio.sleep(0)
        await call(gate, "/f/x", method="POST")
        release.set()
        await first
        return log

    assert asyncio.run(run()) == ["served /a", "refused /f/x"]


@pytest.mark.parametrize("cookie", [
    b"vnform_session=abc",  # any value a client makes up
    b"vnform_session=" + b"e30=.AAAAAA.forged-signature",
    b"other=1; vnform_session=",
], ids=["made up", "forged signature", "empty"])
def test_a_session_cookie_the_server_did_not_sign_is_not_patient(cookie: bytes) -> None:
    """Only a visit the server knows is patient: a flood of posts carrying a cookie of
    the session's name cannot hold every turn."""
    async def run() -> list[str]:
        gate, log, release = admission(limit=1, wait=0)
        gate.patient = ("/f/",)
        first = asyncio.create_task(call(gate, "/a"))
        await asyncio.sleep(0)
        await call(gate, "/f/x", method="POST", cookie=cookie)
        release.set()
        await first
        return log

    assert asyncio.run(run()) == ["served /a", "refused /f/x"]


def test_the_session_the_server_issues_counts_as_issued(client) -> None:
    client.get("/f/gop-y-nhanh")
    cookie = f"vnform_session={client.cookies.get('vnform_session')}".encode()
    issued = session_issued(SECRET, "vnform_session", 3600)
    assert issued({"headers": [(b"cookie", cookie)]})
