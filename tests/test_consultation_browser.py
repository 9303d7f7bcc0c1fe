"""A consultation in Chromium, against a real `vnform serve`: commenting with the
keyboard alone, and axe-core finding no WCAG 2.2 AA violation on its pages (document,
article, review, synthesis, officials') at 320 and 1280 pixels, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import CLOSED_CONSULTATION_ID, Site, sign_in_browser
from test_accessibility import violations

pytestmark = pytest.mark.browser

DEMO = "/f/gop-y-du-thao-nghi-dinh"


def tab_to(page: Any, condition: str, presses: int = 80) -> None:
    """Press Tab until *condition* (JavaScript, about document.activeElement) holds."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return {condition}; }})()"):
            return
    raise AssertionError(f"never reached: {condition}")


def test_a_citizen_comments_on_an_article_with_the_keyboard_alone(page, site: Site) -> None:
    page.goto(DEMO + "?lang=en")
    before = site.rows("select count(*) from comment")[0][0]
    tab_to(page, "e.href && e.href.endsWith('/a/dieu-4')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{DEMO}/a/dieu-4")
    tab_to(page, "e.name === 'commenter_type'")
    page.keyboard.press("Space")  # an individual
    tab_to(page, "e.name === 'stance'")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys: "propose a change"
    assert page.evaluate("document.activeElement.value") == "amend"
    tab_to(page, "e.name === 'proposal'")
    page.keyboard.type("Phiếu đánh giá không quá 5 câu hỏi.")
    tab_to(page, "e.name === 'text'")
    page.keyboard.type("Ngắn hơn thì nhiều người trả lời hơn.")
    tab_to(page, "e.tagName === 'BUTTON'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{DEMO}/review*")
    tab_to(page, "e.tagName === 'BUTTON' && e.value === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{DEMO}/thanks")
    assert page.locator(".receipt strong").inner_text()
    assert site.rows("select article, stance, commenter_type, proposal, text from comment "
                     "order by id desc limit 1") == [
        ("dieu-4", "amend", "individual", "Phiếu đánh giá không quá 5 câu hỏi.",
         "Ngắn hơn thì nhiều người trả lời hơn.")]
    assert site.rows("select count(*) from comment")[0][0] == before + 1


def test_commenting_works_without_javascript(page_without_js, site: Site) -> None:
    page = page_without_js
    page.goto(DEMO + "/a/general?lang=en")
    page.get_by_label("A state agency").check()
    page.get_by_label("Your comment", exact=True).fill("Không cần JavaScript.")
    page.get_by_role("button", name="Keep this comment").click()
    page.get_by_role("button", name="Send my comments").click()
    page.wait_for_url(f"**{DEMO}/thanks")
    assert site.rows("select text from comment order by id desc limit 1") == [
        ("Không cần JavaScript.",)]


def plain(path: str) -> Callable[[Any], None]:
    return lambda page: page.goto(path)


def signed_in(path: str) -> Callable[[Any], None]:
    def open_page(page: Any) -> None:
        sign_in_browser(page, page.locator("html").get_attribute("lang"))
        page.goto(path)
    return open_page


def article_with_errors(page: Any) -> None:
    page.goto(DEMO + "/a/dieu-2")
    page.locator(".comment-form button[type=submit]").click()
    page.locator("[data-error-summary]").wait_for()


def review_with_comments(page: Any) -> None:
    page.goto(DEMO + "/a/dieu-2")
    page.locator("input[name=commenter_type]").first.check()
    page.locator("input[name=stance][value=amend]").check()
    page.locator("#comment-proposal").fill("Không quá 5 phút.")
    page.locator("#comment-text").fill("Ngắn gọn hơn.")
    page.locator(".comment-form button[type=submit]").click()
    page.wait_for_url("**/review*")


ADMIN = f"/admin/forms/{DEMO.removeprefix('/f/')}"
STATES: dict[str, Callable[[Any], None]] = {
    "document": plain(DEMO),
    "article": plain(DEMO + "/a/dieu-2"),
    "article, errors": article_with_errors,
    "general comment": plain(DEMO + "/a/general"),
    "review": review_with_comments,
    "closed, with its synthesis": plain(f"/f/{CLOSED_CONSULTATION_ID}"),
    "published comments": plain(f"/f/{CLOSED_CONSULTATION_ID}/a/dieu-2"),
    "synthesis": plain(f"/f/{CLOSED_CONSULTATION_ID}/synthesis"),
    "officials: overview": signed_in(ADMIN),
    "officials: comments": signed_in(ADMIN + "/comments"),
    "officials: comments, actions open": lambda page: (
        signed_in(f"/admin/forms/{CLOSED_CONSULTATION_ID}/comments")(page),
        [s.click() for s in page.locator("details.comment-actions summary").all()]),
    "officials: synthesis": signed_in(f"/admin/forms/{CLOSED_CONSULTATION_ID}/synthesis"),
}


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("state", list(STATES))
def test_no_accessibility_violations_on_consultation_pages(page, state: str, lang: str,
                                                           width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/?lang={lang}")
    STATES[state](page)
    assert page.locator("html").get_attribute("lang") == lang
    assert violations(page) == [], state
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
