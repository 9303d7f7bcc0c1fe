"""Where each value of a form file stands: line and column of every key and value of the
YAML document, and a :class:`Problem` placed there."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

__all__ = ["NodeIndex", "Path_", "Problem"]

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a form file."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.message}"



class NodeIndex:
    """Where each value of a YAML document stands, by its path of keys and indexes."""

    #: A form has a few thousand values at most; more means aliases multiplying (a
    #: "billion laughs" file) and reading on would exhaust memory.
    MAX_NODES = 100_000

    def __init__(self, root: yaml.Node) -> None:
        self.root = root
        self.values: dict[Path_, yaml.Node] = {(): root}
        self.keys: dict[Path_, yaml.Node] = {}
        #: Duplicate keys, aliases that contain themselves, too many values.
        self.structure_problems: list[tuple[Path_, str]] = []
        self._count = 0
        self._walk(root, (), frozenset())

    def _walk(self, node: yaml.Node, path: Path_, inside: frozenset[int]) -> None:
        self._count += 1
        if self._count > self.MAX_NODES:
            if self._count == self.MAX_NODES + 1:
                self.structure_problems.append(
                    (path, "too many values: is a YAML alias repeated inside itself?"))
            return
        if id(node) in inside:
            self.structure_problems.append((path, "a YAML alias refers to itself"))
            return
        inside = inside | {id(node)}
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
                child = (*path, name)
                if name in seen:
                    self.keys[child + ("#dup",)] = key
                    self.structure_problems.append(
                        (child + ("#dup",), f"duplicate key '{name}'"))
                    continue
                seen.add(name)
                self.keys[child] = key
                self.values[child] = value
                self._walk(value, child, inside)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.values[(*path, i)] = item
                self._walk(item, (*path, i), inside)

    def node(self, path: Path_, key: bool = False) -> yaml.Node:
        """The node at *path* (its key node when *key*), else the nearest enclosing one."""
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values:
            path = path[:-1]
        return self.values[path]

    def problem(
        self, source: str, path: Path_, message: str, key: bool = True,
        severity: str = "error", offset: int | None = None,
    ) -> Problem:
        node = self.node(path, key=key)
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if offset is not None and isinstance(node, yaml.ScalarNode):
            line, col = _scalar_position(node, offset) or (line, col)
        return Problem(source, line, col, message, severity)


_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


def _scalar_position(node: yaml.ScalarNode, offset: int) -> tuple[int, int] | None:
    """Line and column in the file of character *offset* of a scalar's value.

    Quoting, escapes and folded lines only change spaces and escaped characters, so the
    value's non-space characters are matched one by one with the source's.
    """
    start = node.start_mark
    if start.buffer is None:
        return None
    src = start.buffer[start.pointer:node.end_mark.pointer]
    i, stop = 0, len(src)
    if node.style in ("'", '"'):
        i, stop = 1, len(src) - 1
    elif node.style in ("|", ">"):
        header_end = _BREAK.search(src)
        i = header_end.end() if header_end else stop
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    while i < stop:
        char, j = src[i], i + 1
        if node.style == "'" and src.startswith("''", i):
            j = i + 2
        elif node.style == '"' and char == "\\":
            code, j = src[i + 1], i + 2
            if code in yaml.scanner.Scanner.ESCAPE_CODES:
                j += yaml.scanner.Scanner.ESCAPE_CODES[code]
                char = chr(int(src[i + 2:j], 16))
            else:  # an escaped character, or an escaped line break (which adds nothing)
                char = yaml.scanner.Scanner.ESCAPE_REPLACEMENTS.get(code, " ")
        if not char.isspace():
            chars.append(char)
            spans.append((i, j))
        i = j
    if not spans or "".join(chars) != "".join(c for c in node.value if not c.isspace()):
        return None
    n = sum(not c.isspace() for c in node.value[:offset])
    at = spans[n][0] if n < len(spans) else spans[-1][1]
    breaks = list(_BREAK.finditer(src, 0, at))
    if not breaks:
        return start.line + 1, start.column + at + 1
    return start.line + len(breaks) + 1, at - breaks[-1].end() + 1
