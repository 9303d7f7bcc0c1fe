"""The forms a deployment serves: every file in the forms folder that loads cleanly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from vnform.forms.loader import Loaded, load_file, load_text
from vnform.forms.positions import NodeIndex, Problem
from vnform.forms.spec import FormSpec


def form_files(paths: list[Path]) -> list[Path]:
    """The form files named by *paths* (files as given, folders searched for *.yaml/*.yml)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found


def load_all(paths: list[Path]) -> list[Loaded]:
    """Load every form file, also reporting a form id used by two files."""
    results = [_load_safely(path) for path in form_files(paths)]
    first_file: dict[str, str] = {}
    for result in results:
        if result.spec is None:
            continue
        spec = result.spec
        if spec.id in first_file:
            result.problems.append(_id_problem(result.path, spec.id, first_file[spec.id]))
            result.spec = None
        else:
            first_file[spec.id] = result.path
    return results


def _load_safely(path: Path) -> Loaded:
    """One file's result; a file that breaks the loader itself is reported, never fatal,
    so that one bad file cannot take the other forms offline."""
    try:
        return load_file(path)
    except Exception as exc:  # noqa: BLE001 - reported as a problem of this file
        return Loaded(str(path), None, [Problem(str(path), 1, 1, f"cannot load: {exc!r}")])


def _id_problem(path: str, form_id: str, other: str) -> Problem:
    import yaml

    node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return NodeIndex(node).problem(path, ("id",), f"form id '{form_id}' is already used by "
                                   f"{other}", key=False)


@dataclass
class Registry:
    """The served forms by id, and the problems of the files (and stored forms) that
    were refused."""

    forms: dict[str, FormSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Ids of the forms served from files (the others are kept in the database).
    from_files: frozenset[str] = frozenset()

    @classmethod
    def load(cls, forms_dir: Path) -> Registry:
        registry = cls()
        for result in load_all([forms_dir]) if forms_dir.exists() else []:
            registry.problems.extend(result.problems)
            if result.spec is not None:
                registry.forms[result.spec.id] = result.spec
        registry.from_files = frozenset(registry.forms)
        return registry

    def merged(self, stored: Iterable[tuple[str, str, str]]) -> Registry:
        """A new registry: these forms, and the forms kept in the database that are
        served, as (id, state, text of the live revision). A stored form whose id a file
        already uses, or whose text no longer loads, is refused with a problem."""
        merged = Registry(dict(self.forms), list(self.problems), self.from_files)
        for form_id, state, source in stored:
            where = stored_path(form_id)
            if form_id in self.forms:
                merged.problems.append(Problem(where, 1, 1, f"form id '{form_id}' is already "
                                               f"used by {self.forms[form_id].source}"))
                continue
            loaded = load_text(source, where)
            merged.problems.extend(loaded.problems)
            spec = loaded.spec
            if spec is None:
                continue
            if spec.id != form_id:
                merged.problems.append(Problem(where, 1, 1, f"the form's id is '{spec.id}', "
                                               f"not '{form_id}'"))
                continue
            merged.forms[form_id] = spec if state == "live" else replace(
                spec, status="closed", archived=state == "archived")
        return merged

    def take(self, other: Registry) -> None:
        """Serve *other*'s forms from now on (every request sees this same object)."""
        self.forms, self.problems, self.from_files = other.forms, other.problems, \
            other.from_files

    def public(self, form_id: str) -> FormSpec | None:
        """The form citizens may reach at /f/<id> (drafts are not public)."""
        spec = self.forms.get(form_id)
        return spec if spec is not None and spec.status != "draft" else None


def stored_path(form_id: str) -> str:
    """How problems name a form kept in the database."""
    return f"{form_id} (database)"


def closed_reason(spec: FormSpec, now: dt.datetime, tz: ZoneInfo,
                  responses: int | None = None) -> str | None:
    """Why *spec* takes no answers at *now*: 'closed', 'not_open', 'ended', 'full', or None."""
    if spec.status == "closed":
        return "closed"
    if spec.opens_at is not None and now < _instant(spec.opens_at, tz, end=False):
        return "not_open"
    if spec.closes_at is not None and now >= _instant(spec.closes_at, tz, end=True):
        return "ended"
    if spec.max_responses is not None and responses is not None and \
            responses >= spec.max_responses:
        return "full"
    return None


def _instant(value: dt.date | dt.datetime, tz: ZoneInfo, end: bool) -> dt.datetime:
    """A form date as an instant: a bare date opens at the start of that local day and
    closes at the end of it (closes_at is inclusive); a naive time is local time."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)
