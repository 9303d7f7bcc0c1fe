"""Officials design forms in the browser: create from YAML, a file or a template; edit
with every problem at its line; check live; publish, close, reopen, archive; history and
source; and each role may do only what it should."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Citizen, csrf_of, sign_in
from starlette.testclient import TestClient

AGENCY = "so-tttt-ha-noi"
FORM = """\
# Góp ý về bộ phận một cửa
id: mot-cua
title: {vi: Góp ý một cửa, en: One-stop desk feedback}
agency: so-tttt-ha-noi
languages: [vi, en]
questions:
  - id: danh_gia
    type: rating
    label:
      vi: Ông/Bà đánh giá thế nào?
      en: How would you rate it?
"""
BROKEN = FORM.replace("type: rating", "type: ratting").replace("agency: so-tttt-ha-noi\n", "")


@pytest.fixture
def designer(add_official, make_client, forms_dir) -> Callable[..., TestClient]:
    """A signed-in official of *role* (of the agency of FORM, unless told otherwise)."""

    def client_for(role: str = "editor", *agencies: str) -> TestClient:
        email = add_official(f"{role}.{len(agencies)}@so.gov.vn", role,
                             *(agencies or (AGENCY,)))
        client = make_client(forms_dir)
        assert sign_in(client, email).status_code == 303
        return client

    return client_for


def post(client: TestClient, url: str, **fields: Any) -> Any:
    files = fields.pop("files", None)
    return client.post(url, data={"csrf_token": csrf_of(client), **fields}, files=files,
                       follow_redirects=False)


def create(client: TestClient, source: str = FORM) -> Any:
    return post(client, "/admin/forms/new", source=source)


def revision_of(page: Any) -> str:
    match = re.search(r'name="revision" value="(\d*)"', page.text)
    assert match, page.text
    return match.group(1)


def test_posting_valid_yaml_creates_a_draft_and_opens_its_editor(designer, rows) -> None:
    client = designer()
    created = create(client)
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/forms/mot-cua/edit"
    page = client.get("/admin/forms/mot-cua/edit")
    assert page.status_code == 200
    assert "# Góp ý về bộ phận một cửa" in page.text  # the text as written, comments too
    assert rows("select id, state, agency from form_design") == [
        ("mot-cua", "draft", AGENCY)]
    assert client.get("/f/mot-cua").status_code == 404  # a draft is served to nobody


def test_posting_broken_yaml_lists_every_problem_at_its_line_and_keeps_the_text(
        designer, rows) -> None:
    client = designer()
    page = create(client, BROKEN)
    assert page.status_code == 422
    assert "dòng 2, cột 1</a>: missing required key &#39;agency&#39;" in page.text
    assert "dòng 7, cột 11</a>: unknown question type &#39;ratting&#39;" in page.text
    assert "type: ratting" in page.text
    assert rows("select count(*) from form_design") == [(0,)]


def test_a_yaml_file_can_be_uploaded(designer) -> None:
    client = designer()
    sent = post(client, "/admin/forms/new",
                files={"file": ("mot-cua.yaml", FORM.encode(), "application/yaml")})
    assert sent.status_code == 303


@pytest.mark.parametrize("template", ["satisfaction", "quick-feedback", "sipas"])
def test_a_template_fills_the_editor_with_a_form_that_checks_clean(designer, template) -> None:
    client = designer()
    page = client.get(f"/admin/forms/new?template={template}")
    source = re.search(r'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert source and "questions:" in source.group(1)
    import html

    text = html.unescape(source.group(1)).replace("ma-co-quan", AGENCY)
    assert create(client, text).status_code == 303


def test_a_form_of_another_agency_cannot_be_created(designer, rows) -> None:
    client = designer("editor", "ubnd-phuong-ba-dinh")
    page = create(client)
    assert page.status_code == 422
    assert "not of &#39;so-tttt-ha-noi&#39;" in page.text
    assert rows("select count(*) from form_design") == [(0,)]


def test_an_id_of_the_forms_folder_cannot_be_taken(designer, write_form) -> None:
    write_form(FORM)
    page = create(designer())
    assert page.status_code == 422
    assert "form id &#39;mot-cua&#39; is already used by" in page.text


def test_the_live_check_answers_with_every_problem_as_json(designer) -> None:
    client = designer()
    create(client)
    answer = post(client, "/admin/forms/mot-cua/check", source=BROKEN)
    assert answer.status_code == 200
    assert answer.json() == {"problems": [
        {"line": 2, "column": 1, "severity": "error",
         "message": "missing required key 'agency'"},
        {"line": 7, "column": 11, "severity": "error",
         "message": "unknown question type 'ratting' (did you mean 'rating'?)"},
    ]}


def test_the_live_check_needs_the_csrf_token(designer) -> None:
    client = designer()
    create(client)
    refused = client.post("/admin/forms/mot-cua/check", data={"source": FORM},
                          follow_redirects=False)
    assert refused.status_code == 403


def test_saving_makes_a_new_revision(designer, rows) -> None:
    client = designer()
    create(client)
    page = client.get("/admin/forms/mot-cua/edit")
    saved = post(client, "/admin/forms/mot-cua/edit", revision=revision_of(page),
                 source=FORM.replace("How would you rate it?", "Your rating?"))
    assert saved.status_code == 303
    assert rows("select count(*) from form_revision") == [(2,)]


def test_a_stale_revision_is_refused_with_both_texts_shown(designer, rows) -> None:
    client = designer()
    create(client)
    old = revision_of(client.get("/admin/forms/mot-cua/edit"))
    post(client, "/admin/forms/mot-cua/edit", revision=old,
         source=FORM.replace("How would you rate it?", "Saved first?"))
    stale = post(client, "/admin/forms/mot-cua/edit", revision=old,
                 source=FORM.replace("How would you rate it?", "Saved second?"))
    assert stale.status_code == 409
    assert "Saved second?" in stale.text and "Saved first?" in stale.text
    assert rows("select count(*) from form_revision") == [(2,)]


def test_a_publisher_publishes_and_citizens_are_served_at_once(designer, rows) -> None:
    client = designer("publisher")
    create(client)
    published = post(client, "/admin/forms/mot-cua/publish")
    assert published.status_code == 303
    citizen = Citizen(client)
    citizen.open("/f/mot-cua")
    assert citizen.post("/f/mot-cua", {"danh_gia": "4"}).status_code == 303
    assert rows("select form_id from response") == [("mot-cua",)]
    assert [a for (a,) in rows("select action from audit_event where form_id = 'mot-cua' "
                               "order by id")] == ["form_saved", "form_published"]


def test_close_reopen_and_archive(designer) -> None:
    client = designer("publisher")
    create(client)
    post(client, "/admin/forms/mot-cua/publish")
    assert post(client, "/admin/forms/mot-cua/close").status_code == 303
    assert "Khảo sát đã đóng" in client.get("/f/mot-cua").text
    assert post(client, "/admin/forms/mot-cua/archive").status_code == 303
    assert "Khảo sát đã đóng" in client.get("/f/mot-cua").text  # an old link says why
    assert post(client, "/admin/forms/mot-cua/reopen").status_code == 303
    assert client.get("/f/mot-cua").status_code == 200


def test_an_archived_form_leaves_the_lists_but_keeps_its_results(designer) -> None:
    client = designer("publisher")
    create(client)
    post(client, "/admin/forms/mot-cua/publish")
    citizen = Citizen(client)
    citizen.open("/f/mot-cua")
    citizen.post("/f/mot-cua", {"danh_gia": "4"})
    post(client, "/admin/forms/mot-cua/close")
    post(client, "/admin/forms/mot-cua/archive")
    assert 'href="/f/mot-cua"' not in client.get("/").text
    assert 'href="/admin/forms/mot-cua"' not in client.get("/admin").text
    results = client.get("/admin/forms/mot-cua")
    assert results.status_code == 200
    assert '<p class="big-number">1</p>' in results.text  # the answer given before


def test_history_lists_each_revision_with_its_author(designer) -> None:
    client = designer("publisher")
    create(client)
    post(client, "/admin/forms/mot-cua/publish")
    page = client.get("/admin/forms/mot-cua/history")
    assert page.status_code == 200
    assert "publisher.0@so.gov.vn" in page.text


def test_the_source_is_downloaded_verbatim(designer) -> None:
    client = designer()
    create(client)
    source = client.get("/admin/forms/mot-cua/source.yaml")
    assert source.status_code == 200
    assert source.text == FORM
    assert source.headers["content-type"].startswith("application/yaml")


DESIGN_URLS = [("GET", "/admin/forms/mot-cua/edit"), ("POST", "/admin/forms/mot-cua/edit"),
               ("POST", "/admin/forms/mot-cua/check"), ("GET", "/admin/forms/mot-cua/history"),
               ("GET", "/admin/forms/mot-cua/source.yaml"),
               ("POST", "/admin/forms/mot-cua/restore"),
               ("GET", "/admin/forms/mot-cua/preview"),
               ("GET", "/admin/forms/mot-cua/preview/thanks"),
               ("GET", "/admin/forms/mot-cua/test-responses"),
               ("GET", "/admin/forms/mot-cua/test-responses.csv"),
               ("GET", "/admin/forms/mot-cua/builder"),
               ("POST", "/admin/forms/mot-cua/builder"),
               ("POST", "/admin/forms/mot-cua/test-responses")]
PUBLISH_URLS = [("POST", f"/admin/forms/mot-cua/{action}")
                for action in ("publish", "close", "reopen", "archive")]


def _status(client: TestClient, method: str, url: str) -> int:
    if method == "GET":
        return client.get(url, follow_redirects=False).status_code
    return post(client, url, source=FORM, revision="").status_code


@pytest.fixture
def made(designer) -> None:
    create(designer("publisher"))


@pytest.mark.parametrize(("method", "url"), DESIGN_URLS + PUBLISH_URLS)
def test_an_analyst_of_the_agency_may_not_design(made, designer, method, url) -> None:
    assert _status(designer("analyst"), method, url) == 403


@pytest.mark.parametrize(("method", "url"), DESIGN_URLS + PUBLISH_URLS)
def test_another_agencys_official_does_not_find_the_form(made, designer, method, url) -> None:
    assert _status(designer("publisher", "ubnd-phuong-ba-dinh"), method, url) == 404


@pytest.mark.parametrize(("method", "url"), PUBLISH_URLS)
def test_an_editor_may_not_publish_close_reopen_or_archive(made, designer, method,
                                                           url) -> None:
    assert _status(designer("editor"), method, url) == 403


def test_an_analyst_may_not_create_forms(designer) -> None:
    client = designer("analyst")
    assert client.get("/admin/forms/new").status_code == 403
    assert create(client).status_code == 403


def test_nobody_signed_out_reaches_the_designer(make_client, forms_dir: Path) -> None:
    client = make_client(forms_dir)
    assert client.get("/admin/forms/new", follow_redirects=False).status_code == 303


# --- publishing a change that answers were given to --------------------------------

CHOICES = FORM.replace("""    type: rating
""", """    type: single_choice
    choices:
      - {value: a, label: A}
      - {value: b, label: B}
""")


def _published_with_one_answer(client: TestClient, source: str) -> None:
    create(client, source)
    post(client, "/admin/forms/mot-cua/publish")
    citizen = Citizen(client)
    citizen.open("/f/mot-cua")
    first = "a" if "value: a" in source else "4"
    assert citizen.post("/f/mot-cua", {"danh_gia": first}).status_code == 303


def _save(client: TestClient, source: str) -> None:
    page = client.get("/admin/forms/mot-cua/edit")
    assert post(client, "/admin/forms/mot-cua/edit", revision=revision_of(page),
                source=source).status_code == 303


def test_dropping_an_answered_choice_asks_for_confirmation(designer, rows) -> None:
    client = designer("publisher")
    client.get("/admin?lang=en")
    _published_with_one_answer(client, CHOICES)
    _save(client, CHOICES.replace("      - {value: a, label: A}\n", ""))
    asked = post(client, "/admin/forms/mot-cua/publish")
    assert asked.status_code == 409
    assert "Choice a of question danh_gia is dropped: it was chosen 1 time." in asked.text
    assert rows("select count(*) from form_version") == [(1,)]
    confirmed = post(client, "/admin/forms/mot-cua/publish", confirm="1")
    assert confirmed.status_code == 303
    assert rows("select count(*) from form_version") == [(2,)]


def test_changing_an_answered_questions_type_asks_for_confirmation(designer) -> None:
    client = designer("publisher")
    client.get("/admin?lang=en")
    _published_with_one_answer(client, FORM)
    _save(client, FORM.replace("type: rating", "type: nps"))
    asked = post(client, "/admin/forms/mot-cua/publish")
    assert asked.status_code == 409
    assert "Question danh_gia changes from rating to nps, after 1 answers." in asked.text


def test_a_wording_change_publishes_without_confirmation(designer) -> None:
    client = designer("publisher")
    _published_with_one_answer(client, FORM)
    _save(client, FORM.replace("How would you rate it?", "Your rating, please"))
    assert post(client, "/admin/forms/mot-cua/publish").status_code == 303


def test_a_revision_is_restored_as_the_new_draft(designer, rows) -> None:
    client = designer("publisher")
    create(client)
    post(client, "/admin/forms/mot-cua/publish")
    _save(client, FORM.replace("How would you rate it?", "Changed?"))
    history = client.get("/admin/forms/mot-cua/history")
    assert "+      en: Changed?" in history.text  # the draft, against the live text
    first = rows("select min(id) from form_revision")[0][0]
    assert post(client, "/admin/forms/mot-cua/restore", revision=str(first)).status_code == 303
    assert client.get("/admin/forms/mot-cua/source.yaml").text == FORM
    assert rows("select count(*) from form_revision") == [(3,)]
    assert rows("select action, actor from audit_event order by id desc limit 1") == [
        ("form_restored", "publisher.0@so.gov.vn")]


# --- a new version goes live while a citizen answers ---------------------------------

TWO_PAGES = """\
id: mot-cua
title: {vi: Góp ý một cửa, en: One-stop desk feedback}
agency: so-tttt-ha-noi
languages: [vi, en]
pages:
  - id: mot
    questions:
      - {id: kenh, type: text, label: {vi: Kênh, en: Channel}}
  - id: hai
    questions:
      - {id: danh_gia, type: rating, label: {vi: Đánh giá, en: Rating}}
"""


def test_a_citizen_midway_is_told_the_survey_changed_and_keeps_their_answers(
        designer) -> None:
    official = designer("publisher")
    create(official, TWO_PAGES)
    post(official, "/admin/forms/mot-cua/publish")
    citizen = Citizen(official)  # one browser: the official tries their own form
    citizen.open("/f/mot-cua?lang=en")
    assert citizen.post("/f/mot-cua", {"kenh": "web"}).status_code == 303
    _save(official, TWO_PAGES.replace(
        "      - {id: kenh, type: text, label: {vi: Kênh, en: Channel}}\n",
        "      - {id: kenh, type: text, label: {vi: Kênh, en: Channel}}\n"
        "      - {id: lan_dau, type: yes_no, label: {vi: Lần đầu tiên, en: The first time}}\n"))
    post(official, "/admin/forms/mot-cua/publish", confirm="1")
    moved = citizen.client.get("/f/mot-cua/p/hai", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/f/mot-cua?updated=1"
    page = citizen.open(moved.headers["location"])
    assert "This survey was updated while you were answering it" in page.text
    assert 'value="web"' in page.text  # the answer given before is kept
    assert 'name="lan_dau"' in page.text


# --- XLSForm import ------------------------------------------------------------------

def test_an_xlsform_becomes_a_draft_with_its_report_on_the_drafts_page(designer, rows) -> None:
    from test_xlsform import workbook

    client = designer("editor")
    client.get("/admin?lang=en")
    sent = post(client, "/admin/forms/new", files={"file": (
        "khao-sat.xlsx", workbook(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/admin/forms/khao-sat-x/edit"
    page = client.get(sent.headers["location"])
    notice = "Imported from an XLSForm: what was not converted as it was"
    assert notice in page.text
    assert "<li>question &#39;vi_tri&#39;: type &#39;geopoint&#39; is not supported" in page.text
    assert rows("select agency, state from form_design") == [(AGENCY, "draft")]
    assert notice not in client.get(sent.headers["location"]).text  # shown once


def test_a_broken_xlsform_is_refused_with_a_message(designer, rows) -> None:
    client = designer("editor")
    sent = post(client, "/admin/forms/new",
                files={"file": ("hong.xlsx", b"not a workbook", "application/octet-stream")})
    assert sent.status_code == 422
    assert "hong.xlsx: this file cannot be opened as a spreadsheet" in sent.text
    assert rows("select count(*) from form_design") == [(0,)]


# --- preview and test responses --------------------------------------------------------

def test_the_preview_shows_the_draft_under_a_banner_in_both_languages(designer) -> None:
    client = designer()
    create(client)
    page = client.get("/admin/forms/mot-cua/preview?lang=en")
    assert page.status_code == 200
    assert "How would you rate it?" in page.text
    assert '<span lang="vi">Bản xem trước</span>' in page.text
    assert "Answers sent from here are test responses" in page.text
    assert '<form method="post" novalidate class="survey"' in page.text  # posts back here


def test_answers_sent_from_a_preview_are_test_responses_counted_nowhere(designer,
                                                                         rows) -> None:
    client = designer()
    create(client)
    tester = Citizen(client)
    tester.open("/admin/forms/mot-cua/preview")
    sent = tester.post("/admin/forms/mot-cua/preview", {"danh_gia": "4"})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/admin/forms/mot-cua/preview/thanks"
    assert client.get(sent.headers["location"]).status_code == 200
    assert rows("select form_id, author, answers from test_response") == [
        ("mot-cua", "editor.0@so.gov.vn", '{"danh_gia":"4"}')]
    assert rows("select count(*) from response") == [(0,)]
    assert rows("select count(*) from tally") == [(0,)]
    listed = client.get("/admin/forms/mot-cua/test-responses")
    assert "editor.0@so.gov.vn" in listed.text and "danh_gia" in listed.text


def test_test_responses_are_exported_only_when_asked_for_by_name(designer, rows) -> None:
    client = designer()
    create(client)
    tester = Citizen(client)
    tester.open("/admin/forms/mot-cua/preview")
    tester.post("/admin/forms/mot-cua/preview", {"danh_gia": "4"})
    exported = client.get("/admin/forms/mot-cua/test-responses.csv")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].endswith('-test.csv"')
    lines = exported.content.decode("utf-8").splitlines()
    assert lines[0] == "\ufeffresponse_id,submitted_at,language,form_version,danh_gia"
    assert lines[1].endswith(",4") and len(lines) == 2
    assert rows("select action from audit_event where action like 'test_%'") == [
        ("test_responses_exported",)]


def test_a_multi_page_preview_walks_its_pages_inside_the_preview(designer, rows) -> None:
    client = designer()
    create(client, TWO_PAGES)
    tester = Citizen(client)
    tester.open("/admin/forms/mot-cua/preview")
    first = tester.post("/admin/forms/mot-cua/preview", {"kenh": "web"})
    assert first.headers["location"] == "/admin/forms/mot-cua/preview/p/hai"
    tester.open(first.headers["location"])
    last = tester.post(first.headers["location"], {"danh_gia": "5"})
    assert last.headers["location"] == "/admin/forms/mot-cua/preview/thanks"
    assert rows("select count(*) from test_response") == [(1,)]
    assert rows("select count(*) from response") == [(0,)]


def test_test_responses_can_be_deleted(designer, rows) -> None:
    client = designer()
    create(client)
    tester = Citizen(client)
    tester.open("/admin/forms/mot-cua/preview")
    tester.post("/admin/forms/mot-cua/preview", {"danh_gia": "4"})
    assert post(client, "/admin/forms/mot-cua/test-responses").status_code == 303
    assert rows("select count(*) from test_response") == [(0,)]
    assert rows("select action from audit_event order by id desc limit 1") == [
        ("test_responses_deleted",)]


# --- what a careless or unlucky edit must never do ---------------------------------------

def test_an_editor_cannot_move_a_form_to_another_agency(designer, rows) -> None:
    client = designer()
    create(client)
    page = client.get("/admin/forms/mot-cua/edit")
    moved = post(client, "/admin/forms/mot-cua/edit", revision=revision_of(page),
                 source=FORM.replace("agency: so-tttt-ha-noi", "agency: ubnd-phuong-ba-dinh"))
    assert moved.status_code == 422
    assert rows("select agency from form_design") == [(AGENCY,)]
    assert rows("select count(*) from form_revision") == [(1,)]


def test_a_text_with_errors_keeps_the_revision_its_edit_started_from(designer, rows) -> None:
    client = designer()
    create(client)
    started = revision_of(client.get("/admin/forms/mot-cua/edit"))
    broken = post(client, "/admin/forms/mot-cua/edit", revision=started, source=BROKEN)
    assert revision_of(broken) == started
    post(client, "/admin/forms/mot-cua/edit", revision=started,
         source=FORM.replace("How would you rate it?", "A colleague's text"))
    late = post(client, "/admin/forms/mot-cua/edit", revision=revision_of(broken),
                source=FORM.replace("How would you rate it?", "Mine"))
    assert late.status_code == 409  # never a silent overwrite of the colleague's save


def test_after_a_stale_save_saving_the_merged_text_works(designer) -> None:
    client = designer()
    create(client)
    old = revision_of(client.get("/admin/forms/mot-cua/edit"))
    post(client, "/admin/forms/mot-cua/edit", revision=old,
         source=FORM.replace("How would you rate it?", "First"))
    stale = post(client, "/admin/forms/mot-cua/edit", revision=old,
                 source=FORM.replace("How would you rate it?", "Second"))
    merged = post(client, "/admin/forms/mot-cua/edit", revision=revision_of(stale),
                  source=FORM.replace("How would you rate it?", "First and second"))
    assert merged.status_code == 303


def test_a_draft_saved_after_the_publisher_looked_is_not_published(designer, rows) -> None:
    client = designer("publisher")
    create(client)
    looked = rows("select draft_revision from form_design")[0][0]
    _save(client, FORM.replace("How would you rate it?", "Saved meanwhile"))
    refused = post(client, "/admin/forms/mot-cua/publish", revision=str(looked))
    assert refused.status_code == 409
    assert rows("select state, live_revision from form_design") == [("draft", None)]


def test_only_a_live_form_closes_and_only_a_closed_one_is_archived(designer) -> None:
    client = designer("publisher")
    create(client)
    post(client, "/admin/forms/mot-cua/publish")
    assert post(client, "/admin/forms/mot-cua/archive").status_code == 409
    post(client, "/admin/forms/mot-cua/close")
    post(client, "/admin/forms/mot-cua/archive")
    assert post(client, "/admin/forms/mot-cua/close").status_code == 409


def test_the_id_new_is_reserved(designer) -> None:
    page = create(designer(), FORM.replace("id: mot-cua", "id: new"))
    assert page.status_code == 422
    assert "&#39;new&#39; names a page of the officials&#39; side" in page.text


def test_an_empty_file_field_beside_pasted_yaml_is_ignored(designer) -> None:
    client = designer()
    sent = post(client, "/admin/forms/new", source=FORM,
                files={"file": ("", b"", "application/octet-stream")})
    assert sent.status_code == 303
