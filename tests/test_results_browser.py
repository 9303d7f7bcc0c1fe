"""The results and indicators pages in Chromium, with answers to read: each chart is
downloaded as SVG and as PNG, a page prints to a sensible PDF, a table too wide for a
phone says that it scrolls; screenshots at 360 and 1280 px in both languages are kept
in var/test-artifacts for people to look at."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, Site, sign_in_browser

pytestmark = pytest.mark.browser
ARTIFACTS = Path(os.environ.get("VNFORM_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts"))
FORM = "dvc-hai-long"
RESULTS = f"/admin/forms/{FORM}"


@pytest.fixture(scope="module", autouse=True)
def answers(site: Site) -> None:
    """300 generated responses to the demo survey, written while the server runs."""
    subprocess.run([sys.executable, "-m", "vnform", "demo", "--form", FORM, "--responses",
                    "300", "--seed", "5", "--db", f"sqlite://{site.database}",
                    "--forms", str(ROOT / "forms")], check=True, capture_output=True)


def _download(page: Any, name: str) -> tuple[str, bytes]:
    with page.expect_download() as waiting:
        page.get_by_role("button", name=name).first.click()
    download = waiting.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_a_chart_downloads_as_svg_and_as_png(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_browser(page)
    page.goto(f"{RESULTS}?lang=en")
    name, svg = _download(page, "Download the chart (SVG)")
    assert name == "chart-days.svg"
    assert svg.startswith(b"<?xml") and b"<svg" in svg and b'role="img"' in svg
    name, png = _download(page, "Download the chart (PNG)")
    assert name == "chart-days.png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000


def test_the_results_page_prints_one_block_per_question(page) -> None:
    sign_in_browser(page)
    page.goto(f"{RESULTS}?lang=vi")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()  # no navigation on paper
    assert page.locator("form.filters").is_hidden()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    questions = page.locator("section.result").count()
    assert 1 <= pages <= questions  # never a page per block, nor one block cut in many


def test_a_table_too_wide_for_a_phone_says_that_it_scrolls(page) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in_browser(page)
    page.goto("/admin/indicators?lang=vi")
    hint = page.locator(".scroll-hint").first
    hint.wait_for()
    assert hint.inner_text() == "Kéo bảng sang ngang để xem hết các cột."


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_of_the_results_and_indicators_pages(page, lang: str,
                                                         width: int) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(page, lang)
    for name, url in (("results", RESULTS), ("indicators", "/admin/indicators")):
        page.goto(f"{url}?lang={lang}")
        path = ARTIFACTS / f"{name}-{lang}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_no_accessibility_violation_on_the_results_page_with_answers(page, lang: str,
                                                                     width: int) -> None:
    from test_accessibility import violations

    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(page, lang)
    page.goto(f"{RESULTS}?lang={lang}")
    for summary in page.locator("main summary").all():  # every table unfolded
        summary.click()
    assert page.locator(".chart-downloads").count() > 0
    assert violations(page) == []
