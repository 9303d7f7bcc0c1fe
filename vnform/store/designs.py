"""Forms kept in the database: each saved text is a revision, one of them may be the
draft and one the live version (:class:`vnform.models.FormDesign`).

States: ``draft`` (never published) → ``live`` (maybe with a draft beside it) →
``closed`` (answers kept, no new ones) → ``archived`` (hidden from lists). Every change
to what citizens are served moves the forms generation, which every server polls
(:func:`forms_generation`) to load the database's forms again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from vnform.models import FormDesign, FormRevision
from vnform.store.database import WRITE, execute

__all__ = [
    "SERVED_STATES", "STATES", "Design", "DesignError", "Revision", "StaleRevision",
    "create_design", "design", "design_history", "design_revision", "designs",
    "forms_generation", "publish_draft", "save_revision", "served_sources", "set_design_state",
]

STATES = ("draft", "live", "closed", "archived")
#: States whose live revision is served (a closed form shows its closed page).
#: The states of forms whose live version is served (an archived one, as closed).
SERVED_STATES = ("live", "closed", "archived")


@dataclass(frozen=True)
class Design:
    """A form kept in the database, as the officials' pages see it."""

    form_id: str
    agency: str
    state: str
    live_revision: int | None
    draft_revision: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def head(self) -> int | None:
        """The revision an edit starts from: the draft, else the live one."""
        return self.draft_revision or self.live_revision


@dataclass(frozen=True)
class Revision:
    """One saved text of a form."""

    id: int
    form_id: str
    source: str
    author: str
    created_at: dt.datetime
    published_at: dt.datetime | None


class DesignError(Exception):
    """A change the form's state does not allow (its message says why)."""


class StaleRevision(DesignError):
    """Someone saved the form after the revision an edit started from."""

    def __init__(self, head: int | None) -> None:
        super().__init__(f"the form was saved meanwhile (revision {head})")
        self.head = head


async def create_design(form_id: str, agency: str, source: str, author: str) -> Revision:
    """A new form in the ``draft`` state, *source* its first revision; a form id already
    kept raises :class:`DesignError` (the forms folder is the caller's to check)."""
    now = dt.datetime.now(dt.UTC)
    try:
        async with in_transaction(WRITE) as conn:
            await FormDesign.create(id=form_id, agency=agency, state="draft", created_at=now,
                                    updated_at=now, using_db=conn)
            saved = await FormRevision.create(form_id=form_id, source=source, author=author,
                                              created_at=now, using_db=conn)
            await FormDesign.filter(id=form_id).using_db(conn).update(draft_revision=saved.id)
    except IntegrityError:
        raise DesignError(f"a form with id '{form_id}' already exists") from None
    return _revision(saved)


async def save_revision(form_id: str, source: str, author: str, based_on: int | None,
                     agency: str | None = None) -> Revision:
    """Save *source* as the form's draft, a new revision. *based_on* is the revision the
    official's edit started from: when someone saved since, nothing is saved and
    :class:`StaleRevision` says which revision is now the head."""
    now = dt.datetime.now(dt.UTC)
    async with in_transaction(WRITE) as conn:
        current = await FormDesign.get_or_none(id=form_id).using_db(conn)
        if current is None:
            raise DesignError(f"no form '{form_id}' is kept in the database")
        if current.state == "archived":
            raise DesignError("an archived form cannot be edited; reopen it first")
        head = current.draft_revision or current.live_revision
        if head != based_on:
            raise StaleRevision(head)
        saved = await FormRevision.create(form_id=form_id, source=source, author=author,
                                          created_at=now, using_db=conn)
        # Compare and set: of two saves from the same head, the second changes nothing.
        changed = await FormDesign.filter(
            id=form_id, draft_revision=current.draft_revision,
            live_revision=current.live_revision,
        ).using_db(conn).update(draft_revision=saved.id, updated_at=now,
                                **({"agency": agency} if agency else {}))
        if not changed:
            raise StaleRevision(None)
    return _revision(saved)


async def publish_draft(form_id: str, revision: int | None = None) -> Revision:
    """Make the form's draft its live version (a closed form stays closed until
    reopened); raises :class:`DesignError` when there is no draft, and
    :class:`StaleRevision` when the draft is no longer *revision* (the one the publisher
    reviewed; None: whichever it is)."""
    now = dt.datetime.now(dt.UTC)
    async with in_transaction(WRITE) as conn:
        current = await FormDesign.get_or_none(id=form_id).using_db(conn)
        if current is None or current.draft_revision is None:
            raise DesignError("there is no draft to publish")
        if current.state == "archived":
            raise DesignError("an archived form cannot be published; reopen it first")
        draft = current.draft_revision
        if revision is not None and draft != revision:
            raise StaleRevision(draft)
        # Compare and set: a draft saved meanwhile is not published unseen.
        if not await FormDesign.filter(id=form_id, draft_revision=draft).using_db(conn).update(
                live_revision=draft, draft_revision=None, updated_at=now,
                state="live" if current.state == "draft" else current.state):
            raise StaleRevision(None)
        await FormRevision.filter(id=draft).using_db(conn).update(published_at=now)
        await _next_generation(conn)
        published = await FormRevision.get(id=draft).using_db(conn)
    return _revision(published)


#: The states each change may start from.
_MOVES = {"closed": ("live",), "live": ("closed", "archived"), "archived": ("closed",)}


async def set_design_state(form_id: str, state: str) -> Design:
    """Close a live form, reopen (``live``) a closed or archived one, or archive a closed
    one."""
    if state not in STATES or state == "draft":
        raise ValueError(f"not a state a form can be set to: {state}")
    async with in_transaction(WRITE) as conn:
        current = await FormDesign.get_or_none(id=form_id).using_db(conn)
        if current is None:
            raise DesignError(f"no form '{form_id}' is kept in the database")
        if current.live_revision is None:
            raise DesignError("the form was never published")
        if current.state not in _MOVES[state]:
            raise DesignError(f"a form that is {current.state} cannot become {state}")
        await FormDesign.filter(id=form_id).using_db(conn).update(
            state=state, updated_at=dt.datetime.now(dt.UTC))
        await _next_generation(conn)
    found = await design(form_id)
    assert found is not None
    return found


async def design(form_id: str) -> Design | None:
    row = await FormDesign.get_or_none(id=form_id)
    return _design(row) if row is not None else None


async def designs(agencies: tuple[str, ...] | None = None) -> list[Design]:
    """The forms kept in the database, of *agencies* (None: all), by id."""
    query = FormDesign.all() if agencies is None else FormDesign.filter(agency__in=agencies)
    return [_design(row) for row in await query.order_by("id")]


async def design_revision(revision_id: int) -> Revision | None:
    row = await FormRevision.get_or_none(id=revision_id)
    return _revision(row) if row is not None else None


async def design_history(form_id: str) -> list[Revision]:
    """The form's revisions, newest first."""
    rows = await FormRevision.filter(form_id=form_id).order_by("-id")
    return [_revision(row) for row in rows]


async def served_sources() -> list[tuple[str, str, str]]:
    """(form id, state, text of the live revision) of the forms citizens are served."""
    marks = ", ".join("?" * len(SERVED_STATES))
    rows = await execute(
        _writer(), "SELECT d.id, d.state, r.source FROM form_design d JOIN form_revision r "
        f"ON r.id = d.live_revision WHERE d.state IN ({marks}) ORDER BY d.id",
        list(SERVED_STATES))
    return [(str(form_id), str(state), str(source)) for form_id, state, source in rows]


async def forms_generation() -> int:
    """The forms generation: it moves with every change to the forms served."""
    rows = await execute(_writer(), "SELECT generation FROM forms_generation WHERE id = 1")
    return int(rows[0][0]) if rows else 0


async def _next_generation(conn: object) -> None:
    await execute(conn, "INSERT INTO forms_generation (id, generation) VALUES (1, 1) "
                  "ON CONFLICT (id) DO UPDATE SET generation = forms_generation.generation + 1")


def _writer() -> object:
    from tortoise import connections

    return connections.get(WRITE)


def _design(row: FormDesign) -> Design:
    return Design(row.id, row.agency, row.state, row.live_revision, row.draft_revision,
                  row.created_at, row.updated_at)


def _revision(row: FormRevision) -> Revision:
    return Revision(int(row.id), row.form_id, row.source, row.author, row.created_at,
                    row.published_at)
