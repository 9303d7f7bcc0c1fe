"""A consultation's form file: its draft (Markdown in the file, or a .md or .docx file
beside it) split into articles, and every problem of it reported at its line."""

from __future__ import annotations

from pathlib import Path

import docx
from consultations import DRAFT, consultation_yaml

from vnform.forms.building import build_from_definition
from vnform.forms.loader import load_file, load_text


def problems(loaded) -> list[str]:
    return [str(p) for p in loaded.problems]


def test_a_markdown_draft_in_the_form_splits_into_its_articles() -> None:
    loaded = load_text(consultation_yaml(), "forms/du-thao.yaml")
    assert loaded.errors == []
    consultation = loaded.spec.consultation
    assert loaded.spec.kind == "consultation"
    assert [a.id for a in consultation.document.articles] == ["dieu-1", "dieu-2", "dieu-3"]
    assert [c.id for c in consultation.document.article("dieu-2").clauses] == [
        "dieu-2-khoan-1", "dieu-2-khoan-2"]
    assert consultation.targets[-1] == "general"
    assert consultation.commenters == ("individual", "organisation", "agency")


def test_a_consultation_needs_no_question() -> None:
    loaded = load_text(consultation_yaml(), "forms/du-thao.yaml")
    assert loaded.spec.pages[0].questions == ()


def write_docx(path: Path, paragraphs: list[str]) -> None:
    paper = docx.Document()
    for text in paragraphs:
        paper.add_paragraph(text)
    paper.save(str(path))


DOCX_PARAGRAPHS = [
    "DỰ THẢO NGHỊ ĐỊNH",
    "Căn cứ Luật Tổ chức Chính phủ;",
    "Chương I",
    "QUY ĐỊNH CHUNG",
    "Điều 1. Phạm vi điều chỉnh",
    "Nghị định này quy định về dịch vụ công trực tuyến.",
    "Điều 2. Nguyên tắc",
    "1. Công khai, minh bạch.",
    "2. Lấy người dân làm trung tâm (*không* thu phí).",
    "Chương II. ĐIỀU KHOẢN THI HÀNH",
    "Điều 3. Hiệu lực",
    "Nghị định có hiệu lực từ ngày 01/7/2027.",
]


def test_a_word_draft_beside_the_form_splits_into_its_articles(tmp_path: Path) -> None:
    write_docx(tmp_path / "du-thao.docx", DOCX_PARAGRAPHS)
    form = tmp_path / "du-thao.yaml"
    form.write_text(consultation_yaml().split("document: |")[0] + "document: du-thao.docx\n",
                    encoding="utf-8")
    loaded = load_file(form)
    assert problems(loaded) == []
    document = loaded.spec.consultation.document
    assert [(d.id, d.title) for d in document.divisions] == [
        ("chuong-i", "QUY ĐỊNH CHUNG"), ("chuong-ii", "ĐIỀU KHOẢN THI HÀNH")]
    assert [(a.id, a.chapter) for a in document.articles] == [
        ("dieu-1", "chuong-i"), ("dieu-2", "chuong-i"), ("dieu-3", "chuong-ii")]
    assert [c.text for c in document.article("dieu-2").clauses] == [
        "Công khai, minh bạch.", "Lấy người dân làm trung tâm (*không* thu phí)."]
    assert document.preamble == ("DỰ THẢO NGHỊ ĐỊNH", "Căn cứ Luật Tổ chức Chính phủ;")


def test_a_stored_version_rebuilds_without_the_word_file(tmp_path: Path) -> None:
    write_docx(tmp_path / "du-thao.docx", DOCX_PARAGRAPHS)
    form = tmp_path / "du-thao.yaml"
    form.write_text(consultation_yaml().split("document: |")[0] + "document: du-thao.docx\n",
                    encoding="utf-8")
    spec = load_file(form).spec
    (tmp_path / "du-thao.docx").unlink()
    rebuilt = build_from_definition(spec.definition)

    def parts(document):  # places differ: paragraphs of the file, lines of its Markdown
        return ([(d.id, d.title) for d in document.divisions],
                [(a.id, a.title, a.chapter, a.text, a.clauses) for a in document.articles],
                document.preamble)

    assert parts(rebuilt.consultation.document) == parts(spec.consultation.document)
    assert rebuilt.version == spec.version


def test_a_markdown_file_beside_the_form_is_read(tmp_path: Path) -> None:
    (tmp_path / "du-thao.md").write_text(DRAFT, encoding="utf-8")
    form = tmp_path / "du-thao.yaml"
    form.write_text(consultation_yaml().split("document: |")[0] + "document: du-thao.md\n",
                    encoding="utf-8")
    loaded = load_file(form)
    assert [a.id for a in loaded.spec.consultation.document.articles] == [
        "dieu-1", "dieu-2", "dieu-3"]


def test_a_changed_draft_is_a_new_version() -> None:
    first = load_text(consultation_yaml(), "forms/du-thao.yaml").spec
    second = load_text(consultation_yaml(draft=DRAFT.replace("10 ngày", "7 ngày")),
                       "forms/du-thao.yaml").spec
    assert first.version != second.version


def test_a_missing_draft_file_is_reported_at_its_key(tmp_path: Path) -> None:
    form = tmp_path / "du-thao.yaml"
    text = consultation_yaml().split("document: |")[0] + "document: khong-co.docx\n"
    form.write_text(text, encoding="utf-8")
    line = text.splitlines().index("document: khong-co.docx") + 1
    assert problems(load_file(form)) == [
        f"{form}:{line}:11: document file 'khong-co.docx' not found beside the form "
        f"(looked for {tmp_path / 'khong-co.docx'})"]


def test_a_duplicate_article_in_the_form_is_reported_at_its_line() -> None:
    draft = DRAFT.replace("### Điều 3. Hiệu lực thi hành", "### Điều 2. Hiệu lực thi hành")
    text = consultation_yaml(draft=draft)
    lines = text.splitlines()
    first = lines.index("  ### Điều 2. Thời hạn giải quyết") + 1
    second = lines.index("  ### Điều 2. Hiệu lực thi hành") + 1
    assert problems(load_text(text, "du-thao.yaml")) == [
        f"du-thao.yaml:{second}:3: Điều 2 appears twice: each article needs its own number "
        f"(first at line {first})"]


def test_a_duplicate_article_in_a_word_file_is_reported_at_its_paragraph(
        tmp_path: Path) -> None:
    write_docx(tmp_path / "du-thao.docx", [*DOCX_PARAGRAPHS, "Điều 3. Lặp lại"])
    form = tmp_path / "du-thao.yaml"
    form.write_text(consultation_yaml().split("document: |")[0] + "document: du-thao.docx\n",
                    encoding="utf-8")
    assert problems(load_file(form)) == [
        f"{tmp_path / 'du-thao.docx'}:13:1: paragraph 13: Điều 3 appears twice: each "
        "article needs its own number (first at paragraph 11)"]


def test_a_draft_without_articles_is_reported() -> None:
    text = consultation_yaml(draft="Một văn bản không có điều nào.\n")
    line = text.splitlines().index("  Một văn bản không có điều nào.") + 1
    assert problems(load_text(text, "du-thao.yaml")) == [
        f"du-thao.yaml:{line}:3: no article found: a draft is split at headings such as "
        "'Điều 1. Phạm vi điều chỉnh' (chapters 'Chương I' and sections 'Mục 1' are "
        "optional)"]


def test_a_consultation_without_a_draft_is_reported() -> None:
    text = consultation_yaml().split("document: |")[0]
    assert problems(load_text(text, "du-thao.yaml")) == [
        "du-thao.yaml:1:1: a consultation needs 'document': the draft's Markdown, or a .md "
        "or .docx file beside the form"]


def test_a_survey_with_a_draft_is_told_to_be_a_consultation() -> None:
    text = consultation_yaml().replace("kind: consultation\n", "") + \
        "questions:\n  - {id: a, type: yes_no, label: A}\n"
    found = problems(load_text(text, "f.yaml"))
    assert "f.yaml:5:1: 'public_comments' belongs to consultations: add 'kind: " \
           "consultation' to the form" in found
    assert any("'document' belongs to consultations" in p for p in found)


def test_commenters_are_checked() -> None:
    text = consultation_yaml(extra="commenters: [individual, individual, company]\n")
    found = problems(load_text(text, "f.yaml"))
    assert found == ["f.yaml:7:38: 'company' is not one of: individual, organisation, "
                     "agency"]
    text = consultation_yaml(extra="commenters: [individual, individual]\n")
    assert problems(load_text(text, "f.yaml")) == [
        "f.yaml:7:13: a kind of commenter is listed twice"]


def test_a_consultation_asks_its_questions_on_one_page() -> None:
    text = consultation_yaml() + (
        "pages:\n"
        "  - {id: a, questions: [{id: x, type: yes_no, label: X}]}\n"
        "  - {id: b, questions: [{id: y, type: yes_no, label: Y}]}\n")
    found = problems(load_text(text, "f.yaml"))
    assert any("a consultation asks its questions on one page" in p for p in found)


def test_the_demo_consultation_checks_clean() -> None:
    loaded = load_file(Path(__file__).resolve().parent.parent / "forms"
                       / "gop-y-du-thao-nghi-dinh.yaml")
    assert problems(loaded) == []
    assert len(loaded.spec.consultation.document.articles) == 7


def test_a_draft_file_outside_the_forms_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text(DRAFT, encoding="utf-8")
    folder = tmp_path / "forms"
    folder.mkdir()
    for name in ("../secret.md", str(tmp_path / "secret.md")):
        form = folder / "du-thao.yaml"
        form.write_text(consultation_yaml().split("document: |")[0] + f"document: {name}\n",
                        encoding="utf-8")
        assert [p.message for p in load_file(form).problems] == [
            f"document '{name}' must be a file in the form's own folder (or below it)"]


def test_a_draft_file_in_a_form_kept_in_the_database_is_refused(tmp_path: Path) -> None:
    text = consultation_yaml().split("document: |")[0] + "document: du-thao.md\n"
    assert [p.message for p in load_text(text, "du-thao (database)").problems] == [
        "'du-thao.md' is a file, but this form is not a file in the forms folder: write "
        "the draft's Markdown under 'document: |' instead"]


def test_survey_only_keys_and_export_column_ids_are_refused() -> None:
    text = consultation_yaml(extra="invitation_only: true\n", questions="""
        - {id: text, type: textarea, label: Ý kiến, personal_data: none}
        """)
    found = [p.message for p in load_text(text, "f.yaml").problems]
    assert "'invitation_only' is for surveys: anyone may comment on a consultation, as " \
           "many times as they like" in found
    assert "'text' names a column of the comments in a consultation's exports; choose " \
           "another id" in found
