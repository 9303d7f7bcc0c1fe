"""Where a consultation's draft comes from: Markdown written in the form file, or a
``.md`` or ``.docx`` file beside it. Either way the draft ends as Markdown text (what a
form version stores, so that a stored version rebuilds without the file) and as blocks
placed in their source, for the linter's messages."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from vnform.consultation.document import Block, Document, blocks_of_docx, blocks_of_markdown, split

__all__ = ["DRAFT_SUFFIXES", "DraftSource", "is_draft_path", "markdown_of_blocks", "read_draft"]

DRAFT_SUFFIXES = (".md", ".markdown", ".docx")
#: A draft larger than this is refused (a decree runs to a few hundred kilobytes).
MAX_DRAFT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class DraftSource:
    """A draft as read: its Markdown, its blocks, and the file it came from (None when
    written in the form file); *error* says why it could not be read."""

    markdown: str
    blocks: tuple[Block, ...]
    path: str | None = None
    error: str | None = None

    @property
    def document(self) -> Document:
        return split(self.blocks)


def is_draft_path(value: str) -> bool:
    """Whether a form's ``document:`` names a file rather than holding the draft."""
    text = value.strip()
    return "\n" not in text and text.lower().endswith(DRAFT_SUFFIXES)


def read_draft(value: str, form_path: str) -> DraftSource:
    """The draft *value* holds, or the file it names, relative to the form file at
    *form_path*."""
    if not is_draft_path(value):
        return DraftSource(value, tuple(blocks_of_markdown(value)))
    name = value.strip()
    if not _a_file(form_path):
        return DraftSource("", (), name, (
            f"'{name}' is a file, but this form is not a file in the forms folder: write "
            "the draft's Markdown under 'document: |' instead"))
    base = Path(form_path).parent.resolve()
    target = (base / name).resolve()
    if Path(name).is_absolute() or not target.is_relative_to(base):
        return DraftSource("", (), name, (
            f"document '{name}' must be a file in the form's own folder (or below it)"))
    try:
        stat = target.stat()
    except OSError:
        return DraftSource("", (), name, f"document file '{name}' not found beside the form "
                           f"(looked for {target})")
    if not target.is_file():
        return DraftSource("", (), name, f"document '{name}' is not a file")
    if stat.st_size > MAX_DRAFT_BYTES:
        return DraftSource("", (), name, f"document file '{name}' is larger than 5 MB")
    return _read_file(str(target), name, stat.st_mtime_ns)


def _a_file(form_path: str) -> bool:
    """Whether *form_path* names a form file (not a form kept in the database, whose
    problems are named "<id> (database)", nor a text checked on its own)."""
    return bool(form_path) and not form_path.startswith("<") \
        and form_path != "(stored)" and not form_path.endswith(" (database)")


@functools.lru_cache(maxsize=32)
def _read_file(target: str, name: str, _mtime: int) -> DraftSource:
    """A draft file read once per change (its modification time is in the key)."""
    if target.lower().endswith(".docx"):
        try:
            blocks = tuple(blocks_of_docx(target))
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the same problem
            return DraftSource("", (), name, f"cannot read '{name}' as a Word document "
                               f"({type(exc).__name__})")
        return DraftSource(markdown_of_blocks(blocks), blocks, name)
    try:
        text = Path(target).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return DraftSource("", (), name, f"'{name}' is not UTF-8 text")
    return DraftSource(text, tuple(blocks_of_markdown(text)), name)


_LEADING_NUMBER = re.compile(r"^(\d+[.)])(\s+)")
_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def markdown_of_blocks(blocks: tuple[Block, ...]) -> str:
    """Blocks (of a ``.docx``) as Markdown that reads back into the same blocks: each a
    paragraph, its punctuation escaped, except a clause's leading number (``1.``), which
    Markdown reads as a numbered item."""
    paragraphs = []
    for block in blocks:
        text = " ".join(block.text.split())
        head, body = "", text
        if found := _LEADING_NUMBER.match(text):
            head, body = found.group(1) + " ", text[found.end():]
        paragraphs.append(head + _PUNCTUATION.sub(r"\\\1", body))
    return "\n\n".join(paragraphs) + "\n"
