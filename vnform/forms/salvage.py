"""A form file of the wrong shape made checkable, so that one run reports every problem.

When the file's shape is wrong (:mod:`~vnform.forms.schema`), the meaning checks
(:mod:`~vnform.forms.checks`) still run, on a copy of the file in which each unusable
part is left out or stood in for: an unknown key is dropped, a wrong optional value is
dropped, a missing required value gets a placeholder, and a question (or choice list)
that cannot be read is replaced by a stand-in that keeps its place and its id. The
checks skip stand-ins and never judge what refers to them, so that a problem already
reported is not reported again as its consequences.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from vnform.forms import schema
from vnform.forms.positions import Path_

__all__ = ["Salvaged", "salvage"]

#: Each round of repairs can reveal problems pydantic did not reach (it stops at a
#: value of the wrong type); a file needing more rounds is beyond repair.
ROUNDS = 8
#: Placeholders for the required values of the form and of a page.
_FORM_PLACEHOLDERS = {"id": "form", "title": "-", "agency": "agency"}
#: A question's keys whose loss would make the checks judge it wrongly: without them the
#: question is stood in for.
_QUESTION_CORE = frozenset({"id", "type", "label", "choices", "rows"})
_LIST_KEYS = frozenset({"pages", "questions", "choice_lists"})
_IDENTIFIER: TypeAdapter[str] = TypeAdapter(schema.Identifier)


@dataclass(frozen=True)
class Salvaged:
    """The checkable model of a file, and the places where stand-ins replace its parts."""

    model: schema.FormFile
    #: Paths of stood-in questions, choice lists and pages: the checks skip them.
    stand_ins: frozenset[Path_]


def salvage(data: dict[str, Any]) -> Salvaged | None:
    """The model of *data* (a file's mapping) with its unusable parts repaired, or None
    when it cannot be repaired."""
    data = copy.deepcopy(data)
    stand_ins: set[Path_] = set()
    for _ in range(ROUNDS):
        try:
            return Salvaged(schema.FormFile.model_validate(data), frozenset(stand_ins))
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        # Deepest first: repairing a part must not move the place of another's error.
        repairs = sorted({(_real_path(data, tuple(e["loc"])), e["type"]) for e in errors},
                         key=lambda repair: len(repair[0]), reverse=True)
        if not any([_repair(data, path, kind, stand_ins) for path, kind in repairs]):
            return None
    return None


def _real_path(data: Any, loc: tuple[Any, ...]) -> Path_:
    """The part of pydantic's error location that names keys and indexes of *data* (it
    also names the branches of a union and marks dictionary keys)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            node = node[part]
        elif part == "[key]":
            return (*path, "[key]")
        else:
            if isinstance(part, str) and isinstance(node, dict) and part not in path:
                path.append(part)  # a missing key: its would-be place
                return tuple(path)
            continue
        path.append(part)
    return tuple(path)


def _repair(data: dict[str, Any], path: Path_, kind: str, stand_ins: set[Path_]) -> bool:
    """Repair the part of *data* at *path* (pydantic's error *kind*); whether it changed."""
    if path and path[-1] == "[key]":  # a dictionary key of the wrong form: drop its entry
        path = path[:-1]
        return _drop(data, path)
    question = _enclosing_question(path)
    if question is not None:
        rest = path[len(question):]
        key = rest[0] if rest else None
        if kind == "extra_forbidden" and len(rest) >= 1:
            return _drop(data, path)
        if key is not None and key not in _QUESTION_CORE and len(rest) >= 1:
            return _drop(data, (*question, key))
        return _stand_in_question(data, question, stand_ins)
    if path[:1] == ("choice_lists",) and len(path) >= 2:
        if kind == "extra_forbidden" and len(path) == 4:  # a choice's unknown key
            return _drop(data, path)
        return _replace(data, path[:2], [{"value": "stand_in", "label": "-"}],
                        stand_ins, stand_in=True)
    if path[:1] == ("pages",) and len(path) >= 2:
        return _repair_page(data, path, kind, stand_ins)
    return _repair_form(data, path, kind, stand_ins)


def _repair_page(data: dict[str, Any], path: Path_, kind: str, stand_ins: set[Path_]) -> bool:
    page, rest = path[:2], path[2:]
    if not isinstance(_get(data, page), dict):
        stand_ins.add(page)
        return _replace(data, page, {"id": _unused(data, "page"), "questions": []}, stand_ins)
    if kind == "extra_forbidden" or (rest and rest[0] in ("title", "description")):
        return _drop(data, (*page, rest[0])) if rest else False
    if rest[:1] == ("id",):
        stand_ins.add(page)  # a page id of our making: never reported as a duplicate
        return _replace(data, (*page, "id"), _unused(data, "page"), stand_ins)
    if rest[:1] == ("questions",):
        _replace(data, (*page, "questions"), [{}], stand_ins)
        return _stand_in_question(data, (*page, "questions", 0), stand_ins)
    return False


def _repair_form(data: dict[str, Any], path: Path_, kind: str, stand_ins: set[Path_]) -> bool:
    if not path:
        return False
    key = path[0]
    if kind == "extra_forbidden":
        return _drop(data, path[:1])
    if key in _FORM_PLACEHOLDERS:
        return _replace(data, (key,), _FORM_PLACEHOLDERS[key], stand_ins)
    if key == "languages":
        listed = data.get("languages")
        known = [lang for lang in listed if isinstance(lang, str) and lang in schema.LANGUAGES
                 ] if isinstance(listed, list) else []
        return _replace(data, (key,), list(dict.fromkeys(known)) or ["vi"], stand_ins)
    if key in ("pages", "questions") and len(path) == 1:
        _replace(data, (key,), [{}] if key == "questions" else
                 [{"id": _unused(data, "page"), "questions": [{}]}], stand_ins)
        first = ("questions", 0) if key == "questions" else ("pages", 0, "questions", 0)
        return _stand_in_question(data, first, stand_ins)
    if key == "choice_lists" and len(path) == 1:  # no list can be read: none is judged
        return _replace(data, (key,), {}, stand_ins, stand_in=True)
    if key in _LIST_KEYS:
        return False
    return _drop(data, path[:1])


def _enclosing_question(path: Path_) -> Path_ | None:
    """The path of the question *path* is in (or is), if any."""
    for i in range(len(path) - 1, 0, -1):
        if path[i - 1] == "questions" and isinstance(path[i], int):
            return path[:i + 1]
    return None


def _stand_in_question(data: dict[str, Any], path: Path_, stand_ins: set[Path_]) -> bool:
    """Put a stand-in in place of the question at *path*: it keeps the question's id (so
    that duplicates are still found and references to it are not judged) and its
    indicator dimension (so that composites still find it)."""
    if path in stand_ins:
        return False
    original = _get(data, path)
    original = original if isinstance(original, dict) else {}
    stand_in: dict[str, Any] = {"id": _identifier(original.get("id")) or _unused(data, "q"),
                                "type": "text", "label": "-"}
    if _identifier(original.get("indicator")):
        stand_in["indicator"] = original["indicator"]
    stand_ins.add(path)
    return _replace(data, path, stand_in, stand_ins)


def _unused(data: dict[str, Any], prefix: str) -> str:
    """An id of our making (``<prefix>-unreadable-N``, ``_`` for a question) that no page
    or question of *data* uses."""
    taken = {str(node.get("id")) for node in _nodes(data) if isinstance(node, dict)}
    joiner = "-" if prefix == "page" else "_"
    return next(candidate for n in range(1, len(taken) + 2)
                if (candidate := f"{prefix}{joiner}unreadable{joiner}{n}") not in taken)


def _nodes(node: Any) -> list[Any]:
    """*node* and every mapping and list inside it."""
    found = [node]
    for child in (node.values() if isinstance(node, dict) else node
                  if isinstance(node, list) else ()):
        found += _nodes(child)
    return found


def _identifier(value: object) -> str | None:
    try:
        return _IDENTIFIER.validate_python(value)
    except ValidationError:
        return None


def _get(data: Any, path: Path_) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _drop(data: dict[str, Any], path: Path_) -> bool:
    """Drop the key at *path* (a list item is never dropped: the places would move)."""
    parent = _get(data, path[:-1])
    if isinstance(parent, dict) and path[-1] in parent:
        del parent[path[-1]]
        return True
    return False


def _replace(data: dict[str, Any], path: Path_, value: Any, stand_ins: set[Path_],
             stand_in: bool = False) -> bool:
    """Set the value at *path* (a missing key is added); whether it changed."""
    if stand_in:
        if path in stand_ins:
            return False
        stand_ins.add(path)
    parent = _get(data, path[:-1])
    if isinstance(parent, dict):
        changed = parent.get(path[-1], object()) != value
        parent[path[-1]] = value
        return changed
    if isinstance(parent, list) and isinstance(path[-1], int) and 0 <= path[-1] < len(parent):
        changed = parent[path[-1]] != value
        parent[path[-1]] = value
        return changed
    return False
