"""Error pages: generic, in the visitor's language, never a traceback; each request has
an id, in its response and its log lines, and the logs never hold answers or passwords."""

from __future__ import annotations

import logging
import re

import pytest
from conftest import DEMO_FORMS, Citizen
from starlette.testclient import TestClient

from vnform.app import create_app
from vnform.views import citizen as citizen_views

TITLES = {
    400: ("The request could not be understood", "Không hiểu được yêu cầu"),
    403: ("This page has expired", "Trang đã hết hạn"),
    404: ("Page not found", "Không tìm thấy trang"),
    405: ("This action is not allowed here", None),
    413: ("What you sent is too large", None),
    429: ("Too many requests", "Quá nhiều yêu cầu"),
    500: ("Sorry, something went wrong", None),
}


def title(response) -> str:
    match = re.search(r"<h1>(.*?)</h1>", response.text, re.S)
    assert match, response.text[:300]
    return match.group(1).strip()


def provoke(client: TestClient, status: int, lang: str):
    """A request that gets *status*, from a visitor who reads *lang*."""
    visitor = Citizen(client)
    visitor.open(f"/f/gop-y-nhanh?lang={lang}")
    if status == 400:
        return visitor.post("/f/gop-y-nhanh", {"danh_gia": "4"}, _token="!")
    if status == 403:
        return client.post("/f/gop-y-nhanh", data={"danh_gia": "4"})
    if status == 404:
        return client.get("/khong-co-trang-nay")
    if status == 405:
        return client.delete("/")
    if status == 413:
        return visitor.post("/f/gop-y-nhanh", {"gop_y": "x" * 2_000_000})
    if status == 429:  # sign-in, after too many wrong passwords
        for _ in range(20):
            page = client.get(f"/admin/login?lang={lang}")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
            sent = client.post("/admin/login", data={
                "csrf_token": token, "email": "ai@so.gov.vn", "password": "sai-mat-khau"})
            if sent.status_code == 429:
                return sent
        raise AssertionError("never throttled")
    return visitor.post("/f/gop-y-nhanh", {"danh_gia": "4", "gop_y": "BÍ-MẬT-123"})


@pytest.fixture
def failing(settings_for, monkeypatch) -> TestClient:
    """The demo forms, with submitting broken by a bug (a 500)."""
    async def broken(*args, **kwargs):
        raise RuntimeError("a bug in the submission")

    monkeypatch.setattr(citizen_views, "finish", broken)
    with TestClient(create_app(settings_for(DEMO_FORMS)),
                    raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("status", sorted(TITLES))
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_each_error_has_a_page_in_the_visitors_language(failing, status: int,
                                                        lang: str) -> None:
    response = provoke(failing, status, lang)
    assert response.status_code == status
    assert f'<html lang="{lang}">' in response.text
    english, vietnamese = TITLES[status]
    if lang == "en":
        assert title(response) == english
    else:
        assert title(response) != english
        if vietnamese:
            assert title(response) == vietnamese
    assert "Traceback" not in response.text and "RuntimeError" not in response.text


def test_every_response_has_its_own_request_id(client: TestClient) -> None:
    ids = {client.get("/").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", i) for i in ids)


def test_a_server_error_shows_the_reference_its_log_lines_carry(failing, caplog) -> None:
    caplog.set_level(logging.INFO, logger="vnform")
    response = provoke(failing, 500, "en")
    reference = response.headers["x-request-id"]
    assert f"give this reference: {reference}" in response.text
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.request_id == reference
    assert "a bug in the submission" in caplog.text  # the operator sees what broke


def test_logs_never_hold_answers_or_passwords(failing, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    provoke(failing, 500, "en")
    page = failing.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    failing.post("/admin/login", data={"csrf_token": token, "email": "ai@so.gov.vn",
                                       "password": "MẬT-KHẨU-BÍ-MẬT"})
    assert "BÍ-MẬT-123" not in caplog.text
    assert "MẬT-KHẨU-BÍ-MẬT" not in caplog.text


def test_a_server_error_page_carries_the_security_headers(failing) -> None:
    response = provoke(failing, 500, "en")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_the_access_log_never_shows_a_query_string() -> None:
    """Invitation links carry their secret in the query (?t=...)."""
    from vnform.logs import HideQueries

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0,
                               '%s - "%s %s HTTP/%s" %d', (
                                   "203.0.113.9:5000", "GET", "/f/moi?t=BI-MAT.abc", "1.1",
                                   200), None)
    assert HideQueries().filter(record)
    assert "BI-MAT" not in record.getMessage()
    assert '"GET /f/moi?… HTTP/1.1" 200' in record.getMessage()
