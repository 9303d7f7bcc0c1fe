"""A survey's link and QR code on its results page, for posters at one-stop counters, and
the link of a filtered view of the results, to pass on.

Through real HTTP, as in test_dashboard.py. The QR code is not decoded here (no reader
among the dependencies): its document is checked, and what it encodes is segno's job.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from conftest import sign_in, sign_in_browser
from starlette.testclient import TestClient

from vnform import qrcodes

ADMIN = "admin@so.gov.vn"
ANALYST = "phan.tich@badinh.gov.vn"  # ubnd-phuong-ba-dinh: gop-y-nhanh only
QR = "/admin/forms/gop-y-nhanh/qr.svg"
RESULTS = "/admin/forms/gop-y-nhanh"
SVG = "{http://www.w3.org/2000/svg}"
PUBLIC = "https://khaosat.example.gov.vn"


@pytest.fixture
def signed_in(add_official, make_client) -> Callable[..., TestClient]:
    """The app serving the demo forms (with *overrides* of its settings), *email* signed in."""

    def start(email: str = ADMIN, **overrides: Any) -> TestClient:
        add_official(ADMIN)
        add_official(ANALYST, "analyst", "ubnd-phuong-ba-dinh")
        client = make_client(**overrides)
        assert sign_in(client, email).status_code == 303
        return client

    return start


def title_of(document: bytes) -> str:
    root = ET.fromstring(document)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text
    return title.text


# --- the QR code --------------------------------------------------------------------------


def test_the_qr_code_is_an_svg_document_to_download(signed_in) -> None:
    response = signed_in().get(QR)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-disposition"] == (
        'attachment; filename="gop-y-nhanh-qr.svg"; filename*=UTF-8\'\'gop-y-nhanh-qr.svg')
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<svg ')
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    # Drawn at its own size, and scaled (not cut) where a page shows it smaller.
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert not root.findall(f".//{SVG}script") and b"<script" not in response.content


def test_the_qr_code_names_the_surveys_address_from_the_request(signed_in) -> None:
    response = signed_in().get(QR)
    assert title_of(response.content) == "http://testserver/f/gop-y-nhanh"


def test_the_qr_code_names_the_configured_public_address(signed_in) -> None:
    response = signed_in(public_url=PUBLIC + "/").get(QR)
    assert title_of(response.content) == PUBLIC + "/f/gop-y-nhanh"


def test_the_qr_code_is_the_surveys_address_encoded() -> None:
    """The same address always gives the same code; another gives another."""
    url = PUBLIC + "/f/gop-y-nhanh"
    assert qrcodes.svg(url, url) == qrcodes.svg(url, url)
    assert qrcodes.svg(url, url) != qrcodes.svg(url + "x", url)


def test_an_analyst_gets_the_qr_code_of_their_agencys_form(signed_in) -> None:
    assert signed_in(ANALYST).get(QR).status_code == 200


@pytest.mark.parametrize("url", ["/admin/forms/dvc-hai-long/qr.svg",
                                 "/admin/forms/khong-ton-tai/qr.svg"])
def test_another_agencys_form_or_none_has_no_qr_code(signed_in, url: str) -> None:
    response = signed_in(ANALYST).get(url, follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_signed_out_visitors_get_no_qr_code(signed_in) -> None:
    client = signed_in()
    client.cookies.clear()
    response = client.get(QR, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/login?next=")


# --- the results page --------------------------------------------------------------------------


def share_section(page: Any) -> str:
    match = re.search(r'<section class="no-print" aria-labelledby="share-title">(.*?)'
                      r"</section>", page.text, re.S)
    assert match, page.text
    return match.group(1)


def test_the_results_page_shows_the_surveys_link_and_its_qr_code(signed_in) -> None:
    page = signed_in().get(RESULTS + "?lang=en")
    assert page.status_code == 200
    shared = share_section(page)
    assert '<a href="http://testserver/f/gop-y-nhanh">http://testserver/f/gop-y-nhanh</a>' \
        in shared
    img = re.search(r"<img [^>]*>", shared)
    assert img, shared
    assert f'src="{QR}"' in img.group(0)
    assert 'alt="QR code that opens the survey at http://testserver/f/gop-y-nhanh"' \
        in img.group(0)
    assert f'<a href="{QR}" download>Download the QR code (SVG)</a>' in shared


def test_the_results_page_links_the_configured_public_address(signed_in) -> None:
    shared = share_section(signed_in(public_url=PUBLIC).get(RESULTS + "?lang=en"))
    assert f'<a href="{PUBLIC}/f/gop-y-nhanh">' in shared
    assert f'alt="QR code that opens the survey at {PUBLIC}/f/gop-y-nhanh"' in shared


def test_the_link_of_the_filtered_view_can_be_copied_without_javascript(signed_in) -> None:
    page = signed_in().get(RESULTS + "?since=2026-01-01&language=vi&lang=en")
    shared = share_section(page)
    field = re.search(r'<input [^>]*id="results-link"[^>]*>', shared)
    assert field, shared
    assert " readonly" in field.group(0)
    value = html.unescape(re.search(r'value="([^"]*)"', field.group(0)).group(1))
    assert value == f"http://testserver{RESULTS}?since=2026-01-01&language=vi"
    assert re.search(r'<label class="label" for="results-link">[^<]+</label>', shared)
    # The button needs JavaScript: hidden until the script shows it.
    button = re.search(r'<button [^>]*data-copy="results-link"[^>]*>Copy link</button>', shared)
    assert button and " hidden" in button.group(0)


def test_the_copy_script_carries_the_pages_nonce(signed_in) -> None:
    client = signed_in()
    page = client.get(RESULTS)
    nonce = re.search(r"script-src 'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce
    assert f'<script nonce="{nonce.group(1)}" src="/static/js/copy_link.js" defer></script>' \
        in page.text
    assert page.text.count("<script") == page.text.count(f'<script nonce="{nonce.group(1)}"')
    assert client.get("/static/js/copy_link.js").status_code == 200


# --- in a browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_qr_code_shows_and_the_copy_button_copies_the_pages_address(page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in_browser(page)
    page.goto(RESULTS + "?language=vi&lang=en")
    drawn = page.locator("img.qr-code").evaluate("img => img.complete && img.naturalWidth")
    assert drawn > 0
    button = page.get_by_role("button", name="Copy link")
    assert button.is_visible()
    assert page.locator("#results-link").input_value() == page.url
    button.click()
    page.get_by_role("status").filter(has_text="Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == page.url


@pytest.mark.browser
def test_without_javascript_the_address_waits_in_its_field(page_without_js) -> None:
    sign_in_browser(page_without_js)
    page_without_js.goto(RESULTS + "?language=vi&lang=en")
    assert page_without_js.locator("button[data-copy]").is_hidden()
    field = page_without_js.get_by_label("Link to this view of the results, its filters "
                                         "included")
    assert field.input_value().endswith(RESULTS + "?language=vi")
    assert field.get_attribute("readonly") is not None
