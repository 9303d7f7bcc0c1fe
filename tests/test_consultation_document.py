"""A draft legal document split by its Vietnamese structure (Chương, Mục, Điều, khoản),
from Markdown and from a .docx file: the same parts, with stable ids."""

from __future__ import annotations

from pathlib import Path

import docx

from vnform.consultation.document import (
    article_ids,
    blocks_of_docx,
    blocks_of_markdown,
    split,
)

DRAFT = """\
# Dự thảo Nghị định quy định về dịch vụ công trực tuyến

Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;

Chính phủ ban hành Nghị định quy định về dịch vụ công trực tuyến.

## Chương I. QUY ĐỊNH CHUNG

### Điều 1. Phạm vi điều chỉnh

Nghị định này quy định việc cung cấp dịch vụ công trực tuyến.

### Điều 2. Giải thích từ ngữ

Trong Nghị định này, các từ ngữ dưới đây được hiểu như sau:

1. **Dịch vụ công trực tuyến** là dịch vụ hành chính công được cung cấp qua mạng.
2. *Cổng Dịch vụ công* là cổng tích hợp thông tin về dịch vụ công:
   a) của bộ, ngành;
   b) của địa phương.

## Chương II

QUY ĐỊNH CỤ THỂ

### Mục 1. CUNG CẤP DỊCH VỤ

### Điều 3. Trách nhiệm của cơ quan

1. Cơ quan nhà nước công khai danh mục dịch vụ công trực tuyến.

2. Cơ quan nhà nước tiếp nhận và trả lời ý kiến của người dân.
"""


def test_a_markdown_draft_splits_into_its_articles() -> None:
    document = split(blocks_of_markdown(DRAFT))
    assert document.problems == ()
    assert [(a.id, a.label, a.title) for a in document.articles] == [
        ("dieu-1", "Điều 1", "Phạm vi điều chỉnh"),
        ("dieu-2", "Điều 2", "Giải thích từ ngữ"),
        ("dieu-3", "Điều 3", "Trách nhiệm của cơ quan")]
    assert article_ids(document) == ["dieu-1", "dieu-2", "dieu-3", "general"]


def test_the_preamble_is_what_comes_before_the_first_heading() -> None:
    document = split(blocks_of_markdown(DRAFT))
    assert document.preamble == (
        "Dự thảo Nghị định quy định về dịch vụ công trực tuyến",
        "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;",
        "Chính phủ ban hành Nghị định quy định về dịch vụ công trực tuyến.")


def test_chapters_and_sections_have_ids_and_titles() -> None:
    document = split(blocks_of_markdown(DRAFT))
    assert [(d.id, d.label, d.title) for d in document.divisions] == [
        ("chuong-i", "Chương I", "QUY ĐỊNH CHUNG"),
        ("chuong-ii", "Chương II", "QUY ĐỊNH CỤ THỂ"),  # its title on the next line
        ("chuong-ii-muc-1", "Mục 1", "CUNG CẤP DỊCH VỤ")]
    third = document.article("dieu-3")
    assert (third.chapter, third.section) == ("chuong-ii", "chuong-ii-muc-1")
    assert [part.id for part in document.outline()] == [
        "chuong-i", "dieu-1", "dieu-2", "chuong-ii", "chuong-ii-muc-1", "dieu-3"]


def test_clauses_are_numbered_whether_a_list_or_paragraphs() -> None:
    document = split(blocks_of_markdown(DRAFT))
    second = document.article("dieu-2")
    assert second.text == ("Trong Nghị định này, các từ ngữ dưới đây được hiểu như sau:",)
    assert [(c.id, c.text.splitlines()[0]) for c in second.clauses] == [
        ("dieu-2-khoan-1", "Dịch vụ công trực tuyến là dịch vụ hành chính công được cung "
                           "cấp qua mạng."),
        ("dieu-2-khoan-2", "Cổng Dịch vụ công là cổng tích hợp thông tin về dịch vụ công:")]
    assert "a) của bộ, ngành;" in second.clauses[1].text
    assert [c.id for c in document.article("dieu-3").clauses] == [
        "dieu-3-khoan-1", "dieu-3-khoan-2"]


def test_a_draft_without_articles_cannot_be_split() -> None:
    document = split(blocks_of_markdown("# Dự thảo\n\nMột đoạn văn.\n"))
    assert [(p.place, p.message.split(":")[0]) for p in document.problems] == [
        (1, "no article found")]


def test_an_article_number_given_twice_is_reported_at_its_line() -> None:
    text = "Điều 1. Một\n\nNội dung.\n\nĐiều 2. Hai\n\nĐiều 1. Lại một\n"
    document = split(blocks_of_markdown(text))
    assert [(p.place, p.message, p.earlier) for p in document.problems] == [
        (7, "Điều 1 appears twice: each article needs its own number", 1)]
    assert [a.title for a in document.articles] == ["Một", "Hai"]


def test_a_clause_out_of_order_is_reported() -> None:
    text = "Điều 1. Một\n\n1. Khoản một.\n\n3. Khoản ba.\n"
    document = split(blocks_of_markdown(text))
    assert [p.message for p in document.problems] == [
        "Điều 1: clause 3 comes where clause 2 should"]


def test_a_docx_draft_splits_into_the_same_parts(tmp_path: Path) -> None:
    draft = docx.Document()
    for text in ("NGHỊ ĐỊNH", "Căn cứ Luật Tổ chức Chính phủ;", "Chương I", "QUY ĐỊNH CHUNG",
                 "Điều 1. Phạm vi điều chỉnh", "Nghị định này quy định dịch vụ công.",
                 "Điều 2. Giải thích từ ngữ", "1. Dịch vụ công là dịch vụ hành chính.",
                 "2. Cổng là cổng thông tin.", "a) của bộ;", "Mục 1. CUNG CẤP",
                 "Điều 3. Trách nhiệm", "1. Công khai danh mục."):
        draft.add_paragraph(text)
    path = tmp_path / "du-thao.docx"
    draft.save(str(path))
    document = split(blocks_of_docx(path))
    assert document.problems == ()
    assert document.preamble == ("NGHỊ ĐỊNH", "Căn cứ Luật Tổ chức Chính phủ;")
    assert [(d.id, d.title) for d in document.divisions] == [
        ("chuong-i", "QUY ĐỊNH CHUNG"), ("chuong-i-muc-1", "CUNG CẤP")]
    assert [(a.id, [c.id for c in a.clauses]) for a in document.articles] == [
        ("dieu-1", []), ("dieu-2", ["dieu-2-khoan-1", "dieu-2-khoan-2"]),
        ("dieu-3", ["dieu-3-khoan-1"])]
    assert document.article("dieu-2").clauses[1].text == "Cổng là cổng thông tin.\na) của bộ;"
    assert document.article("dieu-3").place == 12  # its paragraph
