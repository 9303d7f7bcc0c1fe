"""A consultation's comments in the exports: one row per comment, its response's
answers beside it, through the same writers (CSV, XLSX, JSON Lines) as a survey's."""

from __future__ import annotations

from collections.abc import AsyncIterator

from vnform import store
from vnform.answers import StoredResponse
from vnform.export import Batches, Column
from vnform.forms.spec import Question, Text
from vnform.i18n import N_
from vnform.store.comments import StoredComment

__all__ = ["COMMENT_KEYS", "comment_columns", "comment_rows"]

#: The comment's columns, before the answers to the form's questions.
COMMENT_KEYS = {
    "comment_id": N_("Comment number"),
    "article": N_("Article (its id, or general)"),
    "stance": N_("Stance: agree, disagree or amend"),
    "commenter_type": N_("Commenter: individual, organisation or agency"),
    "text": N_("Comment"),
    "proposal": N_("Proposed wording"),
    "tags": N_("Tags"),
    "status": N_("Moderation: pending, approved or hidden"),
    "answer": N_("Answer of the agency: accepted, explained or noted"),
    "answer_text": N_("Text of the answer"),
}


def comment_columns() -> list[Column]:
    """The comment's columns, as export columns (text, no versions)."""
    return [Column(key, Question(key, "text", Text(msgid=label), 0), None, ())
            for key, label in COMMENT_KEYS.items()]


def _cells(comment: StoredComment) -> dict[str, list[str]]:
    values = {
        "comment_id": str(comment.id), "article": comment.article,
        "stance": comment.stance or "", "commenter_type": comment.commenter_type,
        "text": comment.text, "proposal": comment.proposal, "tags": "; ".join(comment.tags),
        "status": comment.status, "answer": comment.answer or "",
        "answer_text": comment.answer_text or "",
    }
    return {key: [value] if value else [] for key, value in values.items()}


async def comment_rows(form_id: str, batches: Batches) -> AsyncIterator[list[StoredResponse]]:
    """*batches* of responses as batches of rows, one per comment, each holding its
    response's answers and its own fields (a response without comments gives none)."""
    async for batch in batches:
        found = await store.comments_of_responses(form_id, [r.id for r in batch])
        yield [StoredResponse(r.id, r.submitted_at, r.language, r.version,
                              {**r.answers, **_cells(comment)})
               for r in batch for comment in found.get(r.id, ())]
