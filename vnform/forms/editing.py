"""The question builder's edits, made on the form's YAML text itself: ruamel.yaml reads
it and writes it back with the official's comments, key order and layout, changing only
what the edit touches. Pure: text in, text out."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

__all__ = [
    "EditError", "add_question", "move_page", "move_question", "outline", "remove_choice_list",
    "remove_page", "remove_question", "set_choice_list", "update_page", "update_question",
]

#: The order the builder writes a question's keys in, when it adds one.
QUESTION_KEYS = ("id", "type", "label", "hint", "placeholder", "required", "choices", "rows",
                 "max", "min_label", "max_label", "show_if", "indicator", "validate",
                 "autocomplete")
PAGE_KEYS = ("id", "title", "description", "questions")
VALIDATE_KEYS = ("min", "max", "min_length", "max_length", "pattern", "message",
                 "min_choices", "max_choices", "messages")


class EditError(Exception):
    """The edit cannot be made on this text (the message says why)."""


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order and quoting are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # long lines stay as the official wrote them
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(source: str) -> Any:
    try:
        document = _yaml().load(source)
    except Exception as exc:  # noqa: BLE001 - any YAML error: the editor shows where
        raise EditError(f"the text is not valid YAML ({exc}): fix it in the editor") from None
    if not isinstance(document, CommentedMap):
        raise EditError("the text is not a form: fix it in the editor")
    return document


def _dump(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def _question_lists(document: CommentedMap) -> list[CommentedSeq]:
    """Each page's list of questions, in order (a one-page form: its ``questions``)."""
    if isinstance(document.get("pages"), list):
        return [page["questions"] for page in document["pages"]
                if isinstance(page, dict) and isinstance(page.get("questions"), list)]
    if isinstance(document.get("questions"), list):
        return [document["questions"]]
    return []


def _find(document: CommentedMap, question_id: str) -> tuple[CommentedSeq, int]:
    for questions in _question_lists(document):
        for i, question in enumerate(questions):
            if isinstance(question, dict) and question.get("id") == question_id:
                return questions, i
    raise EditError(f"no question '{question_id}' in the text")


def add_question(source: str, question: dict[str, Any], page: int = 0) -> str:
    """*source* with *question* added at the end of page number *page* (from 0); the
    number after the last page adds a new page holding it."""
    document = _load(source)
    lists = _question_lists(document)
    if not lists:
        document["questions"] = CommentedSeq()
        lists = [document["questions"]]
    if page == len(lists):
        _new_page(document, CommentedSeq([_commented(question)]))
        return _dump(document)
    if not 0 <= page < len(lists):
        raise EditError("no such page")
    lists[page].append(_commented(question))
    return _dump(document)


def update_question(source: str, question_id: str, changes: dict[str, Any],
                    page: int | None = None) -> str:
    """*source* with the question's keys changed as *changes* says (``None`` removes a
    key; a value equal to the one written leaves it as written, quotes and comments
    included), and moved to the end of page *page* when that is another page (the number
    after the last page: a new page)."""
    document = _load(source)
    questions, i = _find(document, question_id)
    question = questions[i]
    for key, value in changes.items():
        if key == "validate":
            _merge(question, key, value, QUESTION_KEYS, VALIDATE_KEYS)
        elif key == "choices":
            _put(question, key, _keep_choice_details(question.get(key), value), QUESTION_KEYS)
        else:
            _put(question, key, value, QUESTION_KEYS)
    lists = _question_lists(document)
    if page is not None and not any(questions is other for other in lists[page:page + 1]):
        if not 0 <= page <= len(lists):
            raise EditError("no such page")
        del questions[i]
        if page == len(lists):
            _new_page(document, CommentedSeq([question]))
        else:
            lists[page].append(question)
    return _dump(document)


def update_page(source: str, index: int, changes: dict[str, Any]) -> str:
    """*source* with page number *index*'s ``id``, ``title`` or ``description`` changed
    (a one-page form becomes a form with ``pages`` first)."""
    document = _load(source)
    pages = _pages(document)
    if not 0 <= index < len(pages):
        raise EditError("no such page")
    for key, value in changes.items():
        _put(pages[index], key, value, PAGE_KEYS)
    return _dump(document)


def move_page(source: str, index: int, offset: int) -> str:
    document = _load(source)
    pages = _pages(document)
    j = index + offset
    if not (0 <= index < len(pages) and 0 <= j < len(pages)):
        raise EditError("the page cannot move further")
    pages[index], pages[j] = pages[j], pages[index]
    return _dump(document)


def remove_page(source: str, index: int) -> str:
    """*source* without page number *index* and its questions (never the only page)."""
    document = _load(source)
    pages = _pages(document)
    if len(pages) < 2:
        raise EditError("a form keeps at least one page: delete its questions instead")
    if not 0 <= index < len(pages):
        raise EditError("no such page")
    del pages[index]
    return _dump(document)


def set_choice_list(source: str, name: str, choices: list[dict[str, Any]],
                    old_name: str | None = None) -> str:
    """*source* with the reusable choice list *name* set to *choices*; renaming it from
    *old_name* renames every question's reference to it too."""
    document = _load(source)
    lists = document.get("choice_lists")
    if not isinstance(lists, CommentedMap):
        lists = CommentedMap()
        keys = list(document)  # written just before the questions, as the demo forms do
        before = next((keys.index(k) for k in ("pages", "questions") if k in keys), len(keys))
        document.insert(before, "choice_lists", lists)
    if not old_name and name in lists:
        raise EditError(f"a choice list '{name}' already exists: edit it, or choose "
                        "another name")
    if old_name and old_name != name:
        if old_name not in lists:
            raise EditError(f"no choice list '{old_name}'")
        if name in lists:
            raise EditError(f"a choice list '{name}' already exists")
        position = list(lists).index(old_name)
        lists.insert(position, name, lists.pop(old_name))
        for questions in _question_lists(document):
            for question in questions:
                if isinstance(question, dict) and question.get("choices") == old_name:
                    question["choices"] = name
    _put(lists, name, _keep_choice_details(lists.get(name), choices), tuple(lists))
    return _dump(document)


def remove_choice_list(source: str, name: str) -> str:
    """*source* without the choice list *name* (refused while a question uses it)."""
    document = _load(source)
    lists = document.get("choice_lists")
    if not isinstance(lists, dict) or name not in lists:
        raise EditError(f"no choice list '{name}'")
    users = [str(question.get("id")) for questions in _question_lists(document)
             for question in questions
             if isinstance(question, dict) and question.get("choices") == name]
    if users:
        raise EditError(f"the choice list '{name}' is used by {', '.join(users)}: "
                        "give those questions other choices first")
    del lists[name]
    if not lists:
        del document["choice_lists"]
    return _dump(document)


def outline(source: str) -> dict[str, Any]:
    """The form's pages, questions and choice lists as written (plain data, for filling
    in the builder's forms): ``{"pages": [{"id", "title", "description",
    "questions": [...]}], "choice_lists": {...}}``."""
    document = _load(source)
    if isinstance(document.get("pages"), list):
        pages = [_plain(page) for page in document["pages"] if isinstance(page, dict)]
    else:
        pages = [{"id": None, "questions": _plain(document.get("questions") or [])}]
    lists = document.get("choice_lists")
    return {"pages": pages, "choice_lists": _plain(lists) if isinstance(lists, dict) else {}}


def remove_question(source: str, question_id: str) -> str:
    document = _load(source)
    questions, i = _find(document, question_id)
    del questions[i]
    return _dump(document)


def move_question(source: str, question_id: str, offset: int) -> str:
    """*source* with the question moved *offset* places within its page (-1: up)."""
    document = _load(source)
    questions, i = _find(document, question_id)
    j = i + offset
    if not 0 <= j < len(questions):
        raise EditError(f"'{question_id}' cannot move further")
    questions[i], questions[j] = questions[j], questions[i]
    return _dump(document)


def _pages(document: CommentedMap) -> CommentedSeq:
    """The form's ``pages`` (a one-page form's ``questions`` become its first page)."""
    if isinstance(document.get("pages"), list):
        return document["pages"]
    keys = list(document)
    position = keys.index("questions") if "questions" in keys else len(keys)
    questions = document.pop("questions", None)
    page = CommentedMap()
    page["id"] = "trang-1"
    page["questions"] = questions if isinstance(questions, list) else CommentedSeq()
    document.insert(position, "pages", CommentedSeq([page]))
    return document["pages"]


def _new_page(document: CommentedMap, questions: CommentedSeq) -> None:
    pages = _pages(document)
    taken = {page.get("id") for page in pages if isinstance(page, dict)}
    number = len(pages) + 1
    while f"trang-{number}" in taken:
        number += 1
    page = CommentedMap()
    page["id"] = f"trang-{number}"
    page["questions"] = questions
    pages.append(page)


def _put(mapping: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set (``None``: remove) *key*, leaving an equal value as written, and placing a new
    key after the keys that come before it in *order*."""
    if value is None:
        if mapping.get(key) is not False:  # "required: false" says what leaving it out says
            mapping.pop(key, None)
        return
    if key in mapping:
        if not _same(_plain(mapping[key]), value):
            mapping[key] = _commented(value)
        return
    keys = list(mapping)
    rank = order.index(key) if key in order else len(order)
    position = len(keys)
    for i, existing in enumerate(keys):
        if existing in order and order.index(existing) > rank:
            position = i
            break
    mapping.insert(position, key, _commented(value))


def _same(written: Any, value: Any) -> bool:
    """Whether *value* says what is *written*: equal, or one text for every language
    written as a mapping of that same text (or the other way round)."""
    if written == value:
        return True
    for one, other in ((written, value), (value, written)):
        if isinstance(one, str) and isinstance(other, dict) and other \
                and set(other.values()) == {one}:
            return True
    return False


def _merge(mapping: CommentedMap, key: str, changes: dict[str, Any] | None,
           order: tuple[str, ...], inner_order: tuple[str, ...]) -> None:
    """Change some keys of the mapping under *key*, keeping the others; an emptied mapping
    is removed."""
    inner = mapping.get(key)
    if not isinstance(inner, CommentedMap):
        inner = CommentedMap()
    for inner_key, value in (changes or {}).items():
        _put(inner, inner_key, value, inner_order)
    if inner:
        if key not in mapping:
            _put(mapping, key, {}, order)
        mapping[key] = inner
    else:
        mapping.pop(key, None)


def _keep_choice_details(old: Any, new: Any) -> Any:
    """New choices keeping what the builder does not edit of the old ones with the same
    value (``not_applicable``) and their value's type (``1`` stays a number)."""
    if not (isinstance(old, list) and isinstance(new, list)):
        return new
    by_value = {str(choice.get("value")): choice for choice in old if isinstance(choice, dict)}
    kept = []
    for choice in new:
        before = by_value.get(str(choice.get("value")))
        if isinstance(before, dict):
            choice = {**{k: _plain(v) for k, v in before.items()}, **choice,
                      "value": before.get("value")}
        kept.append(choice)
    return kept


def _plain(value: Any) -> Any:
    """ruamel's round-trip types as plain dicts, lists and scalars."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dt.date):  # a date written bare reads back as the text typed
        return value.isoformat()
    return str(value) if isinstance(value, str) else value


def _commented(value: Any) -> Any:
    """Plain data as ruamel's round-trip types, so that it is written in block style."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _commented(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq([_commented(item) for item in value])
    return value
