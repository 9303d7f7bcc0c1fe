"""Comments on consultations: stored with the response that sent them, counted per
article, grouped when identical, tagged, moderated and answered by the agency."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from vnform.consultation.comments import ANSWERS, CommentDraft
from vnform.models import Comment, CommentTag, SynthesisPublication
from vnform.store import reading
from vnform.store.database import WRITE, Write, aware, execute

__all__ = [
    "STATUSES", "CommentFilters", "CommentGroup",
    "PublicComment", "StoredComment", "answer_comments", "article_counts", "clean_tags",
    "comment_fingerprint", "comment_groups", "comment_writes", "comments_of_responses",
    "comments_page", "fingerprint_of", "form_tags", "iter_comments", "moderate_comments",
    "public_comment_counts", "public_comments", "publish_synthesis", "set_comment_tags",
    "synthesis_published",
]

STATUSES = ("pending", "approved", "hidden")
MAX_TAG_LENGTH = 60
MAX_TAGS = 20


def comment_fingerprint(article: str, stance: str | None, text: str, proposal: str) -> str:
    """What identical and nearly identical comments share: their article, stance and
    wording, compared without case, punctuation or spacing (a campaign's copies differ
    by little else)."""
    def plain(words: str) -> str:
        words = unicodedata.normalize("NFC", words).casefold()
        words = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in words)
        return " ".join(words.split())

    key = "\x1f".join((article, stance or "", plain(text), plain(proposal)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


_INSERT = ('INSERT INTO "comment" ("response_id", "form_id", "article", "stance", '
           '"commenter_type", "text", "proposal", "submitted_at", "fingerprint", "status") '
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def comment_writes(form_id: str, response_id: int, comments: Sequence[CommentDraft],
                   at: Any) -> list[Write]:
    """The rows of a response's comments (*at*: its time, as the writer binds it)."""
    return [(_INSERT, [
        (response_id, form_id, c.article, c.stance, c.commenter_type, c.text or None,
         c.proposal or None, at, comment_fingerprint(c.article, c.stance, c.text, c.proposal),
         "pending")
        for c in comments])]


@dataclass(frozen=True)
class StoredComment:
    id: int
    response_id: int
    article: str
    stance: str | None
    commenter_type: str
    text: str
    proposal: str
    submitted_at: dt.datetime
    fingerprint: str
    status: str
    moderation_reason: str | None
    answer: str | None
    answer_text: str | None
    reference: str | None = None
    tags: tuple[str, ...] = ()
    #: How many comments share its fingerprint (itself included).
    group_size: int = 1


@dataclass(frozen=True)
class CommentFilters:
    """Which comments an official looks at."""

    article: str | None = None
    stance: str | None = None
    commenter_type: str | None = None
    tag: str | None = None
    status: str | None = None
    answered: bool | None = None
    #: The comments of one group only.
    fingerprint: str | None = None

    def where(self, form_id: str) -> tuple[str, list[Any]]:
        clauses, params = ["c.form_id = ?"], [form_id]
        if self.stance == "none":
            clauses.append("c.stance IS NULL")
        for column, value in (("article", self.article), ("commenter_type",
                              self.commenter_type), ("status", self.status),
                              ("fingerprint", self.fingerprint),
                              ("stance", self.stance if self.stance != "none" else None)):
            if value:
                clauses.append(f"c.{column} = ?")
                params.append(value)
        if self.tag:
            clauses.append("EXISTS (SELECT 1 FROM comment_tag t WHERE t.comment_id = c.id "
                           "AND t.tag = ?)")
            params.append(self.tag)
        if self.answered is not None:
            clauses.append("c.answer IS NOT NULL" if self.answered else "c.answer IS NULL")
        return " AND ".join(clauses), params


_COLUMNS = ("c.id, c.response_id, c.article, c.stance, c.commenter_type, c.text, "
            "c.proposal, c.submitted_at, c.fingerprint, c.status, c.moderation_reason, "
            "c.answer, c.answer_text, r.reference_code")


def _comment(row: Sequence[Any], tags: dict[int, list[str]],
             sizes: dict[str, int] | None = None) -> StoredComment:
    (cid, rid, article, stance, ctype, text, proposal, at, fingerprint, status, reason,
     answer, answer_text, reference) = row
    return StoredComment(
        int(cid), int(rid), str(article), stance, str(ctype), text or "", proposal or "",
        aware(at), str(fingerprint), str(status), reason, answer, answer_text, reference,
        tuple(sorted(tags.get(int(cid), ()))), (sizes or {}).get(str(fingerprint), 1))


async def _tags_of(ids: Sequence[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    rows = await reading.fetch(
        f"SELECT comment_id, tag FROM comment_tag WHERE comment_id IN "
        f"({', '.join('?' * len(ids))})", list(ids))
    found: dict[int, list[str]] = {}
    for comment_id, tag in rows:
        found.setdefault(int(comment_id), []).append(str(tag))
    return found


async def _group_sizes(form_id: str, fingerprints: Iterable[str]) -> dict[str, int]:
    prints = sorted(set(fingerprints))
    if not prints:
        return {}
    rows = await reading.fetch(
        "SELECT fingerprint, COUNT(*) FROM comment WHERE form_id = ? AND fingerprint IN "
        f"({', '.join('?' * len(prints))}) GROUP BY fingerprint", [form_id, *prints])
    return {str(fp): int(n) for fp, n in rows}


async def article_counts(form_id: str) -> dict[str, Counter[str]]:
    """Per article (and ``general``): its comments counted by stance (``stance:amend``)
    and by kind of commenter (``type:organisation``), and in all (``all``)."""
    rows = await reading.fetch(
        "SELECT article, stance, commenter_type, COUNT(*) FROM comment WHERE form_id = ? "
        "GROUP BY article, stance, commenter_type", [form_id])
    counts: dict[str, Counter[str]] = {}
    for article, stance, ctype, n in rows:
        counter = counts.setdefault(str(article), Counter())
        counter["all"] += int(n)
        counter[f"stance:{stance or 'none'}"] += int(n)
        counter[f"type:{ctype}"] += int(n)
    return counts


@dataclass(frozen=True)
class CommentGroup:
    """Comments that say the same: how many, and the first of them."""

    fingerprint: str
    size: int
    first: StoredComment
    answered: int = 0


async def comments_page(form_id: str, filters: CommentFilters, page: int = 1,
                        per_page: int = 25) -> tuple[int, list[StoredComment]]:
    """The comments *filters* select, newest first: their number and one page."""
    where, params = filters.where(form_id)
    (total,), = await reading.fetch(f"SELECT COUNT(*) FROM comment c WHERE {where}", params)
    rows = await reading.fetch(
        f"SELECT {_COLUMNS} FROM comment c JOIN response r ON r.id = c.response_id "
        f"WHERE {where} ORDER BY c.id DESC LIMIT ? OFFSET ?",
        [*params, per_page, (max(page, 1) - 1) * per_page])
    tags = await _tags_of([int(row[0]) for row in rows])
    sizes = await _group_sizes(form_id, (str(row[8]) for row in rows))
    return int(total), [_comment(row, tags, sizes) for row in rows]


async def comment_groups(form_id: str, filters: CommentFilters,
                         limit: int = 50) -> list[CommentGroup]:
    """The groups of two or more comments that say the same (as *filters* select
    them), the largest first."""
    where, params = filters.where(form_id)
    rows = await reading.fetch(
        f"SELECT c.fingerprint, COUNT(*), MIN(c.id), COUNT(c.answer) FROM comment c "
        f"WHERE {where} GROUP BY c.fingerprint HAVING COUNT(*) > 1 "
        "ORDER BY COUNT(*) DESC, MIN(c.id) LIMIT ?", [*params, limit])
    if not rows:
        return []
    firsts = [int(row[2]) for row in rows]
    heads = await reading.fetch(
        f"SELECT {_COLUMNS} FROM comment c JOIN response r ON r.id = c.response_id "
        f"WHERE c.id IN ({', '.join('?' * len(firsts))})", firsts)
    tags = await _tags_of(firsts)
    by_id = {int(row[0]): _comment(row, tags) for row in heads}
    return [CommentGroup(str(fp), int(n), by_id[int(first)], int(answered))
            for fp, n, first, answered in rows if int(first) in by_id]



async def fingerprint_of(form_id: str, comment_id: int) -> str | None:
    """The fingerprint of a comment (what its group shares), None if there is none."""
    rows = await reading.fetch("SELECT fingerprint FROM comment WHERE form_id = ? AND id = ?",
                               [form_id, comment_id])
    return str(rows[0][0]) if rows else None


async def iter_comments(form_id: str, batch: int = 1000) -> AsyncIterator[list[StoredComment]]:
    """Every comment of *form_id* in batches, oldest first (exports, the synthesis)."""
    last = 0
    while True:
        rows = await reading.fetch(
            f"SELECT {_COLUMNS} FROM comment c JOIN response r ON r.id = c.response_id "
            "WHERE c.form_id = ? AND c.id > ? ORDER BY c.id LIMIT ?", [form_id, last, batch])
        if not rows:
            return
        tags = await _tags_of([int(row[0]) for row in rows])
        sizes = await _group_sizes(form_id, (str(row[8]) for row in rows))
        yield [_comment(row, tags, sizes) for row in rows]
        last = int(rows[-1][0])


async def comments_of_responses(form_id: str, response_ids: Sequence[int]
                                ) -> dict[int, list[StoredComment]]:
    """The comments of each of *response_ids*, in the order they were written."""
    if not response_ids:
        return {}
    rows = await reading.fetch(
        f"SELECT {_COLUMNS} FROM comment c JOIN response r ON r.id = c.response_id "
        f"WHERE c.form_id = ? AND c.response_id IN ({', '.join('?' * len(response_ids))}) "
        "ORDER BY c.id", [form_id, *response_ids])
    tags = await _tags_of([int(row[0]) for row in rows])
    found: dict[int, list[StoredComment]] = {}
    for row in rows:
        comment = _comment(row, tags)
        found.setdefault(comment.response_id, []).append(comment)
    return found


async def form_tags(form_id: str) -> list[tuple[str, int]]:
    """The tags used on a form's comments, with how many comments have each."""
    rows = await reading.fetch(
        "SELECT tag, COUNT(*) FROM comment_tag WHERE form_id = ? GROUP BY tag ORDER BY tag",
        [form_id])
    return [(str(tag), int(n)) for tag, n in rows]


def clean_tags(text: str) -> list[str]:
    """Tags typed by an official, separated by commas: trimmed, each once, in order."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        tag = " ".join(part.split())[:MAX_TAG_LENGTH]
        if tag and tag.casefold() not in {t.casefold() for t in seen}:
            seen[tag] = None
    return list(seen)[:MAX_TAGS]



async def _selected(form_id: str, comment_id: int, whole_group: bool) -> Any:
    """The comments an official acts on: *comment_id*, or (*whole_group*) every
    comment of the form that says the same."""
    if not whole_group:
        return Comment.filter(form_id=form_id, id=comment_id)
    fingerprint = await Comment.filter(form_id=form_id, id=comment_id).values_list(
        "fingerprint", flat=True)
    return Comment.filter(form_id=form_id, fingerprint__in=list(fingerprint))


async def set_comment_tags(form_id: str, comment_id: int, tags: Sequence[str],
                           whole_group: bool = False) -> int:
    """Give the comment (or its whole group) exactly *tags*; returns how many comments
    that was."""
    async with in_transaction(WRITE):
        ids = await (await _selected(form_id, comment_id, whole_group)).values_list(
            "id", flat=True)
        await CommentTag.filter(comment_id__in=list(ids)).delete()
        await CommentTag.bulk_create([CommentTag(comment_id=i, form_id=form_id, tag=tag)
                                      for i in ids for tag in tags], batch_size=1000)
    return len(ids)


async def moderate_comments(form_id: str, comment_id: int, status: str,
                            reason: str | None, actor: str, whole_group: bool = False) -> int:
    """Approve the comment (or its whole group), or hide it with *reason*; returns how
    many comments that was."""
    if status not in ("approved", "hidden"):
        raise ValueError(status)
    return await (await _selected(form_id, comment_id, whole_group)).update(
        status=status, moderation_reason=reason if status == "hidden" else None,
        moderated_by=actor, moderated_at=dt.datetime.now(dt.UTC))


async def answer_comments(form_id: str, comment_id: int, answer: str, text: str,
                          actor: str, whole_group: bool = False) -> int:
    """The agency's *answer* (with its *text*) to the comment, or to its whole group."""
    if answer not in ANSWERS:
        raise ValueError(answer)
    return await (await _selected(form_id, comment_id, whole_group)).update(
        answer=answer, answer_text=text, answered_by=actor,
        answered_at=dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class PublicComment:
    """A comment as the public sees it: never who wrote it."""

    id: int
    article: str
    stance: str | None
    commenter_type: str
    text: str
    proposal: str
    submitted_at: dt.datetime



async def public_comments(form_id: str, article: str, limit: int = 50,
                          offset: int = 0) -> list[PublicComment]:
    """The approved comments on *article*, oldest first (a citizen's page)."""
    rows = await execute(
        connections.get(WRITE),
        "SELECT id, article, stance, commenter_type, text, proposal, submitted_at "
        "FROM comment WHERE form_id = ? AND article = ? AND status = ? "
        "ORDER BY id LIMIT ? OFFSET ?", [form_id, article, "approved", limit, offset])
    return [PublicComment(int(i), str(a), s, str(t), x or "", p or "", aware(at))
            for i, a, s, t, x, p, at in rows]


async def public_comment_counts(form_id: str) -> dict[str, int]:
    """Approved comments per article (a citizen's page)."""
    rows = await execute(
        connections.get(WRITE),
        "SELECT article, COUNT(*) FROM comment WHERE form_id = ? AND status = ? "
        "GROUP BY article", [form_id, "approved"])
    return {str(article): int(n) for article, n in rows}


async def synthesis_published(form_id: str) -> dt.datetime | None:
    """When the synthesis of *form_id* was made public, if it was."""
    row = await SynthesisPublication.get_or_none(form_id=form_id)
    return aware(row.published_at) if row else None


async def publish_synthesis(form_id: str, actor: str, published: bool = True) -> None:
    """Make the synthesis of *form_id* public (or, *published* off, withdraw it)."""
    if not published:
        await SynthesisPublication.filter(form_id=form_id).delete()
        return
    await SynthesisPublication.update_or_create(
        form_id=form_id, defaults={"published_at": dt.datetime.now(dt.UTC),
                                   "published_by": actor})
