"""Test responses: answers sent from an official's preview of a form, kept apart from
the responses (:class:`vnform.models.TestResponse`) so that nothing counts them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from vnform.forms.spec import FormSpec
from vnform.models import TestResponse

__all__ = ["PreviewResponse", "add_preview_response", "delete_preview_responses",
           "preview_response_of", "preview_responses"]


@dataclass(frozen=True)
class PreviewResponse:
    id: int
    form_version: str
    language: str
    submitted_at: dt.datetime
    answers: dict[str, Any]
    author: str


async def add_preview_response(spec: FormSpec, token: str, language: str,
                            answers: dict[str, Any], author: str) -> int:
    """Keep a preview's answers once per token; the id of the stored one."""
    try:
        row = await TestResponse.create(
            form_id=spec.id, form_version=spec.version, token=token, language=language,
            submitted_at=dt.datetime.now(dt.UTC), answers=dict(answers), author=author)
    except IntegrityError:  # sent twice: the first one is kept
        found = await preview_response_of(token)
        assert found is not None
        return found
    return int(row.id)


async def preview_response_of(token: str) -> int | None:
    """The id of the test response stored with *token*, if any."""
    row = await TestResponse.get_or_none(token=token).only("id")
    return int(row.id) if row is not None else None


async def preview_responses(form_id: str, limit: int | None = 200) -> list[PreviewResponse]:
    """The form's test responses, newest first (every one with *limit* ``None``)."""
    query = TestResponse.filter(form_id=form_id).order_by("-id")
    rows = await (query.limit(limit) if limit is not None else query)
    return [PreviewResponse(int(r.id), r.form_version, r.language, r.submitted_at,
                       dict(r.answers), r.author) for r in rows]


async def delete_preview_responses(form_id: str) -> int:
    """Delete the form's test responses; how many there were."""
    return int(await TestResponse.filter(form_id=form_id).delete())
