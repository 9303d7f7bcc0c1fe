"""``show_if`` conditions: parsed once (never ``eval``), evaluated on the server and in the browser.

Grammar, loosest first::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand]
    operand    := question | literal | list | "answered(" question ")" | "(" expr ")"

A question id is ``[a-z][a-z0-9_]*``, optionally ``.row`` for a matrix row. A comparison sets
one question against one literal (a ``[...]`` list only after ``in``); ``<`` ``<=`` ``>`` ``>=``
need a number. A question on its own means "truthy"; ``true``/``false`` alone are constants.

AST (``Expr.to_json()``), evaluated identically by ``static/js/show_if.js``::

    {"var": "q"}, {"var": "q.row"}                    an answer
    {"lit": "x"}, {"lit": 4}, {"lit": true}, {"lit": ["a", 2]}
    {"op": "and" | "or", "args": [node, node, ...]}
    {"op": "not", "args": [node]}
    {"op": "answered" | "truthy", "args": [{"var": ...}]}
    {"op": "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in", "args": [left, right]}

Semantics: an answer is None (unanswered), a str, a number, a bool or a list (multiple
choice); a one-element list counts as its element, and None, "" and [] are unanswered.
Unanswered makes ``==``, ordering and ``in`` false (so ``!=``/``not in`` true). Equality: two
strings exactly; a string against a number numerically when the string looks like a number
(``-?[0-9]+(.[0-9]+)?``, surrounding spaces allowed), else unequal; a bool only equals a bool.
Ordering is numeric only, never between two strings. ``a in b``: any element of ``a`` equals
any element of ``b`` (a scalar counts as a one-element list). ``truthy``: answered, not "no",
not false.
"""

from __future__ import annotations

import copy
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

MAX_LENGTH = 1000
MAX_DEPTH = 50

Value = str | int | float | bool
Node = dict[str, Any]

_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
_COMPARE = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})
_ORDER: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?")
_WORD = re.compile(r"\w+(?:\.\w+)*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NUMERIC = re.compile(r"[ \t\n\r]*-?[0-9]+(?:\.[0-9]+)?[ \t\n\r]*")
_PUNCT = re.compile(r"==|!=|<=|>=|[<>()\[\],]")
_BAD = re.compile(r"&&|\|\||<>|=>|=<|=(?!=)|!(?!=)|[&|]")
_HINTS = {"=": "use '==' to compare", "!": "use 'not' or '!='", "&&": "use 'and'",
          "&": "use 'and'", "||": "use 'or'", "|": "use 'or'", "<>": "use '!='",
          "=>": "use '>='", "=<": "use '<='"}
_LIST_AFTER_IN = "a list can only follow 'in'"


class ExprError(ValueError):
    """A mistake in a condition; ``column`` is the 0-based offset into its text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __reduce__(self) -> tuple[type[ExprError], tuple[str, int]]:
        return type(self), (self.message, self.column)


@dataclass(frozen=True)
class Expr:
    """A parsed condition. Build with :func:`parse`."""

    text: str
    references: tuple[tuple[str, int], ...]
    """(question id, column) for every question mentioned, in order."""
    comparisons: tuple[tuple[str, Value, int], ...]
    """(question id, literal, column of the literal) for each compared literal."""
    _ast: Node = field(repr=False, compare=False)

    @property
    def names(self) -> frozenset[str]:
        """Every question id mentioned, ``q.row`` form for matrix rows."""
        return frozenset(name for name, _ in self.references)

    def evaluate(self, answers: Mapping[str, object]) -> bool:
        """Whether the condition holds for these answers."""
        return _eval(self._ast, answers)

    def to_json(self) -> Node:
        """The AST as plain JSON data (a fresh copy)."""
        return copy.deepcopy(self._ast)


def parse(text: str) -> Expr:
    """Parse a condition; raise :class:`ExprError` with a column on any mistake."""
    if not isinstance(text, str):
        raise ExprError(f"a condition must be text, not {type(text).__name__}", 0)
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression is too long ({len(text)} characters; "
                        f"the limit is {MAX_LENGTH})", MAX_LENGTH)
    parser = _Parser(text)
    if parser.peek().kind == "end":
        raise ExprError("expression is empty", 0)
    ast = parser.expr()
    tok = parser.take()
    if tok.kind != "end":
        raise parser.unexpected(tok, "")
    return Expr(text, tuple(parser.refs), tuple(parser.comparisons), ast)


# --- tokens -------------------------------------------------------------------------------------

class _Token(NamedTuple):
    kind: str  # "name", "lit", "end", a keyword or a punctuation/operator string
    value: Any
    col: int
    text: str


def _tokens(text: str) -> Iterator[_Token]:
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        if text[i] in "\"'":
            tok = _string(text, i)
        elif m := _NUMBER.match(text, i):
            v = m.group()
            tok = _Token("lit", float(v) if "." in v else int(v), i, v)
        elif m := _WORD.match(text, i):
            tok = _word(m.group(), i)
        elif m := _BAD.match(text, i):
            raise ExprError(f"'{m.group()}' is not an operator; {_HINTS[m.group()]}", i)
        elif m := _PUNCT.match(text, i):
            tok = _Token(m.group(), None, i, m.group())
        else:
            raise ExprError(f"unexpected '{text[i]}'", i)
        i += len(tok.text)
        yield tok
    while True:
        yield _Token("end", None, len(text), "")


def _string(text: str, start: int) -> _Token:
    quote, chars, i = text[start], [], start + 1
    while i < len(text):
        c = text[i]
        if c == quote:
            return _Token("lit", "".join(chars), start, text[start:i + 1])
        if c == "\\":
            c = text[i + 1:i + 2]
            if not c:
                break
            if c not in "\\\"'":
                raise ExprError(f"unknown escape '\\{c}'; only \\\\, \\\" and \\' are allowed", i)
            i += 1
        chars.append(c)
        i += 1
    raise ExprError("unterminated string", start)


def _word(word: str, col: int) -> _Token:
    if word in ("true", "false"):
        return _Token("lit", word == "true", col, word)
    if word in _KEYWORDS:
        return _Token(word, None, col, word)
    if not _ID.fullmatch(word):
        if word.lower() in _KEYWORDS or _ID.fullmatch(word.lower()):
            raise ExprError(f"'{word}' must be written in lowercase: '{word.lower()}'", col)
        raise ExprError(f"invalid question id '{word}'; ids start with a letter and use a-z, "
                        f"0-9 and '_', e.g. chat_luong.thai_do", col)
    if (head := word.partition(".")[0]) in _KEYWORDS:
        raise ExprError(f"'{head}' is a keyword, not a question id", col)
    return _Token("name", word, col, word)


# --- parser -------------------------------------------------------------------------------------

class _Operand(NamedTuple):
    node: Node
    kind: str  # "var", "lit", "list" or "cond"
    col: int
    items: tuple[tuple[Value, int], ...] = ()


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.buffer: list[_Token] = []
        self.depth = 0
        self.refs: list[tuple[str, int]] = []
        self.comparisons: list[tuple[str, Value, int]] = []

    def peek(self, ahead: int = 0) -> _Token:
        while len(self.buffer) <= ahead:
            self.buffer.append(next(self.tokens))
        return self.buffer[ahead]

    def take(self) -> _Token:
        self.peek()
        return self.buffer.pop(0)

    def unexpected(self, tok: _Token, expected: str) -> ExprError:
        if tok.kind == "end":
            return ExprError(f"unexpected end of expression, expected {expected}", tok.col)
        return ExprError(f"unexpected '{tok.text}'", tok.col)

    def expect(self, kind: str) -> None:
        if (tok := self.take()).kind != kind:
            raise self.unexpected(tok, f"'{kind}'")

    def nest(self, col: int, delta: int) -> None:
        self.depth += delta
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", col)

    def expr(self) -> Node:
        return self.chain("or", lambda: self.chain("and", self.negation))

    def chain(self, op: str, part: Callable[[], Node]) -> Node:
        args = [part()]
        while self.peek().kind == op:
            self.take()
            args.append(part())
        return args[0] if len(args) == 1 else {"op": op, "args": args}

    def negation(self) -> Node:
        tok = self.peek()
        if tok.kind != "not":
            return self.comparison()
        self.take()
        self.nest(tok.col, 1)
        node = {"op": "not", "args": [self.negation()]}
        self.nest(tok.col, -1)
        return node

    def operator(self) -> tuple[str, int] | None:
        tok = self.peek()
        if tok.kind in _COMPARE:
            self.take()
            return tok.kind, tok.col
        if tok.kind == "not" and self.peek(1).kind == "in":
            self.take(), self.take()
            return "not in", tok.col
        return None

    def comparison(self) -> Node:
        left = self.operand()
        if (found := self.operator()) is None:
            if left.kind == "var":
                return {"op": "truthy", "args": [left.node]}
            if left.kind == "cond" or isinstance(left.node.get("lit"), bool):
                return left.node
            if left.kind == "list":
                raise ExprError(_LIST_AFTER_IN, left.col)
            raise ExprError("a value on its own is not a condition; compare it with a question, "
                            "e.g. kenh == \"online\"", left.col)
        op = found[0]
        right = self.operand()
        if (chained := self.operator()) is not None:
            raise ExprError("chained comparisons are not supported; combine them with 'and'",
                            chained[1])
        for side in (left, right):
            if side.kind == "cond":
                raise ExprError("a condition cannot be compared; compare a question with a value",
                                side.col)
        if left.kind == "list" or (right.kind == "list" and op not in ("in", "not in")):
            raise ExprError(_LIST_AFTER_IN, (left if left.kind == "list" else right).col)
        if left.kind == right.kind == "var":
            raise ExprError("comparing two questions is not supported; "
                            "compare a question with a value", right.col)
        if "var" not in (left.kind, right.kind):
            raise ExprError("a comparison needs a question on one side", left.col)
        var, other = (left, right) if left.kind == "var" else (right, left)
        if op in ("in", "not in") and other is right and right.kind == "lit":
            raise ExprError(f"'{op}' needs a list or a question after it, "
                            f"e.g. {var.node['var']} {op} [\"a\", \"b\"]", right.col)
        if op in _ORDER and not _is_number(other.node["lit"]):
            raise ExprError(f"'{op}' compares numbers; write a number, "
                            f"e.g. {var.node['var']} {op} 4", other.col)
        self.comparisons.extend((var.node["var"], value, col) for value, col in other.items)
        return {"op": op, "args": [left.node, right.node]}

    def operand(self) -> _Operand:
        tok = self.take()
        if tok.kind == "(":
            self.nest(tok.col, 1)
            node = self.expr()
            self.expect(")")
            self.nest(tok.col, -1)
            return _Operand(node, "cond", tok.col)
        if tok.kind == "name" and self.peek().kind == "(":
            return _Operand(self.call(tok), "cond", tok.col)
        if tok.kind == "name":
            self.refs.append((tok.value, tok.col))
            return _Operand({"var": tok.value}, "var", tok.col)
        if tok.kind == "lit":
            return _Operand({"lit": tok.value}, "lit", tok.col, ((tok.value, tok.col),))
        if tok.kind == "[":
            items = self.list_items(tok)
            return _Operand({"lit": [v for v, _ in items]}, "list", tok.col, items)
        raise self.unexpected(tok, "a value")

    def list_items(self, start: _Token) -> tuple[tuple[Value, int], ...]:
        items: list[tuple[Value, int]] = []
        while True:
            tok = self.take()
            if tok.kind == "]":
                if not items:
                    raise ExprError("a list needs at least one value", start.col)
                return tuple(items)
            if tok.kind == "end":
                raise self.unexpected(tok, "']'")
            if tok.kind != "lit" or isinstance(tok.value, bool):
                raise ExprError("a list can only contain strings and numbers", tok.col)
            items.append((tok.value, tok.col))
            if (tok := self.peek()).kind not in (",", "]"):
                raise self.unexpected(tok, "']'")
            if tok.kind == ",":
                self.take()

    def call(self, name: _Token) -> Node:
        if name.value != "answered":
            raise ExprError(f"unknown function '{name.value}'; "
                            "only answered(question) is available", name.col)
        self.take()
        arg = self.take()
        if arg.kind == "end":
            raise self.unexpected(arg, "a question id")
        if arg.kind != "name" or self.peek().kind == "(":
            raise ExprError("answered() takes one question id, e.g. answered(email)", arg.col)
        self.refs.append((arg.value, arg.col))
        self.expect(")")
        return {"op": "answered", "args": [{"var": arg.value}]}


# --- evaluation (mirrored line for line in static/js/show_if.js) --------------------------------

def _eval(node: Node, answers: Mapping[str, object]) -> bool:
    op = node.get("op")
    if op is None:
        return node.get("lit") is True
    args = node["args"]
    if op == "and":
        return all(_eval(arg, answers) for arg in args)
    if op == "or":
        return any(_eval(arg, answers) for arg in args)
    if op == "not":
        return not _eval(args[0], answers)
    a = _value(args[0], answers)
    if op == "answered":
        return _answered(a)
    if op == "truthy":
        a = _unwrap(a)
        return _answered(a) and a != "no" and a is not False
    b = _value(args[1], answers)
    if op in ("==", "!="):
        return _equal(a, b) == (op == "==")
    if op in ("in", "not in"):
        return _contains(b, a) == (op == "in")
    a, b = _unwrap(a), _unwrap(b)
    if isinstance(a, str) and isinstance(b, str):
        return False
    x, y = _number(a), _number(b)
    return x is not None and y is not None and _ORDER[op](x, y)


def _value(node: Node, answers: Mapping[str, object]) -> object:
    return answers.get(node["var"]) if "var" in node else node["lit"]


def _unwrap(v: object) -> object:
    return v[0] if isinstance(v, list | tuple) and len(v) == 1 else v


def _answered(v: object) -> bool:
    v = _unwrap(v)
    return v is not None and v != "" and not (isinstance(v, list | tuple) and not v)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _number(v: object) -> float | None:
    if _is_number(v):
        try:
            return float(v)  # type: ignore[arg-type]
        except OverflowError:  # a huge int: JSON gives JavaScript Infinity
            return math.inf if v > 0 else -math.inf  # type: ignore[operator]
    if isinstance(v, str) and _NUMERIC.fullmatch(v):
        return float(v)
    return None


def _equal(a: object, b: object) -> bool:
    a, b = _unwrap(a), _unwrap(b)
    if not (_answered(a) and _answered(b)) or isinstance(a, list | tuple) \
            or isinstance(b, list | tuple):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    x, y = _number(a), _number(b)
    return x is not None and y is not None and x == y


def _contains(container: object, item: object) -> bool:
    items = item if isinstance(item, list | tuple) else [item]
    pool = container if isinstance(container, list | tuple) else [container]
    return any(_equal(i, c) for i in items for c in pool)
