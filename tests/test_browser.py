"""A citizen and an official in a real browser (Debian's Chromium, through Playwright),
against a real `vnform serve`: mouse, keyboard alone, JavaScript on and off, downloads,
screenshots, and no horizontal scrolling on a small phone."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from conftest import DESIGNED_FORM_ID, HOSTILE, ROOT, Site, sign_in_browser

pytestmark = pytest.mark.browser

SURVEY = "/f/dvc-hai-long"
QUICK = "/f/gop-y-nhanh"
#: Screenshots land here (CI keeps the folder as an artefact of the run).
ARTIFACTS = Path(os.environ.get("VNFORM_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts"))


def last_response(site: Site) -> int:
    ((found,),) = site.rows("select max(id) from response")
    return int(found)


def screenshot(page: Any, name: str) -> None:
    """The page at a phone's and a desktop's width, full length."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}x800.png"), full_page=True)
    page.set_viewport_size(size)


def thanked(page: Any) -> bool:
    """Whether the thank-you page arrived (waiting for it, as a person would)."""
    heading = page.get_by_role("heading", name=re.compile(
        "Thank you for your feedback|Cảm ơn"))
    heading.wait_for()
    return heading.is_visible()


def scrolls_sideways_at_320(page: Any) -> bool:
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    wider = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.set_viewport_size(size)
    return bool(wider)


# --- a citizen, with the mouse ----------------------------------------------------------

def test_a_citizen_completes_the_multi_page_survey_with_the_mouse(page, site: Site) -> None:
    page.goto(SURVEY + "?lang=en")
    page.get_by_label("Online on the public service portal").check()
    page.get_by_label("How many times did you have to submit").fill("2")
    page.locator("#question-dung_han").get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()

    page.locator("#question-hai_long").get_by_label("Satisfied", exact=True).check()
    difficulties = page.locator("#question-kho_khan")
    assert difficulties.is_hidden()  # shown only when applying online was hard
    page.locator("#question-de_dang").get_by_label("Difficult", exact=True).check()
    assert difficulties.is_visible()
    page.get_by_label("Uploading documents").check()
    page.get_by_role("button", name="Continue").click()

    phone = page.locator("#question-dien_thoai")
    assert phone.is_hidden()
    page.locator("#question-lien_he").get_by_label("Yes").check()
    assert phone.is_visible()
    page.get_by_label("Contact phone number").fill("0912 345 678")
    # The phone number is personal data: the notice before it asks for agreement.
    page.get_by_label("I agree that the answers below are collected and used").check()
    page.get_by_label("Suggestions to improve the service").fill("Cần hướng dẫn rõ hơn")
    page.get_by_role("button", name="Submit").click()

    assert thanked(page)
    answers = site.answers(last_response(site))
    assert answers["kenh"] == "online" and answers["lan_nop"] == "2"
    assert answers["de_dang"] == "2" and answers["kho_khan"] == "upload"
    assert answers["dien_thoai"] == "0912345678"
    assert answers["gop_y"] == "Cần hướng dẫn rõ hơn"


def test_a_question_hidden_again_is_not_stored(page, site: Site) -> None:
    page.goto(QUICK + "?lang=en")
    page.locator("#question-danh_gia").get_by_label("5").check()
    page.get_by_role("button", name="Submit").click()
    assert thanked(page)
    assert site.answers(last_response(site)) == {"danh_gia": "5"}


def test_errors_move_focus_to_the_error_summary(page) -> None:
    page.goto(SURVEY + "?lang=en")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    first_error = summary.get_by_role("link").first
    assert "application" in first_error.inner_text()  # says which question, in words
    first_error.click()
    assert page.evaluate("document.activeElement.name") == "kenh"


def test_back_keeps_the_answers_of_the_page(page) -> None:
    page.goto(SURVEY + "?lang=en")
    page.get_by_label("By post").check()
    page.get_by_label("How many times did you have to submit").fill("3")
    page.locator("#question-dung_han").get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    page.locator("#question-hai_long").get_by_label("Very satisfied").check()
    page.get_by_role("button", name="Back").click()
    assert page.get_by_label("By post").is_checked()
    assert page.get_by_label("How many times did you have to submit").input_value() == "3"
    page.get_by_role("button", name="Continue").click()
    assert page.locator("#question-hai_long").get_by_label("Very satisfied").is_checked()


# --- a citizen, with the keyboard alone ----------------------------------------------------

def test_a_citizen_completes_a_form_with_the_keyboard_alone(page, site: Site) -> None:
    page.goto(QUICK + "?lang=en")
    first = page.locator("#question-danh_gia input[type=radio]").first
    for _ in range(40):  # Tab from the top of the page to the first answer
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "danh_gia":
            break
    assert page.evaluate("document.activeElement.name") == "danh_gia"
    page.keyboard.press("Space")
    assert first.is_checked()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # radios move with the arrow keys
    assert page.evaluate("document.activeElement.value") == "3"
    page.keyboard.press("Tab")  # to "on time?"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.name") != "gop_y":
        page.keyboard.press("Tab")
    page.keyboard.type("Gõ bằng bàn phím")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Submit"
    page.keyboard.press("Enter")
    assert thanked(page)
    answers = site.answers(last_response(site))
    assert answers["danh_gia"] == "3"
    assert answers["gop_y"] == "Gõ bằng bàn phím"


def test_focus_is_always_visible(page) -> None:
    page.goto(SURVEY + "?lang=en")
    for _ in range(7):  # every control of the first page, and the links before them
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "(() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.tagName, s.outlineStyle, s.outlineWidth, s.boxShadow]; })()")
        assert outline[0] != "BODY", "focus left the page"
        assert outline[1] != "none" or outline[3] != "none", outline


# --- a citizen, without JavaScript --------------------------------------------------------

def test_the_survey_works_without_javascript(page_without_js, site: Site) -> None:
    page = page_without_js
    page.goto(SURVEY + "?lang=en")
    page.get_by_label("At the one-stop counter").check()
    page.locator("#question-dung_han").get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    # Applying online did not happen: the server leaves out its questions.
    assert page.locator("#question-de_dang").count() == 0
    page.locator("#question-hai_long").get_by_label("Satisfied", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    # Without JavaScript, a question that depends on this page shows, with a note.
    assert page.locator("#question-dien_thoai").is_visible()
    page.locator("#question-lien_he").get_by_label("No").check()
    page.get_by_label("Contact phone number").fill("0912 345 678")  # does not apply
    page.get_by_role("button", name="Submit").click()
    assert thanked(page)
    answers = site.answers(last_response(site))
    assert answers["kenh"] == "counter" and answers["lien_he"] == "no"
    assert "dien_thoai" not in answers and "de_dang" not in answers


def test_errors_without_javascript_link_to_their_fields(page_without_js) -> None:
    page = page_without_js
    page.goto(SURVEY + "?lang=en")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("[data-error-summary]").is_visible()
    assert page.title().startswith("Error:")


# --- an official ---------------------------------------------------------------------------

def test_an_official_filters_the_dashboard_and_downloads_csv_and_xlsx(page, site: Site,
                                                                       tmp_path: Path) -> None:
    from openpyxl import load_workbook

    page.goto(QUICK + "?lang=vi")
    page.locator("#question-danh_gia").get_by_label("4").check()
    page.get_by_label("Điều gì chúng tôi nên làm tốt hơn?").fill("Tải về được không?")
    page.get_by_role("button", name="Gửi").click()
    mine = last_response(site)

    sign_in_browser(page)
    page.goto("/admin/forms/gop-y-nhanh?lang=en")
    page.locator("select#language").select_option("vi")
    page.get_by_role("button", name="Apply filters").click()
    assert "language=vi" in page.url
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV for Excel").click()
    text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    table = {row["response_id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert table[str(mine)]["gop_y"] == "Tải về được không?"
    assert table[str(mine)]["danh_gia"] == "4"
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download Excel workbook (XLSX)").click()
    target = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(target)
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    (row,) = [r for r in rows[1:] if r[0] == mine]
    assert row[header.index("gop_y")] == "Tải về được không?"
    assert row[header.index("danh_gia")] == 4


# --- screenshots and small screens ---------------------------------------------------------

def test_screenshots_of_the_form_an_error_the_thanks_and_the_dashboard(page) -> None:
    page.goto(SURVEY + "?lang=vi")
    screenshot(page, "form")
    assert not scrolls_sideways_at_320(page)
    page.get_by_role("button", name="Tiếp tục").click()
    screenshot(page, "error")
    assert not scrolls_sideways_at_320(page)
    page.goto(QUICK + "?lang=vi")
    page.locator("#question-danh_gia").get_by_label("5").check()
    page.get_by_role("button", name="Gửi").click()
    screenshot(page, "thanks")
    assert not scrolls_sideways_at_320(page)
    sign_in_browser(page)
    page.goto("/admin/forms/dvc-hai-long")
    screenshot(page, "dashboard")
    assert not scrolls_sideways_at_320(page)
    for name in ("form", "error", "thanks", "dashboard"):
        for width in (360, 1280):
            assert (ARTIFACTS / f"{name}-{width}x800.png").stat().st_size > 1000


@pytest.mark.parametrize("path", ["/", SURVEY, QUICK, "/f/tat-ca-loai-cau-hoi",
                                  "/admin/login", "/admin", "/admin/indicators"])
def test_no_page_scrolls_sideways_at_320_pixels(page, path: str) -> None:
    if path.startswith("/admin") and path != "/admin/login":
        sign_in_browser(page)
    page.goto(path)
    assert not scrolls_sideways_at_320(page), path


def test_settings_do_not_leak_between_visits(page, site: Site) -> None:
    """Sanity check of the fixtures: each test's visit starts without cookies."""
    assert page.context.cookies() == []
    assert json.loads(httpx.get(site.url + "/healthz").text)["status"] == "ok"


def test_the_content_security_policy_blocks_nothing_of_ours(page) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.goto(SURVEY + "?lang=en")
    page.get_by_label("Online on the public service portal").check()
    page.get_by_role("button", name="Continue").click()
    assert page.evaluate("typeof window.vnformShowIf") == "object"  # the script ran
    assert [p for p in problems if "Content Security Policy" in p] == []


# --- markup stays text ------------------------------------------------------------------------

def test_markup_in_a_form_and_in_answers_stays_inert_on_every_page(page) -> None:
    page.goto("/f/the-markup?lang=en")
    assert "<img" in page.locator("h1").inner_text()  # shown as text
    page.locator("#question-chon input").first.check()
    page.get_by_label("Comment").fill(HOSTILE)
    page.locator("button[value=next]").click()
    assert thanked(page)
    sign_in_browser(page)
    for path in ("/admin", "/admin/forms/the-markup", "/admin/forms/the-markup/responses",
                 "/admin/forms/the-markup/responses/1", "/admin/forms/the-markup/texts/y_kien",
                 "/f/the-markup?lang=vi", "/"):
        page.goto(path)
        assert page.evaluate("window.pwned") is None, path
        assert page.locator("img[onerror], script:not([src])").count() == 0, path


# --- beyond axe ---------------------------------------------------------------------------------

TARGETS = ("input[type=radio], input[type=checkbox], button, select, input[type=text],"
           " input[type=email], input[type=tel], input[type=date], textarea, summary")


@pytest.mark.parametrize("path", ["/f/tat-ca-loai-cau-hoi", SURVEY, QUICK, "/admin/login"])
def test_every_target_is_at_least_24_by_24_pixels(page, path: str) -> None:
    """WCAG 2.5.8: a control, or the label that also works it, is 24 px or more."""
    page.goto(path + "?lang=en")
    small = page.evaluate("""(selector) => {
        const out = [];
        for (const e of document.querySelectorAll(selector)) {
            const boxes = [e.getBoundingClientRect()];
            if (e.labels) { for (const l of e.labels) boxes.push(l.getBoundingClientRect()); }
            if (e.offsetParent === null) continue;  // hidden
            if (!boxes.some(r => r.width >= 24 && r.height >= 24))
                out.push((e.name || e.textContent.trim()) + " " + boxes[0].width
                         + "x" + boxes[0].height);
        }
        return out;
    }""", TARGETS)
    assert small == []


def test_the_survey_works_at_200_percent_zoom(page) -> None:
    """A 1280 px window at 200% lays out as 640 px: nothing scrolls sideways, and the
    survey can still be answered and sent."""
    page.set_viewport_size({"width": 640, "height": 400})
    page.goto(QUICK + "?lang=en")
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.locator("#question-danh_gia").get_by_label("4").check()
    page.get_by_role("button", name="Submit").click()
    assert thanked(page)


def test_personal_fields_say_what_browsers_may_fill_in(page) -> None:
    page.goto("/f/tat-ca-loai-cau-hoi?lang=en")
    filled = page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('[autocomplete]')].map(e => [e.name, e.autocomplete]))""")
    assert filled["ho_ten"] == "name"
    assert filled["email"] == "email"
    assert filled["dien_thoai"] == "tel"


def test_people_never_see_or_reach_the_honeypot(page) -> None:
    page.goto(QUICK + "?lang=en")
    assert page.locator("#hp-website").is_hidden()
    for _ in range(30):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") != "_website"


def tab_to(page: Any, name: str, limit: int = 60) -> None:
    """Press Tab until the control named *name* (a field, or a button's text) has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name || ''") == name or page.evaluate(
                "document.activeElement.tagName === 'BUTTON'"
                " && document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def test_a_citizen_completes_the_multi_page_survey_with_the_keyboard_alone(
        page, site: Site) -> None:
    page.goto(SURVEY + "?lang=en")
    tab_to(page, "kenh")
    page.keyboard.press("Space")  # the first choice: online
    tab_to(page, "lan_nop")
    page.keyboard.type("1")
    tab_to(page, "dung_han")
    page.keyboard.press("Space")
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.locator("#question-hai_long").wait_for()

    tab_to(page, "hai_long")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 3
    tab_to(page, "de_dang")
    page.keyboard.press("Space")  # very difficult: the difficulties question appears
    assert page.locator("#question-kho_khan").is_visible()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 4, easy: it goes again
    assert page.locator("#question-kho_khan").is_hidden()
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.locator("#question-gioi_thieu").wait_for()

    tab_to(page, "gop_y")
    page.keyboard.type("Bàn phím là đủ")
    tab_to(page, "Submit")
    page.keyboard.press("Enter")
    assert thanked(page)
    answers = site.answers(last_response(site))
    assert answers["kenh"] == "online" and answers["lan_nop"] == "1"
    assert answers["hai_long"] == "3" and answers["de_dang"] == "4"
    assert answers["gop_y"] == "Bàn phím là đủ"
    assert "kho_khan" not in answers


# --- designing a form ---------------------------------------------------------------------

def test_an_official_sees_a_problem_appear_as_they_type_previews_and_publishes(page,
                                                                       site: Site) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_browser(page)
    page.goto(f"/admin/forms/{DESIGNED_FORM_ID}/edit")
    source = page.locator("#source")
    source.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("  - {id: y_kien, type: textarea, label: Ý kiến, personal_data: none, "
                       "colour: red}\n")
    problem = page.locator("#live-problems li").first
    problem.wait_for()
    assert problem.inner_text() == "line 10, column 70: unknown key 'colour'"
    marked = page.locator("[data-gutter] .has-problem")  # and beside its line
    assert marked.all_inner_texts() == ["10"]
    problem.locator("a").click()  # the caret goes to the problem's place
    assert page.evaluate("document.activeElement.id") == "source"
    line = page.evaluate("(a => a.value.slice(0, a.selectionStart).split('\\n').length)"
                         "(document.getElementById('source'))")
    assert line == 10
    page.keyboard.press("Control+End")
    text = source.input_value().replace(", colour: red", "")
    source.fill(text)
    page.locator("#live-check", has_text="No problem found.").wait_for()
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_text("The draft was saved.").wait_for()
    page.get_by_role("link", name="Question builder").click()
    page.locator("#b-id").fill("lan_dau")
    page.locator("#b-type").select_option("yes_no")
    page.locator("#b-label-vi").fill("Lần đầu Ông/Bà dùng dịch vụ")
    page.locator("#b-label-en").fill("Your first time using the service")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_text("The draft was saved.").wait_for()
    assert page.locator(".builder-list strong",
                        has_text="Your first time using the service").count() == 1
    page.get_by_role("link", name="Preview the form").click()
    page.locator(".preview-banner").wait_for()
    page.locator("#question-danh_gia input").first.check()
    page.locator("button[value=next]").click()
    page.wait_for_url(re.compile(r".*/preview/thanks$"))
    assert site.rows("select count(*) from test_response") == [(1,)]
    assert site.rows("select count(*) from response where form_id = ?",
                     DESIGNED_FORM_ID) == [(0,)]
    page.goto(f"/admin/forms/{DESIGNED_FORM_ID}/edit")
    page.get_by_role("button", name="Publish the draft").click()
    page.get_by_text("The form was published").wait_for()
    page.goto(f"/f/{DESIGNED_FORM_ID}?lang=en")
    assert page.locator("textarea[name=y_kien]").count() == 1
    assert site.rows("select state, draft_revision from form_design") == [("live", None)]
