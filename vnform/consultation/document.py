"""A draft legal document split by its Vietnamese structure: chapters (``Chương I``),
sections (``Mục 1``), articles (``Điều 1.``) and their numbered clauses (``1.``,
``2.``), each with a stable id (``chuong-i``, ``chuong-i-muc-1``, ``dieu-1``,
``dieu-1-khoan-2``). Anything before the first heading is the preamble.

The draft comes as Markdown (headings or plain paragraphs, the clauses as a numbered
list or as paragraphs) or as a ``.docx`` file; both become the same blocks of text with
their place in the source (a line, or a paragraph's number), which are split here.
Problems (no article at all, an article number given twice, a clause number out of
order) are reported at their place, all at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["Article", "Block", "Clause", "Division", "Document", "DocumentProblem",
           "article_ids", "blocks_of_docx", "blocks_of_markdown", "split"]

_CHAPTER = re.compile(r"(?i)^ch(?:ương|uong)\s+([IVXLCDM]+|\d+)\b[.:]?\s*(.*)$")
_SECTION = re.compile(r"(?i)^m(?:ục|uc)\s+(\d+)\b[.:]?\s*(.*)$")
_ARTICLE = re.compile(r"(?i)^đi(?:ều|eu)\s+(\d+)\s*[.:]\s*(.*)$")
_CLAUSE = re.compile(r"^(\d+)\s*[.)]\s+(.*)$", re.S)


@dataclass(frozen=True)
class Block:
    """A paragraph of the draft: its text and where it starts (a line of a Markdown
    file, or a paragraph's number in a ``.docx``); *number* is set when the source
    numbered it itself (an item of a Markdown ordered list)."""

    text: str
    place: int
    number: int | None = None


@dataclass(frozen=True)
class Division:
    """A chapter or a section: ``Chương II. QUY ĐỊNH CỤ THỂ`` has the label ``Chương
    II`` and the title ``QUY ĐỊNH CỤ THỂ``."""

    kind: str  # chapter | section
    id: str
    label: str
    title: str
    place: int


@dataclass(frozen=True)
class Clause:
    number: int
    id: str
    text: str


@dataclass(frozen=True)
class Article:
    """An article: ``Điều 3. Giải thích từ ngữ``, its chapter and section, its own text
    (what comes before its first clause) and its clauses."""

    number: int
    id: str
    title: str
    place: int
    chapter: str | None = None
    section: str | None = None
    text: tuple[str, ...] = ()
    clauses: tuple[Clause, ...] = ()

    @property
    def label(self) -> str:
        return f"Điều {self.number}"

    @property
    def heading(self) -> str:
        """The article as its heading names it: ``Điều 3. Giải thích từ ngữ``."""
        return f"{self.label}. {self.title}" if self.title else self.label


@dataclass(frozen=True)
class DocumentProblem:
    """Where the draft could not be split as it should; *earlier*: the place of the
    part it clashes with (the first article of a number given twice)."""

    place: int
    message: str
    earlier: int | None = None


@dataclass(frozen=True)
class Document:
    """The draft split: its preamble, its chapters and sections, and its articles in
    order; *problems* say where it could not be split as it should."""

    preamble: tuple[str, ...] = ()
    divisions: tuple[Division, ...] = ()
    articles: tuple[Article, ...] = ()
    problems: tuple[DocumentProblem, ...] = field(default=())

    def article(self, article_id: str) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def outline(self) -> list[Division | Article]:
        """Chapters, sections and articles in the order of the draft."""
        return sorted([*self.divisions, *self.articles], key=lambda part: part.place)


def split(blocks: Iterable[Block]) -> Document:
    """Split *blocks* into the document's parts."""
    preamble: list[str] = []
    divisions: list[Division] = []
    articles: list[_Open] = []
    problems: list[DocumentProblem] = []
    chapter: Division | None = None
    section: Division | None = None
    seen: dict[int, int] = {}
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        first, _, rest = text.partition("\n")
        untitled = divisions and not divisions[-1].title and (
            not articles or articles[-1].place < divisions[-1].place)
        if untitled and not any(p.match(first) for p in (_CHAPTER, _SECTION, _ARTICLE)):
            # "Chương I" on its line, its title on the next: "QUY ĐỊNH CHUNG".
            titled = replace(divisions[-1], title=_title(text, ""))
            divisions[-1] = titled
            chapter = titled if titled.kind == "chapter" else chapter
            section = titled if titled.kind == "section" else section
            continue
        if found := _CHAPTER.match(first):
            number = found.group(1).upper()
            chapter = Division("chapter", f"chuong-{number.lower()}", f"Chương {number}",
                               _title(found.group(2), rest), block.place)
            section = None
            divisions.append(chapter)
        elif found := _SECTION.match(first):
            prefix = f"{chapter.id}-" if chapter else ""
            section = Division("section", f"{prefix}muc-{found.group(1)}",
                               f"Mục {found.group(1)}", _title(found.group(2), rest),
                               block.place)
            divisions.append(section)
        elif found := _ARTICLE.match(first):
            number = int(found.group(1))
            if number in seen:
                problems.append(DocumentProblem(block.place, (
                    f"Điều {number} appears twice: each article needs its own number"),
                    seen[number]))
            else:
                seen[number] = block.place
            articles.append(_Open(number, _title(found.group(2), ""), block.place,
                                  chapter.id if chapter else None,
                                  section.id if section else None))
            if rest.strip():
                articles[-1].add(Block(rest, block.place), problems)
        elif articles:
            articles[-1].add(Block(text, block.place, block.number), problems)
        else:
            preamble.append(text)
    if not articles:
        problems.append(DocumentProblem(1, (
            "no article found: a draft is split at headings such as 'Điều 1. Phạm vi "
            "điều chỉnh' (chapters 'Chương I' and sections 'Mục 1' are optional)")))
    kept: dict[str, Article] = {}
    for article in articles:  # an article number given twice: the first one counts
        kept.setdefault(article.id, article.close())
    return Document(tuple(preamble), tuple(divisions), tuple(kept.values()),
                    tuple(problems))


@dataclass
class _Open:
    """An article while its blocks are read."""

    number: int
    title: str
    place: int
    chapter: str | None
    section: str | None
    text: list[str] = field(default_factory=list)
    clauses: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"dieu-{self.number}"

    def add(self, block: Block, problems: list[DocumentProblem]) -> None:
        text = block.text.strip()
        number, body = block.number, text
        if number is None and (found := _CLAUSE.match(text)):
            number, body = int(found.group(1)), found.group(2).strip()
        if number is None:
            if self.clauses:  # a point (a), b)...) or a paragraph of the last clause
                self.clauses[-1][1].append(text)
            else:
                self.text.append(text)
            return
        expected = len(self.clauses) + 1
        if number != expected:
            problems.append(DocumentProblem(block.place, (
                f"Điều {self.number}: clause {number} comes where clause {expected} "
                "should")))
        self.clauses.append((number, [body]))

    def close(self) -> Article:
        return Article(
            self.number, self.id, self.title, self.place, self.chapter, self.section,
            tuple(self.text),
            tuple(Clause(n, f"{self.id}-khoan-{n}", "\n".join(parts))
                  for n, parts in self.clauses))


def _title(inline: str, rest: str) -> str:
    """A heading's title: on its line, else the next line (``Chương I`` then ``QUY
    ĐỊNH CHUNG``)."""
    return (inline.strip() or rest.strip().partition("\n")[0]).rstrip(".").strip()


def blocks_of_markdown(text: str) -> list[Block]:
    """The paragraphs, headings and list items of a Markdown draft, with their lines
    (from 1). An item of an ordered list keeps its number."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = []
    pending: int | None = None
    for i, token in enumerate(tokens):
        if token.type == "list_item_open" and token.markup in (".", ")") \
                and token.info.isdigit():
            pending = int(token.info)  # the number as written (Markdown would renumber)
        elif token.type == "inline" and token.map is not None:
            parent = tokens[i - 1].type if i else ""
            if parent not in ("paragraph_open", "heading_open"):
                continue
            blocks.append(Block(_plain(token), token.map[0] + 1, pending))
            pending = None
    return blocks


def _plain(token: object) -> str:
    """An inline token's text without Markdown's marks (**, _, links), lines kept."""
    parts = []
    for child in getattr(token, "children", None) or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def blocks_of_docx(path: Path | str) -> list[Block]:
    """The paragraphs of a ``.docx`` draft, numbered from 1. Word's own list numbering
    is not in the text: a clause is written ``1.`` in it, as drafts are."""
    import docx

    return [Block(paragraph.text, n)
            for n, paragraph in enumerate(docx.Document(str(path)).paragraphs, 1)
            if paragraph.text.strip()]


def article_ids(document: Document) -> Sequence[str]:
    """The ids a comment may name: each article's, and ``general``."""
    return [*(a.id for a in document.articles), "general"]
