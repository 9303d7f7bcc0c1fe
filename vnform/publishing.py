"""Designing forms kept in the database: a text checked as the linter checks files, with
the rules of the place it goes (its id free of the forms folder, unchanged once chosen),
then saved as a draft and published. Shared by the officials' pages and ``vnform forms``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vnform import store
from vnform.forms.loader import Loaded, load_text
from vnform.forms.positions import Problem
from vnform.forms.registry import Registry, stored_path
from vnform.forms.spec import FormSpec

__all__ = ["Checked", "check", "publish", "save"]

_ID_LINE = re.compile(r"^id\s*:", re.M)
#: Form ids the officials' URLs take for themselves (/admin/forms/new).
RESERVED_IDS = frozenset({"new"})


@dataclass(frozen=True)
class Checked:
    """A form's text, checked: its spec when it has no error, and every problem."""

    source: str
    spec: FormSpec | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def check(source: str, files: Registry, form_id: str | None = None,
          path: str | None = None) -> Checked:
    """*source* checked for the database: as ``vnform check`` would, and its id neither
    one of the forms folder's nor (for the form *form_id*) another id. Problems name
    *path* (default: the form in the database)."""
    where = path or stored_path(form_id or "new")
    loaded: Loaded = load_text(source, where)
    problems = list(loaded.problems)
    spec = loaded.spec
    if spec is not None and spec.id in RESERVED_IDS:
        problems.append(_at_id(source, where, f"'{spec.id}' names a page of the officials' "
                               "side: choose another id"))
    elif spec is not None and spec.id in files.from_files:
        problems.append(_at_id(source, where, f"form id '{spec.id}' is already used by "
                               f"{files.forms[spec.id].source}: choose another id, or take "
                               "that file out of the forms folder first"))
    elif spec is not None and form_id is not None and spec.id != form_id:
        problems.append(_at_id(source, where, f"the id of this form is '{form_id}': an id "
                               f"cannot change (to make '{spec.id}', create a new form)"))
    errors = any(p.severity == "error" for p in problems)
    return Checked(source, None if errors else spec, sorted(problems))


def _at_id(source: str, where: str, message: str) -> Problem:
    """A problem placed at the form's ``id:`` line."""
    found = _ID_LINE.search(source)
    line = source.count("\n", 0, found.start()) + 1 if found else 1
    return Problem(where, line, 1, message)


async def save(checked: Checked, author: str, based_on: int | None) -> store.Revision:
    """Save a checked text (without errors) as its form's draft: a new form when the id
    is new, else a new revision after *based_on* (:class:`store.StaleRevision` when
    someone saved since). The audit log records it."""
    spec = checked.spec
    if spec is None:
        raise ValueError("a text with errors is never saved")
    existing = await store.design(spec.id)
    if existing is None:
        saved = await store.create_design(spec.id, spec.agency, checked.source, author)
    elif based_on is None and existing.head is not None:
        raise store.DesignError(f"a form with id '{spec.id}' already exists")
    else:
        saved = await store.save_revision(spec.id, checked.source, author, based_on,
                                       agency=spec.agency)
    await store.audit("form_saved", actor=author, form_id=spec.id, revision=saved.id)
    return saved


async def publish(form_id: str, author: str, revision: int | None = None) -> store.Revision:
    """Make the form's draft (if still *revision*) live on every server (each polls the
    forms generation)."""
    published = await store.publish_draft(form_id, revision)
    await store.audit("form_published", actor=author, form_id=form_id,
                      revision=published.id)
    return published
