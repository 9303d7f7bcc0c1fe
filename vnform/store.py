"""The database, behind one small layer: the rest of vnform never touches the ORM.

SQLite (WAL, ``synchronous=FULL``, busy timeout) is the default; a PostgreSQL URL
works unchanged. The schema is created and upgraded by tortoise's migrations in
:mod:`vnform.migrations`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.exceptions import IntegrityError
from tortoise.migrations.api import migrate as run_migrations
from tortoise.transactions import in_transaction

from vnform.answers import Answers, answer_rows
from vnform.models import Answer, Draft, FormVersion, Response
from vnform.spec import FormSpec

APP = "vnform"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The ORM configuration for *database_url*."""
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {APP: {"models": ["vnform.models"], "migrations": "vnform.migrations",
                       "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(database_url: str) -> str | dict[str, Any]:
    if not database_url.startswith("sqlite://"):
        return database_url
    path = database_url.removeprefix("sqlite://")
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {
        "engine": "tortoise.backends.sqlite",
        "credentials": {
            "file_path": path,
            # WAL lets readers work during a write; FULL survives power loss, not only
            # a crashed process; the busy timeout waits for another writer to finish.
            "journal_mode": "WAL",
            "synchronous": "FULL",
            "busy_timeout": 5000,
            "foreign_keys": "ON",
        },
    }


async def prepare(database_url: str) -> None:
    """Create or upgrade the schema of *database_url* (idempotent)."""
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


@asynccontextmanager
async def opened(database_url: str) -> AsyncIterator[None]:
    """Prepare the database and keep the ORM open (for command-line tools)."""
    await prepare(database_url)
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    try:
        yield
    finally:
        await Tortoise.close_connections()


async def record_versions(specs: Iterable[FormSpec]) -> None:
    """Store each form's definition once per version, so old answers stay readable."""
    for spec in specs:
        await FormVersion.get_or_create(
            form_id=spec.id, version=spec.version, defaults={"definition": spec.definition}
        )


async def stored_versions(form_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(version, definition) of every stored version of a form, oldest first."""
    rows = await FormVersion.filter(form_id=form_id).order_by("id").values_list(
        "version", "definition"
    )
    return [(version, definition) for version, definition in rows]


async def count_responses(form_id: str) -> int:
    return await Response.filter(form_id=form_id).count()


async def counts_by_form() -> dict[str, int]:
    """Number of responses per form, in one query."""
    from tortoise.functions import Count

    rows = await Response.annotate(n=Count("id")).group_by("form_id").values_list("form_id", "n")
    return dict(rows)


@dataclass(frozen=True)
class DraftState:
    answers: dict[str, str | list[str]]
    reached: int
    version: str


async def load_draft(token: str) -> DraftState | None:
    draft = await Draft.get_or_none(token=token)
    if draft is None:
        return None
    return DraftState(dict(draft.answers), draft.reached, draft.form_version)


async def save_draft(token: str, spec: FormSpec, answers: Answers, reached: int) -> None:
    await Draft.update_or_create(
        token=token,
        defaults={"form_id": spec.id, "form_version": spec.version,
                  "answers": dict(answers), "reached": reached},
    )


async def purge_drafts(older_than: dt.timedelta) -> int:
    """Delete unfinished answers not touched for *older_than*."""
    cutoff = dt.datetime.now(dt.UTC) - older_than
    return await Draft.filter(updated_at__lt=cutoff).delete()


async def submitted(token: str) -> int | None:
    """The id of the response stored with *token*, if any."""
    return await Response.filter(token=token).first().values_list("id", flat=True)


async def submit(spec: FormSpec, token: str, language: str, answers: Answers) -> tuple[int, bool]:
    """Store a response once per token: (response id, whether this call stored it)."""
    existing = await submitted(token)
    if existing is not None:
        return existing, False
    rows = answer_rows(spec, answers)
    try:
        async with in_transaction() as conn:
            response = await Response.create(
                form_id=spec.id, form_version=spec.version, token=token, language=language,
                submitted_at=dt.datetime.now(dt.UTC), using_db=conn,
            )
            await Answer.bulk_create(
                [Answer(response_id=response.id, form_id=spec.id, question=row.question,
                        value=row.value, number=row.number, text=row.text) for row in rows],
                using_db=conn,
            )
            await Draft.filter(token=token).using_db(conn).delete()
    except IntegrityError:
        # Two posts of one token raced: the other one stored it.
        existing = await submitted(token)
        if existing is None:
            raise
        return existing, False
    return response.id, True


@dataclass(frozen=True)
class StoredResponse:
    id: int
    submitted_at: dt.datetime
    language: str
    version: str
    answers: dict[str, list[str]]


async def iter_responses(form_id: str, batch: int = 500) -> AsyncIterator[list[StoredResponse]]:
    """A form's responses in batches, oldest first, paged by id so memory stays flat."""
    last = 0
    while True:
        heads = await Response.filter(form_id=form_id, id__gt=last).order_by("id").limit(
            batch
        ).values_list("id", "submitted_at", "language", "form_version")
        if not heads:
            return
        ids = [head[0] for head in heads]
        by_response: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
        answers = await Answer.filter(response_id__in=ids).order_by("id").values_list(
            "response_id", "question", "value", "text"
        )
        for response_id, question, value, text in answers:
            by_response[response_id].setdefault(question, []).append(
                value if value is not None else text or ""
            )
        yield [StoredResponse(i, at, lang, version, by_response[i])
               for i, at, lang, version in heads]
        last = ids[-1]
