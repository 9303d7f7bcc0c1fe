"""The question builder: officials who never write YAML add, edit, reorder and delete
pages, questions and reusable choice lists; every change is written into the draft's YAML
(the official's comments and order kept), checked, and saved as a revision."""

from __future__ import annotations

import difflib
from typing import Any

import pytest
from starlette.testclient import TestClient
from test_designer import FORM, create, designer, post, revision_of  # noqa: F401 - fixture

from vnform.views import builder

BUILDER = "/admin/forms/mot-cua/builder"


def _builder(client: TestClient, **fields: Any) -> Any:
    return post(client, BUILDER, revision=revision_of(client.get(BUILDER)), **fields)


def _source(client: TestClient) -> str:
    return client.get("/admin/forms/mot-cua/source.yaml").text


def _append_in_the_editor(client: TestClient, questions: str) -> None:
    """Save FORM with *questions* (YAML list items) after its own, as typed in the
    editor: what the builder then reads is written by hand."""
    written = post(client, "/admin/forms/mot-cua/edit",
                   revision=revision_of(client.get(BUILDER)), source=FORM + questions)
    assert written.status_code == 303, written.text


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]


@pytest.fixture
def official(designer) -> TestClient:  # noqa: F811 - the fixture imported above
    client = designer()
    assert create(client).status_code == 303
    return client


# --- questions ---------------------------------------------------------------------------

def test_the_builder_adds_a_question_to_the_yaml_keeping_its_comments(official) -> None:
    added = _builder(official, action="add", id="kenh", type="single_choice",
                     label_vi="Kênh nộp", label_en="Channel", required="1",
                     choices="web = Trực tuyến | Online\nquay = Tại quầy | At the desk",
                     show_question="danh_gia", show_value="5")
    assert added.status_code == 303
    assert added.headers["location"].endswith("?saved=1#q-kenh")
    source = _source(official)
    assert source.startswith("# Góp ý về bộ phận một cửa\n")  # the official's comment
    assert "  - id: kenh\n    type: single_choice\n" in source
    assert "      en: At the desk\n" in source
    assert "show_if: danh_gia == 5" in source  # a number typed stays a number
    assert "required: true" in source


def test_the_edit_link_fills_the_question_form_with_the_question_as_written(official) -> None:
    page = official.get(BUILDER + "?edit=danh_gia")
    assert "Sửa câu hỏi danh_gia" in page.text  # "Edit the question danh_gia"
    assert 'name="action" value="update"' in page.text
    assert 'value="Ông/Bà đánh giá thế nào?"' in page.text
    assert 'value="How would you rate it?"' in page.text


def test_editing_a_question_changes_only_the_lines_it_changes(official) -> None:
    before = _source(official)
    saved = _builder(official, action="update", question="danh_gia", id="danh_gia",
                     type="rating", label_vi="Ông/Bà đánh giá thế nào?",
                     label_en="Your rating", required="1")
    assert saved.status_code == 303
    assert _changed_lines(before, _source(official)) == [
        "-       en: How would you rate it?", "+       en: Your rating",
        "+     required: true"]


def test_an_edit_keeps_what_the_builder_does_not_show(official) -> None:
    _append_in_the_editor(official,
        "  - id: kenh  # how they applied\n    type: likert\n"
        "    label: {vi: Kênh, en: Channel}\n    indicator: access\n    choices:\n"
        "      - {value: 1, label: {vi: Trực tuyến, en: Online}}\n"
        "      - {value: 9, label: {vi: Không áp dụng, en: Does not apply}, "
        "not_applicable: true}\n")
    saved = _builder(official, action="update", question="kenh", id="kenh",
                     type="likert", label_vi="Kênh nộp", label_en="Channel",
                     choices="1 = Trực tuyến | Online\n9 = Không áp dụng | Does not apply")
    assert saved.status_code == 303, saved.text
    source = _source(official)
    assert "  - id: kenh  # how they applied\n" in source
    assert "indicator: access" in source
    assert "not_applicable: true" in source
    assert "{value: 1, label: {vi: Trực tuyến, en: Online}}" in source  # untouched


def test_the_builder_moves_and_deletes_questions(official) -> None:
    _builder(official, action="add", id="y_kien", type="textarea", label_vi="Ý kiến",
             label_en="Comment")
    assert _builder(official, action="up", question="y_kien").status_code == 303
    source = _source(official)
    assert source.index("id: y_kien") < source.index("id: danh_gia")
    assert _builder(official, action="delete", question="y_kien").status_code == 303
    assert "y_kien" not in _source(official)


def test_a_question_the_checks_refuse_is_not_added(official, rows) -> None:
    refused = _builder(official, action="add", id="danh_gia", type="text", label_vi="Lặp",
                       label_en="Again")
    assert refused.status_code == 422
    assert "duplicate question id &#39;danh_gia&#39;" in refused.text
    assert 'value="Lặp"' in refused.text  # what was typed is kept
    assert rows("select count(*) from form_revision") == [(1,)]


def test_a_builder_change_on_an_old_revision_is_refused(official, rows) -> None:
    old = revision_of(official.get(BUILDER))
    _builder(official, action="add", id="a", type="text", label_vi="A", label_en="A")
    stale = post(official, BUILDER, revision=old, action="add", id="b",
                 type="text", label_vi="B", label_en="B")
    assert stale.status_code == 409
    assert rows("select count(*) from form_revision") == [(2,)]


def test_validation_rules_are_written_under_validate(official) -> None:
    saved = _builder(official, action="add", id="so_lan", type="integer",
                     label_vi="Số lần", label_en="Times", min="1", max="20")
    assert saved.status_code == 303
    assert "    validate:\n      min: 1\n      max: 20\n" in _source(official)


def test_a_rule_that_is_not_a_number_is_refused_with_what_was_typed(official) -> None:
    refused = _builder(official, action="add", id="so_lan", type="integer",
                       label_vi="Số lần", label_en="Times", min="một")
    assert refused.status_code == 422
    assert "&#39;một&#39; is neither a number nor a date (YYYY-MM-DD)" in refused.text
    assert 'value="Số lần"' in refused.text


def test_clearing_a_rule_removes_it(official) -> None:
    _builder(official, action="add", id="so_lan", type="integer", label_vi="Số lần",
             label_en="Times", min="1")
    _builder(official, action="update", question="so_lan", id="so_lan", type="integer",
             label_vi="Số lần", label_en="Times", min="")
    assert "validate" not in _source(official)


# --- conditions --------------------------------------------------------------------------

def test_a_condition_picked_from_a_choice_is_written_on_its_question(official) -> None:
    _builder(official, action="add", id="kenh", type="single_choice", label_vi="Kênh",
             label_en="Channel", choices="web = Trực tuyến | Online\nquay = Quầy | Desk")
    page = official.get(BUILDER)
    assert '<option value="kenh=web">Trực tuyến (web)</option>' in page.text
    _builder(official, action="add", id="de_dang", type="rating", label_vi="Dễ không?",
             label_en="Easy?", show_choice="kenh=web", show_operator="==")
    assert 'show_if: kenh == "web"' in _source(official)
    edit = official.get(BUILDER + "?edit=de_dang")
    assert '<option value="kenh=web" selected>' in edit.text  # read back into the pickers


def test_a_choice_of_another_question_than_the_one_picked_is_refused(official) -> None:
    _builder(official, action="add", id="kenh", type="yes_no", label_vi="Kênh",
             label_en="Channel")
    refused = _builder(official, action="add", id="x", type="text", label_vi="X",
                       label_en="X", show_question="danh_gia", show_choice="kenh=yes")
    assert refused.status_code == 422
    assert "belongs to &#39;kenh&#39;, not to &#39;danh_gia&#39;" in refused.text


def test_an_ordering_condition_needs_a_number(official) -> None:
    refused = _builder(official, action="add", id="ly_do", type="textarea", label_vi="Lý do",
                       label_en="Why", show_question="danh_gia", show_operator="<=",
                       show_value="thấp")
    assert refused.status_code == 422
    assert "&#39;thấp&#39; is not a number" in refused.text
    _builder(official, action="add", id="ly_do", type="textarea", label_vi="Lý do",
             label_en="Why", show_question="danh_gia", show_operator="<=", show_value="2")
    assert "show_if: danh_gia <= 2" in _source(official)


def test_a_typed_condition_replaces_the_pickers_and_stays_typed(official) -> None:
    _builder(official, action="add", id="ly_do", type="textarea", label_vi="Lý do",
             label_en="Why", show_question="danh_gia", show_value="1",
             show_if="danh_gia <= 2 or not answered(danh_gia)")
    assert "show_if: danh_gia <= 2 or not answered(danh_gia)" in _source(official)
    edit = official.get(BUILDER + "?edit=ly_do")
    assert 'value="danh_gia &lt;= 2 or not answered(danh_gia)"' in edit.text


# --- pages -------------------------------------------------------------------------------

def test_a_question_on_a_new_page_turns_the_questions_into_pages(official) -> None:
    saved = _builder(official, action="add", page="new", id="y_kien", type="textarea",
                     label_vi="Ý kiến", label_en="Comment")
    assert saved.status_code == 303
    source = _source(official)
    assert "\npages:\n  - id: trang-1\n    questions:\n      - id: danh_gia\n" in source
    assert "  - id: trang-2\n    questions:\n      - id: y_kien\n" in source
    assert "\nquestions:" not in source


def test_a_page_is_renamed_moved_and_deleted_with_its_questions(official) -> None:
    _builder(official, action="add", page="new", id="y_kien", type="textarea",
             label_vi="Ý kiến", label_en="Comment")
    renamed = _builder(official, action="page", page="1", page_id="y-kien",
                       title_vi="Ý kiến của Ông/Bà", title_en="Your comments")
    assert renamed.status_code == 303
    assert "  - id: y-kien\n    title:\n      vi: Ý kiến của Ông/Bà\n" in _source(official)
    assert _builder(official, action="page_up", page="1").status_code == 303
    source = _source(official)
    assert source.index("id: y-kien") < source.index("id: trang-1")
    assert _builder(official, action="page_delete", page="0").status_code == 303
    source = _source(official)
    assert "y_kien" not in source and "id: danh_gia" in source


def test_the_only_page_is_never_deleted(official) -> None:
    refused = _builder(official, action="page_delete", page="0")
    assert refused.status_code == 422
    assert "a form keeps at least one page" in refused.text


def test_a_question_moves_to_another_page_from_its_edit_form(official) -> None:
    _builder(official, action="add", page="new", id="y_kien", type="textarea",
             label_vi="Ý kiến", label_en="Comment")
    _builder(official, action="add", page="0", id="goi_y", type="text", label_vi="Gợi ý",
             label_en="Idea")
    moved = _builder(official, action="update", question="goi_y", page="1", id="goi_y",
                     type="text", label_vi="Gợi ý", label_en="Idea")
    assert moved.status_code == 303
    source = _source(official)
    assert source.index("id: trang-2") < source.index("id: goi_y")


# --- choice lists ------------------------------------------------------------------------

def test_a_choice_list_is_added_and_used_by_a_question(official) -> None:
    added = _builder(official, action="list", list_name="hl5",
                     list_choices="1 = Rất không hài lòng | Very dissatisfied\n"
                                  "5 = Rất hài lòng | Very satisfied")
    assert added.status_code == 303
    assert added.headers["location"].endswith("#choice-lists")
    _builder(official, action="add", id="hai_long", type="likert", label_vi="Hài lòng?",
             label_en="Satisfied?", choice_list="hl5")
    source = _source(official)
    assert source.index("choice_lists:\n  hl5:\n") < source.index("questions:")
    assert "    choices: hl5\n" in source


def test_renaming_a_choice_list_renames_it_where_it_is_used(official) -> None:
    _builder(official, action="list", list_name="hl5", list_choices="1 = Thấp\n5 = Cao")
    _builder(official, action="add", id="hai_long", type="likert", label_vi="Hài lòng?",
             label_en="Satisfied?", choice_list="hl5")
    _builder(official, action="list", old_name="hl5", list_name="muc_do",
             list_choices="1 = Thấp\n5 = Cao")
    source = _source(official)
    assert "hl5" not in source
    assert "choices: muc_do" in source


def test_a_choice_list_in_use_is_not_deleted(official) -> None:
    _builder(official, action="list", list_name="hl5", list_choices="1 = Thấp\n5 = Cao")
    _builder(official, action="add", id="hai_long", type="likert", label_vi="Hài lòng?",
             label_en="Satisfied?", choice_list="hl5")
    refused = _builder(official, action="list_delete", list_name="hl5")
    assert refused.status_code == 422
    assert "used by hai_long" in refused.text
    _builder(official, action="delete", question="hai_long")
    assert _builder(official, action="list_delete", list_name="hl5").status_code == 303
    assert "choice_lists" not in _source(official)


# --- the fields, read and written (pure) --------------------------------------------------

@pytest.mark.parametrize("written", [
    'kenh == "web"', 'kenh != "web"', "danh_gia >= 4", "danh_gia < 2",
    'kho_khan in ["login"]', "answered(email)"])
def test_a_simple_condition_reads_back_into_the_pickers_unchanged(written) -> None:
    fields = builder.question_fields({"show_if": written}, 0, ("vi",), {"kenh": ["web"]})
    assert "show_if" not in fields
    assert builder.condition(fields) == written


def test_a_text_the_same_in_every_language_stays_one_string() -> None:
    fields = {"label_vi": "Email", "label_en": "Email"}
    assert builder.localized(fields, "label", ("vi", "en")) == "Email"
    assert builder.localized({"label_vi": "Thư"}, "label", ("vi", "en")) == {"vi": "Thư"}


def test_a_choice_without_a_value_is_refused() -> None:
    with pytest.raises(builder.BuilderError, match="has no value"):
        builder.parse_choices(" = Không có mã", ("vi",))


# --- odd and hostile posts ---------------------------------------------------------------

def test_a_change_without_its_revision_is_refused_not_an_error(official, rows) -> None:
    refused = post(official, BUILDER, action="add", id="a", type="text", label_vi="A",
                   label_en="A")
    assert refused.status_code == 409
    assert rows("select count(*) from form_revision") == [(1,)]


@pytest.mark.parametrize("page", ["²", "9" * 5000, "-1", "x"])
def test_a_page_number_that_is_not_one_is_refused(official, page) -> None:
    assert _builder(official, action="page", page=page, page_id="p").status_code == 422


def test_a_new_choice_list_never_replaces_one_of_the_same_name(official) -> None:
    _builder(official, action="list", list_name="hl5", list_choices="1 = Thấp\n5 = Cao")
    refused = _builder(official, action="list", list_name="hl5", list_choices="x = X")
    assert refused.status_code == 422
    assert "a choice list &#39;hl5&#39; already exists" in refused.text
    assert "x: X" not in _source(official) and "value: x" not in _source(official)


def test_what_the_builder_reads_back_it_writes_back_unchanged(official) -> None:
    _append_in_the_editor(official,
        "  - id: ngay\n    type: date\n    label: {vi: Ngày, en: Day}\n"
        "    required: false\n    validate:\n      min: 2026-01-01\n"
        "  - id: gia\n    type: decimal\n    label: {vi: Giá, en: Price}\n"
        "  - id: so\n    type: decimal\n    label: {vi: Số, en: Number}\n"
        "    show_if: gia == 2.50\n"
        "  - id: chon\n    type: single_choice\n    label: Chọn\n"
        "    choices:\n      - {value: a=b, label: {vi: Một | một, en: One | one}}\n")
    before = _source(official)
    for question in ("ngay", "so", "chon"):
        fields = _edit_fields(official, question)
        saved = _builder(official, action="update", question=question, **fields)
        assert saved.status_code == 303, (question, saved.text)
    assert _source(official) == before


def _edit_fields(client: TestClient, question: str) -> dict[str, str]:
    """The question form's fields as the edit page fills them in (what a browser sends
    when the official saves without changing anything)."""
    import html
    import re

    page = client.get(f"{BUILDER}?edit={question}").text
    form = page[page.index('id="question-form"'):page.index('id="choice-lists"')]
    fields = {name: html.unescape(value) for name, value in re.findall(
        r'<input class="input[^"]*" id="[^"]+" name="([a-z_]+)"[^>]*value="([^"]*)"', form)}
    for name, body in re.findall(r'<textarea [^>]*name="([a-z_]+)"[^>]*>([^<]*)</textarea>',
                                 form):
        fields[name] = html.unescape(body)
    for name, options in re.findall(r'<select class="input" id="[^"]+" name="([a-z_]+)">'
                                    r'(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    if 'id="b-required" name="required" value="1" checked' in form:
        fields["required"] = "1"
    fields["current_type"] = re.search(r'name="current_type" value="([^"]*)"', form).group(1)
    return fields
