"""Officials and a consultation's comments: counted per article, read, grouped when
they say the same, tagged, moderated, answered, exported, assembled into the synthesis
report (page, Word, CSV, XLSX) and published with the revised draft."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from conftest import csrf_of, sign_in
from consultations import REVISED, URL, comment, consultation_yaml, send

ADMIN = "/admin/forms/du-thao"


@pytest.fixture
def consultation(write_form, forms_dir: Path, make_client, add_official) -> Any:
    """The consultation served with a few comments sent; returns a function that signs
    an official in (email, role) and gives their client."""

    def start(text: str | None = None, role: str = "editor",
              agencies: tuple[str, ...] = ("bo-tu-phap",)) -> Any:
        write_form(text or consultation_yaml(questions="""
            - id: ho_ten
              type: text
              label: {vi: Họ và tên, en: Name}
              personal_data: basic
            """, extra="purpose: Liên hệ.\ncontroller: Bộ Tư pháp\nretention_days: 90\n"))
        email = add_official(f"{role}@bo.gov.vn", role, *agencies)
        client = make_client(forms_dir)
        for person in range(3):  # a campaign: the same words, give or take the case
            comment(client, "dieu-2", stance="amend", commenter_type="individual",
                    proposal="Không quá 5 ngày.", text=["Quá lâu!", "quá lâu", "QUÁ LÂU."][
                        person])
            send(client, ho_ten=f"Người {person}", consent="yes")
            client.cookies.clear()
        comment(client, "dieu-1", stance="agree", commenter_type="organisation", text="Tốt.")
        comment(client, "general", commenter_type="agency", text="=1+2 dự thảo cần rõ hơn")
        send(client)
        client.cookies.clear()
        sign_in(client, email)
        return client

    return start


def comment_ids(page: Any) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="comment-card" id="comment-(\d+)"',
                                       page.text)]


def test_the_overview_counts_comments_per_article_by_stance_and_commenter(
        consultation) -> None:
    client = consultation()
    page = client.get(ADMIN + "?lang=en")
    assert page.status_code == 200
    table = re.search(r"<table.*?</table>", page.text, re.S).group(0)
    cells = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in
              re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert cells[0] == ["Article", "Comments", "I agree", "I disagree", "I propose a change",
                        "An individual", "An organisation or business", "A state agency"]
    rows = {row[0]: row[1:] for row in cells[1:]}
    assert rows["Điều 1. Phạm vi điều chỉnh"] == ["1", "1 (Điều 1. Phạm vi điều chỉnh, I "
                                                 "agree)", "0", "0", "0", "1", "0"]
    assert rows["Điều 2. Thời hạn giải quyết"][:1] == ["3"]
    assert rows["Điều 2. Thời hạn giải quyết"][3:] == [
        "3 (Điều 2. Thời hạn giải quyết, I propose a change)", "3", "0", "0"]
    assert rows["Điều 3. Hiệu lực thi hành"] == ["0", "0", "0", "0", "0", "0", "0"]
    assert rows["The draft as a whole"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert "5 comments, sent by 4 people or organisations." in page.text


def test_the_questions_keep_their_results_page(consultation) -> None:
    client = consultation()
    assert client.get(ADMIN + "?view=questions").status_code == 200


def test_comments_are_listed_newest_first_and_filtered(consultation) -> None:
    client = consultation()
    everything = client.get(ADMIN + "/comments")
    assert comment_ids(everything) == [5, 4, 3, 2, 1]
    assert comment_ids(client.get(ADMIN + "/comments?article=dieu-2")) == [3, 2, 1]
    assert comment_ids(client.get(ADMIN + "/comments?stance=agree")) == [4]
    assert comment_ids(client.get(ADMIN + "/comments?type=agency")) == [5]
    assert comment_ids(client.get(ADMIN + "/comments?article=nope&stance=nope")) == \
        [5, 4, 3, 2, 1]  # an unknown value filters nothing out


def test_the_comment_list_never_shows_personal_data(consultation) -> None:
    client = consultation()
    assert "Người 0" not in client.get(ADMIN + "/comments").text


def test_identical_comments_form_one_group_and_each_still_counts(consultation) -> None:
    client = consultation()
    page = client.get(ADMIN + "/comments?lang=en")
    groups = page.text.split('id="groups-title"')[1].split('id="list-title"')[0]
    assert groups.count('class="comment-card"') == 1
    assert "3 comments" in groups and 'href="/admin/forms/du-thao/comments?group=1"' in groups
    assert comment_ids(client.get(ADMIN + "/comments?group=1")) == [3, 2, 1]
    assert client.get(ADMIN + "/comments?group=999").status_code == 404


def act(client: Any, comment_id: int, action: str, **data: str) -> Any:
    token = csrf_of(client, "/admin")
    return client.post(f"{ADMIN}/comments/{comment_id}/{action}",
                       data={"csrf_token": token, **data}, follow_redirects=False)


def test_tags_are_set_per_comment_and_filter_the_list(consultation, rows) -> None:
    client = consultation()
    done = act(client, 4, "tag", tags="thời hạn, Thời hạn ,  phí  ")
    assert done.status_code == 303
    assert rows("select comment_id, tag from comment_tag order by tag") == [
        (4, "phí"), (4, "thời hạn")]
    assert comment_ids(client.get(ADMIN + "/comments?tag=phí")) == [4]
    act(client, 1, "tag", tags="chiến dịch", apply_to="group")
    assert comment_ids(client.get(ADMIN + "/comments?tag=chiến dịch")) == [3, 2, 1]
    act(client, 4, "tag", tags="")
    assert rows("select count(*) from comment_tag where comment_id = 4") == [(0,)]


def test_an_answer_to_a_group_answers_each_of_its_comments(consultation, rows) -> None:
    client = consultation()
    done = act(client, 2, "answer", answer="accepted", answer_text="Đã sửa thành 5 ngày.",
               apply_to="group")
    assert done.status_code == 303
    assert rows("select id, answer, answer_text, answered_by from comment "
                "where answer is not null order by id") == [
        (i, "accepted", "Đã sửa thành 5 ngày.", "editor@bo.gov.vn") for i in (1, 2, 3)]
    act(client, 4, "answer", answer="noted")
    assert rows("select answer from comment where id = 4") == [("noted",)]
    assert comment_ids(client.get(ADMIN + "/comments?answered=no")) == [5]


def test_an_explanation_needs_its_text(consultation, rows) -> None:
    client = consultation()
    refused = act(client, 5, "answer", answer="explained")
    assert "done=explanation_needed" in refused.headers["location"]
    assert rows("select answer from comment where id = 5") == [(None,)]


def test_moderation_approves_or_hides_with_a_reason_and_is_audited(consultation,
                                                                    rows) -> None:
    client = consultation()
    assert "done=reason_needed" in act(client, 5, "moderate",
                                       decision="hidden").headers["location"]
    act(client, 5, "moderate", decision="hidden", reason="Không liên quan")
    act(client, 4, "moderate", decision="approved")
    assert rows("select id, status, moderation_reason, moderated_by from comment "
                "where status <> 'pending' order by id") == [
        (4, "approved", None, "editor@bo.gov.vn"),
        (5, "hidden", "Không liên quan", "editor@bo.gov.vn")]
    audit = rows("select action, details from audit_event where action = "
                 "'comments_moderated' order by id")
    assert [action for action, _ in audit] == ["comments_moderated"] * 2
    assert json.loads(audit[0][1])["reason"] == "Không liên quan"
    public = client.get(URL + "/a/dieu-1").text.split('id="public-comments"')[1]
    assert "Tốt." in public


def test_an_analyst_reads_the_comments_but_cannot_act_on_them(consultation, rows) -> None:
    client = consultation(role="analyst")
    page = client.get(ADMIN + "/comments")
    assert page.status_code == 200 and "/comments/1/answer" not in page.text
    assert act(client, 1, "answer", answer="noted").status_code == 403
    assert rows("select count(*) from comment where answer is not null") == [(0,)]


def test_another_agency_does_not_find_the_consultation(consultation) -> None:
    client = consultation(agencies=("so-khac",))
    for url in (ADMIN, ADMIN + "/comments", ADMIN + "/synthesis", ADMIN + "/synthesis.docx"):
        assert client.get(url).status_code == 404, url
    assert act(client, 1, "answer", answer="noted").status_code == 404


def test_the_export_has_one_row_per_comment_with_its_article(consultation) -> None:
    client = consultation()
    response = client.get(ADMIN + "/export.csv?excel=1")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["article"] for row in table] == ["dieu-2", "dieu-2", "dieu-2", "dieu-1",
                                                 "general"]
    assert table[0]["stance"] == "amend" and table[0]["proposal"] == "Không quá 5 ngày."
    assert table[4]["text"] == "'=1+2 dự thảo cần rõ hơn"  # neutralised for spreadsheets
    assert "ho_ten" not in table[0]  # personal data only when asked for
    assert table[0]["response_id"] == "1" and table[4]["response_id"] == "4"


def test_the_synthesis_page_groups_the_comments_with_the_answers(consultation) -> None:
    client = consultation()
    act(client, 1, "answer", answer="accepted", answer_text="Đã sửa.", apply_to="group")
    page = client.get(ADMIN + "/synthesis?lang=en")
    assert page.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.text))
    assert "5 comments were received; the agency answered 3." in " ".join(text.split())
    assert "3 comments say this" in text
    assert "Answer of the agency: Accepted" in " ".join(text.split())


def test_the_synthesis_downloads_as_a_word_document(consultation, rows) -> None:
    client = consultation()
    act(client, 1, "answer", answer="accepted", answer_text="Đã sửa thành 5 ngày.",
        apply_to="group")
    act(client, 5, "answer", answer="explained", answer_text="Dự thảo đã đủ rõ.")
    response = client.get(ADMIN + "/synthesis.docx?lang=vi")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    paper = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in paper.paragraphs if p.style.name.startswith(("Heading",
                                                                              "Title"))]
    assert headings == ["Báo cáo tổng hợp, tiếp thu, giải trình ý kiến góp ý",
                        "Điều 1. Phạm vi điều chỉnh", "Điều 2. Thời hạn giải quyết",
                        "Toàn bộ dự thảo"]
    second = paper.tables[1]
    assert [c.text for c in second.rows[0].cells] == [
        "Ý kiến góp ý", "Quan điểm", "Người góp ý", "Ý kiến tiếp thu, giải trình của cơ quan"]
    cells = [c.text for c in second.rows[1].cells]
    assert cells[0].startswith("Quá lâu!") and "(3 ý kiến có cùng nội dung)" in cells[0]
    assert cells[1] == "Tôi đề xuất sửa đổi" and cells[2] == "Cá nhân: 3"
    assert cells[3] == "Tiếp thu. Đã sửa thành 5 ngày."
    assert [c.text for c in paper.tables[2].rows[1].cells][3] == \
        "Giải trình (không tiếp thu). Dự thảo đã đủ rõ."
    assert rows("select count(*) from audit_event where action = 'synthesis_downloaded'") \
        == [(1,)]


def test_the_synthesis_downloads_as_csv_and_xlsx(consultation) -> None:
    client = consultation()
    act(client, 4, "tag", tags="phạm vi")
    act(client, 4, "answer", answer="noted", answer_text="Cảm ơn.")
    text = client.get(ADMIN + "/synthesis.csv").content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0])[4:] == ["comment_id", "article", "stance", "commenter_type", "text",
                                  "proposal", "tags", "status", "answer", "answer_text"]
    assert {k: table[3][k] for k in ("article", "tags", "answer", "answer_text")} == {
        "article": "dieu-1", "tags": "phạm vi", "answer": "noted", "answer_text": "Cảm ơn."}
    book = openpyxl.load_workbook(io.BytesIO(client.get(ADMIN + "/synthesis.xlsx").content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[5] == "article"
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "dieu-2", "dieu-2", "dieu-2", "dieu-1", "general"]


def test_the_synthesis_is_published_only_after_the_consultation_closes(
        consultation, rows) -> None:
    client = consultation(role="publisher")
    token = csrf_of(client, ADMIN + "/synthesis")
    refused = client.post(ADMIN + "/synthesis/publish", data={"csrf_token": token,
                                                            "action": "publish"})
    assert refused.status_code == 409
    assert client.get(URL + "/synthesis").status_code == 404


@pytest.fixture
def closed_consultation(write_form, forms_dir: Path, make_client, add_official) -> Any:
    """A consultation with comments and answers, closed since, with its revised draft;
    returns a publisher's client."""
    write_form(consultation_yaml())
    client = make_client(forms_dir)
    comment(client, "dieu-2", stance="amend", commenter_type="organisation",
            proposal="Không quá 5 ngày làm việc.", text="Rút ngắn thời hạn.")
    comment(client, "dieu-3", stance="disagree", commenter_type="individual",
            text="Nên có hiệu lực sớm hơn.")
    send(client)
    client.cookies.clear()
    email = add_official("publisher@bo.gov.vn", "publisher", "bo-tu-phap")
    write_form(consultation_yaml(extra="closes_at: 2026-01-31\n") +
               "revised_document: |\n" + "".join(f"  {line}\n" for line in
                                                REVISED.splitlines()))
    client = make_client(forms_dir)
    sign_in(client, email)
    act(client, 1, "answer", answer="accepted", answer_text="Đã rút còn 5 ngày làm việc.")
    act(client, 2, "answer", answer="explained", answer_text="Cần thời gian chuẩn bị.")
    act(client, 1, "moderate", decision="approved")
    return client


def test_publishing_the_synthesis_makes_it_public_with_the_revised_draft(
        closed_consultation, rows) -> None:
    client = closed_consultation
    token = csrf_of(client, ADMIN + "/synthesis")
    published = client.post(ADMIN + "/synthesis/publish", data={"csrf_token": token,
                                                              "action": "publish"},
                            follow_redirects=False)
    assert published.status_code == 303
    client.cookies.clear()  # the public, not signed in
    page = client.get(URL + "/synthesis?lang=en")
    assert page.status_code == 200
    changes = page.text.split('id="changes-title"')[1]
    statuses = re.findall(r'<section class="revision revision--(\w+)"', changes)
    assert statuses == ["same", "changed", "changed", "added"]
    assert re.search(r"không quá <del><span[^>]*>\[removed: </span>10<", changes)
    assert re.search(r"<ins><span[^>]*>\[added: </span>5<", changes)
    assert "Điều 4" in changes
    assert "Đã rút còn 5 ngày làm việc." in page.text
    assert "Cần thời gian chuẩn bị." in page.text
    assert "Rút ngắn thời hạn." in page.text
    assert rows("select action from audit_event where action like 'synthesis_%'") == [
        ("synthesis_published",)]
    document = client.get(URL + "?lang=en")
    assert "This consultation is closed" in document.text
    assert "/f/du-thao/synthesis" in document.text


def test_a_published_synthesis_can_be_withdrawn(closed_consultation) -> None:
    client = closed_consultation
    for action in ("publish", "withdraw"):
        client.post(ADMIN + "/synthesis/publish", data={
            "csrf_token": csrf_of(client, ADMIN + "/synthesis"), "action": action})
    assert client.get(URL + "/synthesis").status_code == 404


def test_an_editor_cannot_publish_the_synthesis(closed_consultation, add_official,
                                                make_client, forms_dir) -> None:
    email = add_official("editor@bo.gov.vn", "editor", "bo-tu-phap")
    client = make_client(forms_dir)
    sign_in(client, email)
    refused = client.post(ADMIN + "/synthesis/publish", data={
        "csrf_token": csrf_of(client, ADMIN + "/synthesis"), "action": "publish"})
    assert refused.status_code == 403
    assert client.get(URL + "/synthesis").status_code == 404


def test_the_public_synthesis_quotes_approved_comments_only(closed_consultation) -> None:
    client = closed_consultation  # comment 1 approved, comment 2 waiting
    client.post(ADMIN + "/synthesis/publish", data={
        "csrf_token": csrf_of(client, ADMIN + "/synthesis"), "action": "publish"})
    page = client.get(URL + "/synthesis?lang=en")
    assert "Rút ngắn thời hạn." in page.text
    assert "Nên có hiệu lực sớm hơn." not in page.text  # not moderated: counted only
    assert "Cần thời gian chuẩn bị." in page.text  # the agency's answer is public
    officials = client.get(ADMIN + "/synthesis")
    assert "Nên có hiệu lực sớm hơn." in officials.text


def test_comments_can_be_moderated_without_public_comments(consultation, rows) -> None:
    client = consultation(consultation_yaml(public=False))
    page = client.get(ADMIN + "/comments")
    assert "/comments/1/moderate" in page.text
    act(client, 1, "moderate", decision="approved")
    assert rows("select status from comment where id = 1") == [("approved",)]


def test_a_hidden_comment_is_counted_but_not_quoted_in_the_public_synthesis(
        closed_consultation) -> None:
    client = closed_consultation
    act(client, 2, "moderate", decision="hidden", reason="Xúc phạm")
    client.post(ADMIN + "/synthesis/publish", data={
        "csrf_token": csrf_of(client, ADMIN + "/synthesis"), "action": "publish"})
    page = client.get(URL + "/synthesis?lang=en")
    assert "Nên có hiệu lực sớm hơn." not in page.text
    assert "withheld by moderation" in page.text
    assert "2 comments were received" in page.text


def test_the_command_line_export_has_one_row_per_comment(consultation, forms_dir: Path,
                                                         database_url: str,
                                                         tmp_path: Path) -> None:
    from vnform.cli import main

    consultation()
    out = tmp_path / "comments.csv"
    assert main(["export", "du-thao", "--format", "csv", "--output", str(out),
                 "--db", database_url, "--forms", str(forms_dir)]) == 0
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(row["comment_id"], row["article"]) for row in table] == [
        ("1", "dieu-2"), ("2", "dieu-2"), ("3", "dieu-2"), ("4", "dieu-1"), ("5", "general")]


def test_the_overview_lists_the_comments_too_filtered_and_paged(consultation) -> None:
    client = consultation()
    assert comment_ids(client.get(ADMIN)) == [5, 4, 3, 2, 1]
    assert comment_ids(client.get(ADMIN + "?stance=agree")) == [4]
    assert comment_ids(client.get(ADMIN + "?type=individual&page=1")) == [3, 2, 1]
