"""Citizens and a consultation: the draft as a document, a comment on any article or on
the whole draft, several in one visit, checked on a review page and sent together with
the same protections as a survey's answers."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import errors
from consultations import URL, comment, consultation_yaml, hidden_fields, send

QUESTIONS = """
- id: de_hieu
  type: rating
  label: {vi: "Dự thảo có dễ hiểu không?", en: "Is the draft easy to understand?"}
- id: ho_ten
  type: text
  label: {vi: Họ và tên, en: Name}
  personal_data: basic
"""
PERSONAL = """\
purpose: {vi: Liên hệ lại khi cần., en: To contact you if needed.}
controller: Bộ Tư pháp
retention_days: 90
"""


@pytest.fixture
def serve(write_form, forms_dir: Path, make_client) -> Any:
    """Serve the consultation at /f/du-thao (*text*: its form file); returns the client."""

    def start(text: str | None = None, **overrides: Any) -> Any:
        write_form(text or consultation_yaml(questions=QUESTIONS, extra=PERSONAL))
        return make_client(forms_dir, **overrides)

    return start


def test_the_draft_reads_as_a_document_with_its_contents(serve) -> None:
    page = serve().get(URL)
    assert page.status_code == 200
    toc = re.search(r'<nav class="toc".*?</nav>', page.text, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == [
        "chuong-i", "dieu-1", "dieu-2", "chuong-ii", "dieu-3"]
    assert '<section class="draft-article" id="dieu-2"' in page.text
    assert '<li id="dieu-2-khoan-1" value="1">Thời hạn cấp phiếu không quá 10 ngày.</li>' \
        in page.text
    assert "Căn cứ Luật Lý lịch tư pháp" in page.text  # the preamble


def test_each_article_links_to_its_comment_page(serve) -> None:
    page = serve().get(URL + "?lang=vi")
    links = re.findall(r'<a href="/f/du-thao/a/([^"]+)">Góp ý điều này', page.text)
    assert links == ["dieu-1", "dieu-2", "dieu-3"]
    assert page.text.count('href="/f/du-thao/a/general"') == 2


def test_an_article_page_shows_the_article_and_the_comment_form(serve) -> None:
    page = serve().get(URL + "/a/dieu-2?lang=en")
    assert page.status_code == 200
    assert "Điều 2. Thời hạn giải quyết" in page.text
    for name in ("stance", "proposal", "text", "commenter_type"):
        assert f'name="{name}"' in page.text
    assert [html.unescape(v) for v in re.findall(r'name="stance" value="([^"]+)"', page.text)] \
        == ["agree", "disagree", "amend"]


def test_an_unknown_article_is_not_found(serve) -> None:
    assert serve().get(URL + "/a/dieu-99").status_code == 404


def test_a_comment_waits_on_the_review_page_until_sent(serve, rows) -> None:
    client = serve()
    posted = comment(client, "dieu-2", stance="amend", commenter_type="individual",
                     proposal="Thời hạn cấp phiếu không quá 5 ngày.", text="Nhanh hơn.")
    assert posted.status_code == 303
    assert posted.headers["location"] == "/f/du-thao/review?added=dieu-2"
    review = client.get(posted.headers["location"])
    assert "Thời hạn cấp phiếu không quá 5 ngày." in review.text
    assert rows("select count(*) from comment") == [(0,)]


def test_several_comments_in_one_visit_are_sent_as_one_response(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-3", stance="agree", commenter_type="organisation", text="")
    comment(client, "dieu-1", stance="disagree", commenter_type="organisation",
            text="Phạm vi quá hẹp.")
    comment(client, "general", commenter_type="organisation", text="Dự thảo tốt.")
    review = client.get(URL + "/review")
    # In the order of the draft, the general comment last.
    assert [m for m in re.findall(r'/f/du-thao/a/([a-z0-9-]+)"', review.text)
            if m != "general"][:2] == ["dieu-1", "dieu-3"]
    sent = send(client, de_hieu="4")
    assert sent.status_code == 303 and sent.headers["location"] == "/f/du-thao/thanks"
    assert rows("select article, stance, commenter_type, text, response_id from comment "
                "order by id") == [
        ("dieu-1", "disagree", "organisation", "Phạm vi quá hẹp.", 1),
        ("dieu-3", "agree", "organisation", None, 1),
        ("general", None, "organisation", "Dự thảo tốt.", 1)]
    assert rows("select question, value from answer") == [("de_hieu", "4")]


def test_the_thank_you_page_gives_a_reference(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="Đồng ý.")
    thanks = client.get(send(client).headers["location"])
    code = re.search(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>", thanks.text).group(1)
    assert rows("select reference_code from response") == [(code.replace("-", ""),)]


def test_a_second_comment_on_an_article_replaces_the_first(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-2", stance="agree", commenter_type="individual", text="Một.")
    again = client.get(URL + "/a/dieu-2")
    assert 'value="agree" checked' in again.text and ">Một.</textarea>" in again.text
    comment(client, "dieu-2", stance="disagree", commenter_type="individual", text="Hai.")
    send(client)
    assert rows("select stance, text from comment") == [("disagree", "Hai.")]


def test_a_comment_can_be_taken_back_before_sending(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="Một.")
    comment(client, "dieu-2", stance="agree", commenter_type="individual", text="Hai.")
    review = client.get(URL + "/review")
    removed = client.post(URL + "/review", data={**hidden_fields(review),
                                                 "_action": "remove:dieu-1"},
                          follow_redirects=False)
    assert removed.status_code == 303
    page = client.get(removed.headers["location"] + "&lang=en")
    assert "Your comment on Điều 1. Phạm vi điều chỉnh was taken back." in page.text
    assert "/f/du-thao/a/dieu-1\"" not in page.text.split('id="your-comments"')[1]
    send(client)
    assert rows("select article from comment") == [("dieu-2",)]


def test_nothing_is_sent_without_a_comment(serve, rows) -> None:
    client = serve()
    client.get(URL + "?lang=en")
    refused = send(client, de_hieu="3")
    assert refused.status_code == 200
    assert "Write at least one comment before sending" in html.unescape(refused.text)
    assert rows("select count(*) from response") == [(0,)]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"commenter_type": "individual", "text": "x"},
     ["Say whether you agree, disagree or propose a change to this article"]),
    ({"stance": "amend", "commenter_type": "individual", "text": "x"},
     ["Write the wording you propose for this article"]),
    ({"stance": "disagree", "commenter_type": "individual"},
     ["Say why you disagree with this article"]),
    ({"stance": "agree", "text": "x"},
     ["Say whether you comment as an individual, an organisation or a state agency"]),
    ({"stance": "agree", "commenter_type": "company", "text": "x"},
     ["Say whether you comment as an individual, an organisation or a state agency"]),
    ({"stance": "agree", "commenter_type": "individual", "text": "x" * 5001},
     ["Write at most 5,000 characters (you wrote 5,001)"]),
])
def test_an_invalid_comment_is_shown_again_with_its_problem(serve, rows, fields,
                                                            expected) -> None:
    client = serve()
    client.get(URL + "?lang=en")
    page = comment(client, "dieu-2", **fields)
    assert page.status_code == 200
    assert errors(page) == expected
    assert 'class="error-summary"' in page.text
    if "text" in fields and len(fields["text"]) < 10:
        assert f">{fields['text']}</textarea>" in page.text  # nothing typed is lost
    assert rows("select count(*) from draft") == [(0,)]


def test_problems_are_worded_in_vietnamese(serve) -> None:
    client = serve()
    client.get(URL + "?lang=vi")
    page = comment(client, "dieu-2", commenter_type="individual", text="x")
    assert errors(page) == ["Hãy cho biết Ông/Bà đồng ý, không đồng ý hay đề xuất sửa "
                            "điều này"]


def test_a_general_comment_needs_its_text_but_no_stance(serve) -> None:
    client = serve()
    client.get(URL + "?lang=en")
    assert errors(comment(client, "general", commenter_type="agency")) == [
        "Write your comment on the draft"]
    assert comment(client, "general", commenter_type="agency", text="Tốt.").status_code == 303


def test_with_one_kind_of_commenter_nobody_is_asked(serve, rows) -> None:
    client = serve(consultation_yaml(extra="commenters: [organisation]\n"))
    page = client.get(URL + "/a/dieu-1")
    assert 'type="hidden" name="commenter_type" value="organisation"' in page.text
    comment(client, "dieu-1", stance="agree", text="")
    send(client)
    assert rows("select commenter_type from comment") == [("organisation",)]


def test_personal_data_follows_the_notice_on_the_review_page(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="x")
    review = client.get(URL + "/review?lang=en")
    assert 'name="consent"' in review.text
    refused = send(client, ho_ten="Nguyễn Văn A")  # given without agreeing
    assert refused.status_code == 200
    assert rows("select count(*) from response") == [(0,)]
    sent = send(client, ho_ten="Nguyễn Văn A", consent="yes")
    assert sent.status_code == 303
    assert rows("select consent from response") == [(1,)]
    assert rows("select question, text from answer") == [("ho_ten", "Nguyễn Văn A")]


def test_sending_twice_stores_one_response(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="x")
    page = client.get(URL + "/review")
    data = {**hidden_fields(page), "_action": "submit"}
    first = client.post(URL + "/review", data=data, follow_redirects=False)
    second = client.post(URL + "/review", data=data, follow_redirects=False)
    assert first.headers["location"] == second.headers["location"] == "/f/du-thao/thanks"
    assert rows("select count(*) from response") == [(1,)]
    assert rows("select count(*) from comment") == [(1,)]


def test_a_post_without_its_csrf_token_is_refused(serve, rows) -> None:
    client = serve()
    page = client.get(URL + "/a/dieu-1")
    fields = hidden_fields(page)
    refused = client.post(URL + "/a/dieu-1", data={"_token": fields["_token"],
                                                   "stance": "agree", "text": "x",
                                                   "commenter_type": "individual"},
                          follow_redirects=False)
    assert refused.status_code == 403
    assert rows("select count(*) from draft") == [(0,)]


def test_a_filled_in_honeypot_keeps_the_comments_apart(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="x",
            _website="http://spam.example")
    sent = send(client)
    assert sent.status_code == 303 and sent.headers["location"] == "/f/du-thao/thanks"
    assert rows("select count(*) from comment") == [(0,)]
    assert rows("select count(*) from response") == [(0,)]
    (answers,), = rows("select answers from flagged_submission")
    assert "dieu-1" in answers


def test_an_oversized_comment_is_refused_with_413(serve, rows) -> None:
    client = serve(max_body_bytes=20_000)
    response = comment(client, "dieu-1", stance="agree", commenter_type="individual",
                       text="x" * 30_000)
    assert response.status_code == 413
    assert rows("select count(*) from draft") == [(0,)]


def test_over_the_rate_limit_the_comments_wait(serve, rows) -> None:
    client = serve(consultation_yaml(extra="rate_limit: 1\n"))
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="x")
    assert send(client).status_code == 303
    client.cookies.clear()
    comment(client, "dieu-2", stance="agree", commenter_type="individual", text="y")
    limited = send(client)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
    assert "dieu-2" in limited.text  # the comment is still there
    assert rows("select article from comment") == [("dieu-1",)]


def test_a_closed_consultation_shows_the_draft_without_comment_links(serve, rows) -> None:
    client = serve(consultation_yaml(extra="closes_at: 2020-01-31\n"))
    page = client.get(URL + "?lang=en")
    assert page.status_code == 200
    assert "This consultation is closed" in page.text
    assert "/a/dieu-1" not in page.text and "Điều 1. Phạm vi điều chỉnh" in page.text
    assert client.get(URL + "/a/dieu-1").status_code == 200  # says it is closed
    page = client.get(URL + "/a/dieu-1")
    assert 'name="stance"' not in page.text
    refused = client.post(URL + "/a/dieu-1", data={"stance": "agree"},
                          follow_redirects=False)
    assert refused.status_code == 403


def test_approved_comments_are_shown_under_their_article_without_personal_data(
        serve, rows, database) -> None:
    client = serve()
    comment(client, "dieu-2", stance="amend", commenter_type="organisation",
            proposal="Không quá 5 ngày.", text="Nhanh hơn.")
    send(client, ho_ten="Nguyễn Văn Bình", consent="yes")
    page = client.get(URL + "/a/dieu-2?lang=en")
    assert "No comment on this article has been published yet." in page.text
    assert "Nhanh hơn." not in page.text.split('id="public-comments"')[1]
    database.execute("update comment set status = 'approved'")
    page = client.get(URL + "/a/dieu-2?lang=en")
    published = page.text.split('id="public-comments"')[1]
    assert "Nhanh hơn." in published and "Không quá 5 ngày." in published
    assert "Nguyễn Văn Bình" not in page.text
    document = client.get(URL + "?lang=en")
    assert "1 published comment" in document.text


def test_without_public_comments_nothing_is_published(serve, rows, database) -> None:
    client = serve(consultation_yaml(public=False))
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="Riêng.")
    send(client)
    database.execute("update comment set status = 'approved'")
    assert "Riêng." not in client.get(URL + "/a/dieu-1").text
    assert 'id="public-comments"' not in client.get(URL + "/a/dieu-1").text


def test_a_citizen_deleting_their_response_deletes_its_comments(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="Một.")
    thanks = client.get(send(client).headers["location"])
    link = html.unescape(re.search(r'class="private-link"><a href="([^"]+)"',
                                   thanks.text).group(1))
    own = client.get(link)
    assert own.status_code == 200
    reference, secret = re.search(r"/r/([^?]+)\?k=(.+)$", link).groups()
    deleted = client.post(f"/r/{reference}/delete", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]*)"', own.text).group(1),
        "k": secret, "what": "all", "confirm": "yes"})
    assert deleted.status_code == 200
    assert rows("select count(*) from comment") == [(0,)]
    assert rows("select count(*) from response") == [(0,)]


def test_the_private_link_shows_and_downloads_the_comments_sent(serve) -> None:
    client = serve()
    comment(client, "dieu-2", stance="amend", commenter_type="individual",
            proposal="Không quá 5 ngày.", text="Nhanh hơn.")
    thanks = client.get(send(client).headers["location"])
    link = html.unescape(re.search(r'class="private-link"><a href="([^"]+)"',
                                   thanks.text).group(1))
    own = client.get(link + "&lang=en")
    assert "Điều 2. Thời hạn giải quyết" in own.text and "Nhanh hơn." in own.text
    reference, secret = re.search(r"/r/([^?]+)\?k=(.+)$", link).groups()
    body = client.get(f"/r/{reference}/answers.json?k={secret}").json()
    assert body["comments"] == [{"article": "dieu-2", "stance": "amend",
                                 "commenter_type": "individual", "text": "Nhanh hơn.",
                                 "proposal": "Không quá 5 ngày."}]


def test_the_survey_pages_of_a_consultation_are_not_found(serve, rows) -> None:
    client = serve()
    assert client.get(URL + "/p/main").status_code == 404
    assert client.post(URL + "/p/main", data={"de_hieu": "4"}).status_code == 404
    assert rows("select count(*) from response") == [(0,)]


def test_the_review_page_keeps_the_ticked_consent_when_shown_again(serve, rows) -> None:
    client = serve()
    comment(client, "dieu-1", stance="agree", commenter_type="individual", text="x")
    again = send(client, ho_ten="Nguyễn Văn A", consent="yes", de_hieu="9")
    assert again.status_code == 200 and errors(again)
    assert re.search(r'name="consent" value="yes"[^>]*checked', again.text)
    assert rows("select count(*) from response") == [(0,)]


def test_a_huge_page_of_published_comments_is_just_empty(serve) -> None:
    page = serve().get(URL + "/a/dieu-1?page=99999999999999999999")
    assert page.status_code == 200


def test_the_review_notice_names_only_what_the_draft_has(serve) -> None:
    client = serve()
    page = client.get(URL + "/review?added=Mạo+danh+cơ+quan&lang=en")
    assert "Mạo danh" not in page.text
