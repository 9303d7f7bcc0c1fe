"""The revised draft against the original, article by article: which articles changed,
were added or removed, and what changed inside each, word by word."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from vnform.consultation.document import Article, Document

__all__ = ["ArticleChange", "Piece", "article_lines", "compare"]


@dataclass(frozen=True)
class Piece:
    """A run of words: kept (``same``), taken out (``removed``) or put in (``added``)."""

    kind: str
    text: str


@dataclass(frozen=True)
class ArticleChange:
    """One article of either draft: ``same``, ``changed``, ``added`` or ``removed``,
    with its text in each, and the changes word by word (*pieces*, one list per line)."""

    id: str
    label: str
    status: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    pieces: tuple[tuple[Piece, ...], ...] = ()


def article_lines(article: Article) -> tuple[str, ...]:
    """An article as lines of text: its title, its own paragraphs, its clauses."""
    return (article.heading, *article.text,
            *(f"{clause.number}. {clause.text}" for clause in article.clauses))


def compare(original: Document, revised: Document) -> list[ArticleChange]:
    """Every article of the original (in its order), then those only the revised draft
    has; each says how it changed."""
    changes = []
    revised_by_id = {a.id: a for a in revised.articles}
    for article in original.articles:
        before = article_lines(article)
        after_article = revised_by_id.get(article.id)
        if after_article is None:
            changes.append(ArticleChange(article.id, article.label, "removed", before, ()))
            continue
        after = article_lines(after_article)
        status = "same" if before == after else "changed"
        changes.append(ArticleChange(article.id, article.label, status, before, after,
                                     _pieces(before, after) if status == "changed" else ()))
    known = {a.id for a in original.articles}
    for article in revised.articles:
        if article.id not in known:
            changes.append(ArticleChange(article.id, article.label, "added", (),
                                         article_lines(article)))
    return changes


_WORDS = re.compile(r"\s+|[^\s]+")


def _pieces(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[tuple[Piece, ...], ...]:
    """The changes from *before* to *after*, word by word, as one list of pieces per
    line of either text (lines are matched first, so that an inserted clause does not
    shift every word after it)."""
    lines: list[tuple[Piece, ...]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            lines += [(Piece("same", line),) for line in before[a0:a1]]
        elif op == "delete":
            lines += [(Piece("removed", line),) for line in before[a0:a1]]
        elif op == "insert":
            lines += [(Piece("added", line),) for line in after[b0:b1]]
        else:
            old, new = before[a0:a1], after[b0:b1]
            for i in range(max(len(old), len(new))):
                lines.append(_words(old[i] if i < len(old) else "",
                                    new[i] if i < len(new) else ""))
    return tuple(lines)


def _words(before: str, after: str) -> tuple[Piece, ...]:
    """One line's changes, word by word; a line rewritten more than kept reads better
    as the old line out and the new one in."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < 0.5:
        return tuple(Piece(kind, text) for kind, text in (("removed", before),
                                                          ("added", after)) if text)
    pieces: list[Piece] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[a0:a1])))
            continue
        if a1 > a0:
            pieces.append(Piece("removed", "".join(a[a0:a1])))
        if b1 > b0:
            pieces.append(Piece("added", "".join(b[b0:b1])))
    return tuple(pieces)
