"""The question builder's edits, made on the form's YAML text itself: ruamel.yaml reads
it and writes it back with the official's comments, key order and layout, changing only
what the edit touches. Pure: text in, text out."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

__all__ = ["EditError", "add_question", "move_question", "remove_question"]


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
    """*source* with *question* added at the end of page number *page* (from 0)."""
    document = _load(source)
    lists = _question_lists(document)
    if not lists:
        document["questions"] = CommentedSeq()
        lists = [document["questions"]]
    if not 0 <= page < len(lists):
        raise EditError("no such page")
    lists[page].append(_commented(question))
    return _dump(document)


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
