"""WCAG 2.2 AA, checked by axe-core in Chromium on every page state, in both languages:
zero violations. (Beyond axe: focus, reflow, keyboard use: tests/test_browser.py.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import DESIGNED_FORM_ID, sign_in_browser

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SURVEY = "/f/dvc-hai-long"
ALL_TYPES = "/f/tat-ca-loai-cau-hoi"


def violations(page: Any) -> list[str]:
    """axe-core's findings on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS},
                                       "resultTypes": ["violations"]})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x: "
            f"{', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in results.response["violations"]]


def survey_page_two(page: Any) -> None:
    page.goto(SURVEY)
    page.locator("#question-kenh input").first.check()
    page.locator("#question-dung_han input").first.check()
    page.locator("button[value=next]").click()
    page.locator("#question-hai_long").wait_for()


def survey_error(page: Any) -> None:
    page.goto(SURVEY)
    page.locator("button[value=next]").click()
    page.locator("[data-error-summary]").wait_for()


def all_types_error(page: Any) -> None:
    """Every text-like type answered wrongly at once."""
    page.goto(ALL_TYPES)
    for name, wrong in {"tuoi": "mười", "chi_phi": "nhiều", "email": "khong-phai-email",
                        "dien_thoai": "123", "ngay_nop": "31/02/2026"}.items():
        page.locator(f"[name={name}]").fill(wrong)
    page.locator("button[value=next]").click()
    page.locator("[data-error-summary]").wait_for()


def thanks(page: Any) -> None:
    page.goto("/f/gop-y-nhanh")
    page.locator("#question-danh_gia input").first.check()
    page.locator("button[value=next]").click()
    page.locator(".thanks, h1").first.wait_for()


def private_link(page: Any) -> None:
    """A citizen's own answers, opened from the thank-you page's private link."""
    thanks(page)
    page.locator(".private-link a").click()
    page.locator("#delete").wait_for()


def review(page: Any) -> None:
    """The check-your-answers page of the form that asks for one (review: true)."""
    page.goto(ALL_TYPES)
    for _ in range(10):
        if page.locator("form.review, .review-list, h1").first.is_visible() and \
                "/review" in page.url:
            return
        for box in page.locator("fieldset:has(input[type=radio])").all():
            box.locator("input[type=radio]").first.check()
        page.locator("button[value=next]").click()
        page.wait_for_load_state()
    assert "/review" in page.url, page.url


def signed_in(path: str) -> Callable[[Any], None]:
    def open_page(page: Any) -> None:
        lang = page.locator("html").get_attribute("lang")
        sign_in_browser(page, lang)
        page.goto(path)
    return open_page


def plain(path: str) -> Callable[[Any], None]:
    return lambda page: page.goto(path)


STATES: dict[str, Callable[[Any], None]] = {
    "home": plain("/"),
    "survey first page": plain(SURVEY),
    "survey second page (conditions)": survey_page_two,
    "survey error state": survey_error,
    "every question type": plain(ALL_TYPES),
    "every question type, errors": all_types_error,
    "thank-you page": thanks,
    "private link to one's answers": private_link,
    "review page": review,
    "closed form": plain("/f/da-dong"),
    "not found": plain("/f/khong-co"),
    "sign-in": plain("/admin/login"),
    "forms list": signed_in("/admin"),
    "dashboard": signed_in(f"/admin/forms{SURVEY.removeprefix('/f')}"),
    "dashboard of a segment (counted live)":
        signed_in(f"/admin/forms{SURVEY.removeprefix('/f')}?segment=dung_han:yes"),
    "responses": signed_in(f"/admin/forms{SURVEY.removeprefix('/f')}/responses"),
    "indicators": signed_in("/admin/indicators"),
    "audit log": signed_in("/admin/audit"),
    "find a response, not found": signed_in("/admin/responses?ref=ZZZZ-ZZZZ"),
    "find a response, not a code": signed_in("/admin/responses?ref=ABC"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("state", list(STATES))
def test_no_accessibility_violations(page, state: str, lang: str) -> None:
    page.goto(f"/?lang={lang}")  # the language is remembered for the visit
    STATES[state](page)
    assert page.locator("html").get_attribute("lang") == lang
    assert violations(page) == [], state


EDITOR = f"/admin/forms/{DESIGNED_FORM_ID}/edit"


def new_form_with_problems(page: Any) -> None:
    signed_in("/admin/forms/new")(page)
    page.locator("#source").fill("id: hong\nquestions:\n  - {id: a, type: ratting}\n")
    page.locator("form[enctype] button[type=submit]").click()
    page.locator("[data-error-summary]").wait_for()


def editor_checking_as_one_types(page: Any) -> None:
    signed_in(EDITOR)(page)
    page.locator("#source").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("  - {id: b, type: ratting, label: B}\n")
    page.locator("#live-problems li").first.wait_for()


def builder_with_page_settings_open(page: Any) -> None:
    signed_in(f"/admin/forms/{DESIGNED_FORM_ID}/builder")(page)
    for summary in page.locator("summary").all():
        summary.click()


DESIGNER_STATES: dict[str, Callable[[Any], None]] = {
    "new form": signed_in("/admin/forms/new"),
    "new form from a template": signed_in("/admin/forms/new?template=sipas"),
    "new form with problems": new_form_with_problems,
    "editor": signed_in(EDITOR),
    "editor, checking as one types": editor_checking_as_one_types,
    "history": signed_in(f"/admin/forms/{DESIGNED_FORM_ID}/history"),
    "builder": signed_in(f"/admin/forms/{DESIGNED_FORM_ID}/builder"),
    "builder, editing a question": signed_in(
        f"/admin/forms/{DESIGNED_FORM_ID}/builder?edit=danh_gia"),
    "builder, page settings open": builder_with_page_settings_open,
    "preview": signed_in(f"/admin/forms/{DESIGNED_FORM_ID}/preview"),
    "test responses": signed_in(f"/admin/forms/{DESIGNED_FORM_ID}/test-responses"),
}


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("state", list(DESIGNER_STATES))
def test_no_accessibility_violations_in_the_designer(page, state: str, lang: str,
                                                     width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/?lang={lang}")
    DESIGNER_STATES[state](page)
    assert violations(page) == []

