"""Security headers on every response: a strict CSP whose script nonce changes with each
request, no sniffing, no referrer, no framing unless allowed, HSTS over HTTPS."""

from __future__ import annotations

import re

import pytest
from conftest import DEMO_FORMS
from starlette.testclient import TestClient

PATHS = ["/", "/f/dvc-hai-long", "/f/khong-co", "/admin/login", "/healthz",
         "/static/css/vnform.css", "/api/v1/openapi.json", "/open-data/indicators.csv"]


def csp(response) -> dict[str, str]:
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in
            response.headers["content-security-policy"].split("; ")}


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize("path", ["/", "/f/dvc-hai-long", "/admin/login"])
def test_html_is_utf_8(client: TestClient, path: str) -> None:
    assert client.get(path).headers["content-type"] == "text/html; charset=utf-8"


def test_scripts_run_only_with_the_nonce_of_their_request(client: TestClient) -> None:
    first, second = client.get("/f/dvc-hai-long"), client.get("/f/dvc-hai-long")
    nonces = [csp(r)["script-src"] for r in (first, second)]
    assert nonces[0] != nonces[1]
    for response, policy in zip((first, second), nonces, strict=True):
        nonce = re.fullmatch(r"'nonce-([A-Za-z0-9_-]{24})'", policy)
        assert nonce
        scripts = re.findall(r"<script([^>]*)>", response.text)
        assert scripts, "the form page has its scripts"
        assert all(f'nonce="{nonce.group(1)}"' in attrs and "src=" in attrs
                   for attrs in scripts)  # every script has the nonce, none is inline


@pytest.mark.parametrize("path", ["/", "/f/dvc-hai-long", "/f/tat-ca-loai-cau-hoi",
                                  "/f/gop-y-nhanh", "/admin/login"])
def test_no_page_has_inline_script_or_style(client: TestClient, path: str) -> None:
    text = client.get(path).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
    assert " style=" not in text and "<style" not in text
    assert not re.search(r"\son[a-z]+=", text)  # no onclick= and the like


def test_allowed_frame_ancestors_replace_deny(make_client) -> None:
    client = make_client(DEMO_FORMS, frame_ancestors="https://dichvucong.example.gov.vn")
    response = client.get("/f/gop-y-nhanh")
    assert csp(response)["frame-ancestors"] == "https://dichvucong.example.gov.vn"
    assert "x-frame-options" not in response.headers


def test_hsts_over_https(make_client) -> None:
    client = make_client(DEMO_FORMS, https=True)
    assert client.get("/").headers["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains")
