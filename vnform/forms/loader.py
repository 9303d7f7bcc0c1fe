"""Form files → :class:`~vnform.forms.spec.FormSpec`, with every problem reported as
``file:line:col: message``.

Loading runs in three passes: YAML syntax (with duplicate keys,
:mod:`~vnform.forms.positions`), the shape of the file (:mod:`~vnform.forms.schema`),
then cross-references (:mod:`~vnform.forms.checks`), which also run over a file of the
wrong shape, on what can be read of it (:mod:`~vnform.forms.salvage`): one run reports
every problem. A file without errors is then built (:mod:`~vnform.forms.building`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from vnform.forms import schema
from vnform.forms.building import build
from vnform.forms.checks import Checker, shape_problems
from vnform.forms.positions import NodeIndex, Problem
from vnform.forms.salvage import salvage
from vnform.forms.spec import FormSpec

__all__ = ["Loaded", "Problem", "load_file", "load_text"]


@dataclass
class Loaded:
    """The result of loading one file: a spec when it has no errors, and its problems."""

    path: str
    spec: FormSpec | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_file(path: Path | str) -> Loaded:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return Loaded(str(path), None, [Problem(str(path), 1, 1, f"not UTF-8 text: {exc.reason}")])
    return load_text(text, str(path))


def load_text(text: str, path: str = "<form>") -> Loaded:
    """Load one form file's text (the same text twice is parsed once)."""
    loaded = _load_text(text, path)
    return Loaded(loaded.path, loaded.spec, list(loaded.problems))


@functools.lru_cache(maxsize=64)
def _load_text(text: str, path: str) -> Loaded:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        return Loaded(path, None, [Problem(path, line, col, f"YAML syntax: {problem}{context}")])
    except yaml.YAMLError as exc:
        return Loaded(path, None, [Problem(path, 1, 1, f"YAML syntax: {exc}")])
    if not isinstance(node, yaml.MappingNode):
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        message = "a form file is a mapping of keys such as id, title, agency and pages"
        return Loaded(path, None, [Problem(path, line, col, message)])
    index = NodeIndex(node)
    problems = [index.problem(path, p, m) for p, m in index.structure_problems]
    if problems:
        return Loaded(path, None, problems)
    try:
        data = yaml.SafeLoader("").construct_document(node)
    except yaml.MarkedYAMLError as exc:  # unknown tags (!foo, !!python/...), odd keys
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML: {exc.problem or exc.context or 'cannot read this value'}"
        return Loaded(path, None, [Problem(path, line, col, message)])
    try:
        model = schema.FormFile.model_validate(data)
    except ValidationError as exc:
        # Every problem in one run: the meaning checks go on over the parts that can be
        # read (vnform.forms.salvage).
        problems = shape_problems(exc, index, path)
        salvaged = salvage(data)
        if salvaged is not None:
            problems += Checker(salvaged.model, index, path, salvaged.stand_ins).run()
        return Loaded(path, None, sorted(set(problems)))
    checker = Checker(model, index, path)
    problems = sorted(checker.run())
    if any(p.severity == "error" for p in problems):
        return Loaded(path, None, problems)
    return Loaded(path, build(model, data, source=path), problems)
