"""The personal-data notice and the citizen's consent, and the private link the
thank-you page gives: through the pages, as a citizen uses them.

A form with personal-data questions shows its notice just before the first of them,
with an unticked box. Agreeing stores the answers with the consent (the notice's hash,
when); declining skips those questions and stores nothing personal. The private link
shows the answers, downloads them, and deletes them.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from conftest import Citizen, errors, sign_in

OFFICIAL = "rieng.tu@so.gov.vn"

ONE_PAGE = """
id: lien-he
title: {vi: Liên hệ lại, en: Contact}
agency: so-thu
languages: [vi, en]
purpose: {vi: Liên hệ lại về hồ sơ., en: To contact you about your application.}
controller: {vi: Sở Thu, en: Department of Revenue}
retention_days: 30
contact_consent: true
questions:
  - id: hai_long
    type: rating
    label: {vi: Hài lòng, en: Satisfied}
    required: true
  - id: dien_thoai
    type: phone
    label: {vi: Điện thoại, en: Phone}
    personal_data: basic
    required: true
  - id: gop_y
    type: textarea
    label: {vi: Góp ý, en: Comments}
    personal_data: none
"""

MULTI_PAGE = """
id: nhieu-trang
title: {vi: Nhiều trang, en: Several pages}
agency: so-thu
languages: [vi, en]
purpose: {vi: Liên hệ lại., en: To contact you.}
controller: {vi: Sở Thu, en: Department of Revenue}
retention_days: 30
pages:
  - id: mot
    questions:
      - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}}
      - {id: email, type: email, label: {vi: Thư, en: Email}, personal_data: basic}
  - id: hai
    questions:
      - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone},
         personal_data: basic}
      - {id: y_kien, type: textarea, label: {vi: Ý kiến, en: Views}, personal_data: none}
"""


@pytest.fixture
def serve(write_form, forms_dir, add_official, make_client) -> Any:
    def start(*forms: str) -> Any:
        for form in forms:
            write_form(form)
        return make_client(forms_dir)

    return start


@pytest.fixture
def app(serve) -> Any:
    return serve(ONE_PAGE, MULTI_PAGE)


def fresh(client: Any) -> Citizen:
    client.cookies.clear()
    return Citizen(client)


def notice_text(page: Any) -> str:
    block = page.text.split('<section class="privacy-notice"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", block))).strip()


def private_link(page: Any) -> str:
    found = re.search(r'<p class="private-link"><a href="http://[^/]+(/r/[^"]+)"', page.text)
    assert found, "no private link on the page"
    return html.unescape(found.group(1))


# --- the notice ----------------------------------------------------------------------

def test_the_notice_shows_just_before_the_first_personal_question(app) -> None:
    page = fresh(app).open("/f/lien-he?lang=en")
    text = page.text
    assert text.index('id="question-hai_long"') < text.index('class="privacy-notice"') \
        < text.index('id="question-dien_thoai"')
    notice = notice_text(page)
    for part in ("What we ask for Phone (personal data)",
                 "Why To contact you about your application.",
                 "Who is responsible Department of Revenue",
                 "How long it is kept 30 days after you send your answers",
                 "Your rights You choose"):
        assert part in notice, notice


def test_the_consent_boxes_are_unticked(app) -> None:
    text = fresh(app).open("/f/lien-he").text
    for name in ("consent", "contact_consent"):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', text)
        assert box and "checked" not in box.group(0)


def test_the_notice_reads_in_vietnamese(app) -> None:
    notice = notice_text(fresh(app).open("/f/lien-he?lang=vi"))
    assert "Lý do Liên hệ lại về hồ sơ." in notice and "Thời gian lưu 30 ngày" in notice


# --- consent given or declined -------------------------------------------------------

def test_agreeing_stores_the_personal_answers_with_the_consent(app, rows) -> None:
    citizen = fresh(app)
    citizen.open("/f/lien-he?lang=en")
    sent = citizen.post("/f/lien-he", {"hai_long": "5", "dien_thoai": "0912345678",
                                       "consent": "yes", "contact_consent": "yes"})
    assert sent.status_code == 303, errors(citizen.page)
    assert rows("select question, text from answer where question = 'dien_thoai'") == [
        ("dien_thoai", "0912345678")]
    ((consent, notice, at, contact),) = rows(
        "select consent, consent_notice, consent_at, contact_consent from response")
    assert (consent, contact) == (1, 1)
    assert re.fullmatch(r"[0-9a-f]{64}", notice) and at is not None


def test_declining_skips_the_personal_questions_and_stores_nothing_personal(app,
                                                                            rows) -> None:
    citizen = fresh(app)
    citizen.open("/f/lien-he")
    # The phone number is required, but not without consent.
    sent = citizen.post("/f/lien-he", {"hai_long": "4", "gop_y": "Nhanh"})
    assert sent.status_code == 303, errors(citizen.page)
    assert rows("select question from answer order by question") == [("gop_y",),
                                                                      ("hai_long",)]
    assert rows("select consent, contact_consent from response") == [(0, 0)]


def test_a_personal_answer_without_agreement_is_asked_about_and_not_stored(app,
                                                                           rows) -> None:
    citizen = fresh(app)
    citizen.open("/f/lien-he?lang=en")
    page = citizen.post("/f/lien-he", {"hai_long": "4", "dien_thoai": "0912345678"})
    assert page.status_code == 200
    assert "To give this answer, tick the box above" in " ".join(errors(page))
    assert 'value="0912345678"' in page.text  # nothing typed is lost
    assert rows("select count(*) from response") == [(0,)]


def test_a_declined_notice_skips_personal_questions_on_later_pages(app, rows) -> None:
    citizen = fresh(app)
    citizen.open("/f/nhieu-trang")
    second = citizen.follow(citizen.post("/f/nhieu-trang/p/mot", {"hai_long": "3"}))
    assert 'id="question-dien_thoai"' not in second.text
    assert 'id="question-y_kien"' in second.text
    done = citizen.post("/f/nhieu-trang/p/hai", {"y_kien": "Ổn"})
    assert done.status_code == 303, errors(citizen.page)
    assert rows("select question from answer order by question") == [("hai_long",),
                                                                      ("y_kien",)]
    assert rows("select consent from response") == [(0,)]


def test_an_agreement_on_the_first_page_covers_the_later_ones(app, rows) -> None:
    citizen = fresh(app)
    citizen.open("/f/nhieu-trang")
    second = citizen.follow(citizen.post("/f/nhieu-trang/p/mot", {
        "hai_long": "3", "email": "dan@example.vn", "consent": "yes"}))
    assert 'id="question-dien_thoai"' in second.text
    assert 'class="privacy-notice"' not in second.text
    citizen.post("/f/nhieu-trang/p/hai", {"dien_thoai": "0912345678"})
    assert rows("select question from answer order by question") == [
        ("dien_thoai",), ("email",), ("hai_long",)]
    assert rows("select consent from response") == [(1,)]


def test_a_form_without_personal_data_asks_nothing(serve, rows) -> None:
    client = serve("""
id: gon
title: Gọn
agency: so-thu
questions:
  - {id: hai_long, type: rating, label: Hài lòng}
""")
    citizen = fresh(client)
    page = citizen.open("/f/gon")
    assert "privacy-notice" not in page.text
    assert citizen.post("/f/gon", {"hai_long": "5"}).status_code == 303
    assert rows("select consent, consent_notice from response") == [(None, None)]


# --- the private link ----------------------------------------------------------------

@pytest.fixture
def answered(app) -> tuple[Any, str]:
    """A citizen who agreed and answered; their private link."""
    citizen = fresh(app)
    citizen.open("/f/lien-he?lang=en")
    thanks = citizen.follow(citizen.post("/f/lien-he", {
        "hai_long": "5", "dien_thoai": "0912345678", "gop_y": "Cảm ơn", "consent": "yes"}))
    return citizen, private_link(thanks)


def test_the_thank_you_page_gives_a_private_link(answered) -> None:
    _citizen, link = answered
    assert re.fullmatch(r"/r/[A-Z0-9]{4}-[A-Z0-9]{4}\?k=[A-Za-z0-9_-]{24}", link), link


def test_the_private_link_shows_the_answers_given(answered) -> None:
    citizen, link = answered
    page = citizen.open(link + "&lang=en")
    assert page.status_code == 200
    assert "0912345678" in page.text and "Cảm ơn" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


def test_the_answers_download_as_json(answered) -> None:
    citizen, link = answered
    path, query = link.split("?")
    response = citizen.client.get(f"{path}/answers.json?{query}")
    assert response.status_code == 200
    data = json.loads(response.text)
    assert data["answers"] == {"hai_long": "5", "dien_thoai": "0912345678",
                               "gop_y": "Cảm ơn"}
    assert data["consent"] == {"personal_data": True, "contact": False}


@pytest.mark.parametrize("change", ["wrong secret", "no secret", "unknown reference"])
def test_a_wrong_link_opens_nothing(answered, change: str) -> None:
    citizen, link = answered
    path, query = link.split("?")
    broken = {"wrong secret": f"{path}?k={'A' * 24}", "no secret": path,
              "unknown reference": f"/r/ZZZZ-9999?{query}"}[change]
    assert citizen.client.get(broken).status_code == 404


def test_a_link_past_the_retention_opens_nothing(answered, rows) -> None:
    citizen, link = answered
    rows("update response set submitted_at = '2020-01-01 00:00:00+00:00'")
    assert citizen.client.get(link).status_code == 404


def delete(citizen: Any, link: str, what: str, confirm: bool = True) -> Any:
    page = citizen.open(link)
    path, query = link.split("?")
    return citizen.client.post(f"{path}/delete", data={
        "csrf_token": citizen.hidden["csrf_token"], "k": query.removeprefix("k="),
        "what": what, **({"confirm": "yes"} if confirm else {})}, follow_redirects=False) \
        if page.status_code == 200 else page


def test_deleting_the_personal_data_keeps_the_other_answers(answered, rows) -> None:
    citizen, link = answered
    done = delete(citizen, link, "personal")
    assert done.status_code == 303
    assert rows("select question from answer order by question") == [("gop_y",),
                                                                      ("hai_long",)]
    assert rows("select erased_at is not null from response") == [(1,)]
    page = citizen.open(done.headers["location"] + "&lang=en")
    assert "Your personal data has been deleted" in page.text
    assert "0912345678" not in page.text


def test_deleting_everything_removes_the_response_and_the_link(answered, rows) -> None:
    citizen, link = answered
    done = delete(citizen, link, "all")
    assert done.status_code == 200
    assert rows("select count(*) from response") == [(0,)]
    assert rows("select count(*) from answer") == [(0,)]
    assert citizen.client.get(link).status_code == 404


def test_a_deletion_needs_its_box_ticked(answered, rows) -> None:
    citizen, link = answered
    asked = delete(citizen, link, "all", confirm=False)
    assert asked.status_code == 303 and "confirm=all" in asked.headers["location"]
    assert rows("select count(*) from response") == [(1,)]


def test_a_deletion_is_audited_without_the_values(answered, rows) -> None:
    citizen, link = answered
    delete(citizen, link, "personal")
    ((action, details),) = rows("select action, details from audit_event "
                                "where action like 'response_%'")
    assert action == "response_erased"
    assert "0912345678" not in details and json.loads(details)["via"] == "private_link"


def test_a_deleted_response_still_counts_in_the_results(answered, app, add_official,
                                                        database) -> None:
    citizen, link = answered
    add_official(OFFICIAL)
    delete(citizen, link, "all")
    app.cookies.clear()
    assert sign_in(app, OFFICIAL).status_code == 303
    page = app.get("/admin/forms/lien-he?lang=en")
    assert '<p class="big-number">1</p>' in page.text
    assert database.verify() == []


def test_the_private_link_is_shown_once(answered) -> None:
    citizen, _link = answered
    again = citizen.open("/f/lien-he/thanks")
    assert again.status_code == 200 and 'class="private-link"' not in again.text


def test_sending_the_same_answers_twice_gives_the_same_link(app, rows) -> None:
    citizen = fresh(app)
    citizen.open("/f/lien-he?lang=en")
    answers = {"hai_long": "5", "dien_thoai": "0912345678", "consent": "yes"}
    hidden = dict(citizen.hidden)
    first = private_link(citizen.follow(citizen.post("/f/lien-he", answers)))
    citizen.hidden = hidden  # the second click of a double click: the same page's tokens
    second = private_link(citizen.follow(citizen.post("/f/lien-he", answers)))
    assert first == second
    assert rows("select count(*) from response") == [(1,)]
    assert citizen.client.get(second).status_code == 200
