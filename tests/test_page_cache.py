"""A first visit's page is rendered once and sent to every first visit with its own
tokens: one citizen never sees another's tokens, answers or errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from conftest import Citizen, errors

TWO_PAGES = """\
id: hai-trang
title: {vi: Hai trang, en: Two pages}
agency: so-thu
languages: [vi, en]
pages:
  - id: mot
    questions:
      - id: y_kien
        type: text
        label: {vi: Ý kiến, en: Comment}
        personal_data: none
      - id: tuoi
        type: integer
        label: {vi: Tuổi, en: Age}
  - id: hai
    questions:
      - id: danh_gia
        type: rating
        label: {vi: Đánh giá, en: Rating}
"""
URL = "/f/hai-trang"


class Visit(Citizen):
    """A citizen with their own browser (cookies), on a client shared with others."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.jar = httpx.Cookies()

    def _as_me(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        self.client.cookies = self.jar
        try:
            return call(*args, **kwargs)
        finally:
            self.jar = self.client.cookies

    def open(self, url: str) -> Any:
        return self._as_me(super().open, url)

    def post(self, url: str, answers: dict[str, Any] | None = None,
             action: str | None = None, **extra: Any) -> Any:
        return self._as_me(super().post, url, answers, action, **extra)


@pytest.fixture
def visits(write_form, forms_dir: Path, make_client) -> tuple[Visit, Visit]:
    """Two citizens, each with their own browser, on one server, taking turns."""
    write_form(TWO_PAGES)
    client = make_client(forms_dir)
    return Visit(client), Visit(client)


def tokens(page: Any) -> tuple[str, str, str]:
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    token = re.search(r'name="_token" value="([^"]+)"', page.text).group(1)
    nonce = re.search(r'<script nonce="([^"]+)"', page.text).group(1)
    return csrf, token, nonce


def test_each_first_visit_gets_its_own_tokens_and_nonce(visits) -> None:
    one, two = visits
    a, b = one.open(URL + "?lang=en"), two.open(URL + "?lang=en")
    assert tokens(a)[0] != tokens(b)[0] and tokens(a)[1] != tokens(b)[1]
    for page in (a, b):
        nonce = tokens(page)[2]
        assert f"'nonce-{nonce}'" in page.headers["content-security-policy"]
        assert page.text.count(nonce) == page.text.count("<script nonce=")
    # Each visit's tokens are the ones its session holds: both can send the page.
    assert one.post(URL, {"y_kien": "Một", "tuoi": "30"}).status_code == 303
    assert two.post(URL, {"y_kien": "Hai", "tuoi": "40"}).status_code == 303


def test_one_visits_answers_and_errors_never_reach_another(visits) -> None:
    one, two = visits
    one.open(URL + "?lang=en")
    two.open(URL + "?lang=en")
    wrong = one.post(URL, {"y_kien": "Bí mật của người thứ nhất", "tuoi": "mười"})
    assert errors(wrong)  # shown to the first citizen only
    page = two.open(URL + "?lang=en")
    assert "Bí mật" not in page.text and errors(page) == []
    one.post(URL, {"y_kien": "Bí mật của người thứ nhất", "tuoi": "30"})
    back = one.open(URL + "?lang=en")  # their own answers, from their draft
    assert "Bí mật của người thứ nhất" in back.text
    again = two.open(URL + "?lang=en")
    assert "Bí mật" not in again.text
    assert tokens(again)[1] == tokens(page)[1]  # the same visit keeps its token
    assert tokens(again)[1] != tokens(back)[1]


def test_the_page_is_the_same_bytes_as_rendered_afresh(visits) -> None:
    one, two = visits
    first = one.open(URL + "?lang=vi").text
    second = two.open(URL + "?lang=vi").text  # from the stored pieces
    strip = re.compile(r'(value|nonce)="[A-Za-z0-9_-]{16,}"')
    assert strip.sub("", first) == strip.sub("", second)
    assert "Ý kiến" in second and 'lang="vi"' in second


def test_a_language_has_its_own_page(visits) -> None:
    one, two = visits
    assert "Comment" in one.open(URL + "?lang=en").text
    assert "Ý kiến" in two.open(URL + "?lang=vi").text
    assert ">Comment<" not in two.open(URL + "?lang=vi").text
