"""The second and third passes over a form file: its shape (pydantic's errors, one
specific message per place) and its meaning (ids, choice lists, ``show_if`` conditions,
validation bounds, translations)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from vnform.consultation.sources import read_draft
from vnform.forms import expressions, schema
from vnform.forms.positions import NodeIndex, Path_, Problem
from vnform.forms.spec import (
    INDICATOR_TYPES,
    LISTED_CHOICE_TYPES,
    NUMBER_TYPES,
    TEXT_TYPES,
    default_max_length,
)

__all__ = ["Checker", "did_you_mean", "shape_problems"]

#: Names the pages post besides the answers (the form, and the personal-data notice).
RESERVED_IDS = frozenset({"csrf_token", "consent", "contact_consent"})
#: A consultation's export columns of each comment (vnform.consultation.exports).
COMMENT_COLUMNS = frozenset({"comment_id", "article", "stance", "commenter_type", "text",
                             "proposal", "tags", "status", "answer", "answer_text"})


def did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


_KNOWN_KEYS: dict[str, Sequence[str]] = {
    "form": list(schema.FormFile.model_fields),
    "page": list(schema.Page.model_fields),
    "question": [f.alias or n for n, f in schema.Question.model_fields.items()],
    "choice": list(schema.Choice.model_fields),
    "row": list(schema.Row.model_fields),
    "validate": list(schema.Validate.model_fields),
}


def _known_keys_for(path: Path_) -> Sequence[str]:
    names = [p for p in path if isinstance(p, str)]
    last = names[-1] if names else ""
    if len(names) <= 1 and not any(isinstance(p, int) for p in path):
        return _KNOWN_KEYS["form"]
    if last in ("validate",):
        return _KNOWN_KEYS["validate"]
    if last in ("choices",) or (len(names) >= 2 and names[-2] == "choice_lists"):
        return _KNOWN_KEYS["choice"]
    if last == "choice_lists":
        return _KNOWN_KEYS["choice"]
    if last == "rows":
        return _KNOWN_KEYS["row"]
    if last == "questions":
        return _KNOWN_KEYS["question"]
    if last == "pages":
        return _KNOWN_KEYS["page"]
    return []


def shape_problems(exc: ValidationError, index: NodeIndex, source: str) -> list[Problem]:
    """Turn pydantic's errors into one specific message per place in the file."""
    by_place: dict[Path_, tuple[int, str, bool]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        path = tuple(p for p in loc if p in _path_parts(index, loc))
        kind, value = error["type"], error.get("input")
        at_key = False
        if kind == "extra_forbidden":
            name = str(loc[-1])
            parent = path[:-1]
            message = f"unknown key '{name}'{did_you_mean(name, _known_keys_for(parent))}"
            at_key, rank = True, 3
        elif kind == "missing":
            message = f"missing required key '{loc[-1]}'"
            path = (*path, f"#missing {loc[-1]}")  # one problem per missing key
            rank = 3
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            options = re.findall(r"'([^']*)'", expected)
            if path and path[-1] == "type":
                message = f"unknown question type '{value}'{did_you_mean(str(value), options)}"
            elif "[key]" in loc and set(options) <= set(schema.LANGUAGES):
                message = f"'{loc[-2]}' is not a supported language (use {', '.join(options)})"
                at_key = True
                path = (*path, str(loc[-2])) if str(loc[-2]) not in path else path
            elif "[key]" in loc:
                name = str(loc[-2])
                message = (f"'{name}' is not a rule{did_you_mean(name, options)}; messages "
                           f"can be given for {', '.join(options)}")
                at_key = True
                path = (*path, str(loc[-2])) if str(loc[-2]) not in path else path
            else:
                message = f"'{value}' is not one of: {', '.join(options)}"
                message += did_you_mean(str(value), options)
            rank = 2
        elif kind == "string_pattern_mismatch":
            pattern = error.get("ctx", {}).get("pattern", "")
            what = "an id" if "_" in pattern else "a slug"
            rule = ("lowercase letters, digits and '_', starting with a letter" if "_" in pattern
                    else "lowercase letters, digits and '-'")
            message = f"'{value}' is not {what}: use {rule}"
            at_key = "[key]" in loc
            rank = 2
        else:
            message = _plain(error["msg"], value)
            node = index.node(path)
            if isinstance(value, bool) and isinstance(node, yaml.ScalarNode) and not node.style:
                message += (f"; YAML reads an unquoted {node.value} as {str(value).lower()}: "
                            f"write \"{node.value}\" in quotes")
            rank = 1 + len(loc) / 100
        if path in by_place and by_place[path][0] >= rank:
            continue
        by_place[path] = (rank, message, at_key)
    # A union (text or translations, list or name) reports a failure per branch; where a
    # branch failed deeper inside the value, that is the message worth reading.
    deepest = [
        path for path, (rank, _, _) in by_place.items()
        if rank >= 3 or not any(len(other) > len(path) and other[:len(path)] == path
                                for other in by_place)
    ]
    return [index.problem(source, path, by_place[path][1], key=by_place[path][2])
            for path in deepest]


def _path_parts(index: NodeIndex, loc: tuple[Any, ...]) -> set[Any]:
    """The elements of a pydantic location that are real keys/indexes in the file."""
    parts: set[Any] = set()
    path: Path_ = ()
    for part in loc:
        candidate = (*path, part)
        if candidate in index.values or candidate in index.keys:
            path = candidate
            parts.add(part)
    return parts


def _plain(msg: str, value: object) -> str:
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    msg = msg.removeprefix("Value error, ")
    return f"{msg[0].lower()}{msg[1:]} (got {shown})"


class Checker:
    """The third pass: cross-references and meaning, on a file of the right shape."""

    def __init__(self, model: schema.FormFile, index: NodeIndex, source: str,
                 stand_ins: frozenset[Path_] = frozenset()) -> None:
        self.model, self.index, self.source = model, index, source
        #: Parts that stand in for unreadable ones (:mod:`vnform.forms.salvage`): neither
        #: they nor what refers to them is judged.
        self.stand_ins = stand_ins
        self.problems: list[Problem] = []

    def error(
        self, path: Path_, message: str, key: bool = False, offset: int | None = None
    ) -> None:
        self.problems.append(self.index.problem(self.source, path, message, key, offset=offset))

    def warn(self, path: Path_, message: str) -> None:
        self.problems.append(self.index.problem(self.source, path, message, severity="warning"))

    def run(self) -> list[Problem]:
        m = self.model
        if m.pages and m.questions:
            self.error(("questions",), "use either 'pages' or 'questions', not both", key=True)
        elif not m.pages and not m.questions and m.kind != "consultation":
            self.error((), "a form needs 'pages' (or 'questions' for a one-page form)")
        if m.opens_at and m.closes_at and not _before(m.opens_at, m.closes_at):
            self.error(("closes_at",), "closes_at must be after opens_at")
        if len(set(m.languages)) != len(m.languages):
            self.error(("languages",), "a language is listed twice")
        self._texts((), m, ("title", "description", "thank_you"))
        for name, choices in m.choice_lists.items():
            if not self._stood_in(name):
                self._choices(("choice_lists", name), choices)
        seen_pages: dict[str, Path_] = {}
        earlier: dict[str, Question_] = {}
        for p_path, page in self._page_paths():
            if page.id in seen_pages and p_path not in self.stand_ins:
                self.error((*p_path, "id"), f"duplicate page id '{page.id}'")
            seen_pages[page.id] = p_path
            if p_path not in self.stand_ins:
                self._texts(p_path, page, ("title", "description"))
            for i, q in enumerate(page.questions):
                q_path = (*p_path, "questions", i)
                if q.id in earlier:
                    self.error((*q_path, "id"), f"duplicate question id '{q.id}'")
                if q.id in RESERVED_IDS:
                    self.error((*q_path, "id"), f"'{q.id}' is reserved by vnform's pages; "
                               "choose another id")
                stand_in = q_path in self.stand_ins
                if not stand_in:
                    self._question(q_path, q, earlier)
                earlier[q.id] = Question_(q, p_path, stand_in)
        self._indicator_typos()
        self._personal_data(earlier)
        self._consultation()
        return self.problems

    def _consultation(self) -> None:
        """A consultation has a draft that splits into articles; a survey has none of a
        consultation's keys."""
        m = self.model
        keys = ("document", "revised_document", "commenters", "public_comments")
        if m.kind != "consultation":
            for key in keys:
                if getattr(m, key) is not None:
                    self.error((key,), f"'{key}' belongs to consultations: add 'kind: "
                               "consultation' to the form", key=True)
            return
        if m.pages and len(m.pages) > 1:
            self.error(("pages",), "a consultation asks its questions on one page, with "
                       "the comments: use 'questions'", key=True)
        for key in ("invitation_only", "one_response_per"):
            if getattr(m, key):
                self.error((key,), f"'{key}' is for surveys: anyone may comment on a "
                           "consultation, as many times as they like", key=True)
        for p_path, page in self._page_paths():
            for i, q in enumerate(page.questions):
                if q.id in COMMENT_COLUMNS:
                    self.error((*p_path, "questions", i, "id"), f"'{q.id}' names a column "
                               "of the comments in a consultation's exports; choose another "
                               "id")
        if m.commenters is not None:
            if not m.commenters:
                self.error(("commenters",), "say who may comment: individual, organisation "
                           "or agency")
            elif len(set(m.commenters)) != len(m.commenters):
                self.error(("commenters",), "a kind of commenter is listed twice")
        if m.document is None:
            self.error((), "a consultation needs 'document': the draft's Markdown, or a .md "
                       "or .docx file beside the form")
            return
        self._draft("document", m.document)
        if m.revised_document is not None:
            self._draft("revised_document", m.revised_document)

    def _draft(self, key: str, value: str) -> None:
        """Read the draft under *key* and report what keeps it from splitting, at its
        line (in the form file, or in the draft's own file)."""
        draft = read_draft(value, self.source)
        if draft.error is not None:
            self.error((key,), draft.error)
            return
        lines = value.split("\n")

        def offset(place: int) -> int:  # of a draft's line, in the YAML value
            line = lines[place - 1] if place <= len(lines) else ""
            return len("\n".join(lines[:place - 1])) + (place > 1) + \
                len(line) - len(line.lstrip())

        for problem in draft.document.problems:
            if draft.path is not None:
                where = str(Path(self.source).parent / draft.path)
                docx = not draft.path.lower().endswith((".md", ".markdown"))
                unit = f"paragraph {problem.place}: " if docx else ""
                earlier = "" if problem.earlier is None else \
                    f" (first at {'paragraph' if docx else 'line'} {problem.earlier})"
                self.problems.append(Problem(where, problem.place, 1,
                                             unit + problem.message + earlier))
                continue
            earlier = ""
            if problem.earlier is not None:
                first = self.index.problem(self.source, (key,), "", key=False,
                                           offset=offset(problem.earlier))
                earlier = f" (first at line {first.line})"
            self.error((key,), problem.message + earlier, offset=offset(problem.place))

    def _personal_data(self, questions: dict[str, Question_]) -> None:
        """A form that asks for personal data says why, who is responsible and for how
        long (the citizens' notice); free text says whether it may hold any."""
        m = self.model
        self._texts((), m, ("purpose", "controller"))
        if isinstance(m.contact_consent, str | dict):
            self._text(("contact_consent",), "contact_consent", m.contact_consent)
        personal = [q for q in questions.values()
                    if q.question.personal_data in ("basic", "sensitive")]
        for q in questions.values():
            if q.question.type in TEXT_TYPES and q.question.personal_data is None \
                    and not q.stand_in:
                self.warn(self._question_path(q), f"free text may carry personal data: say "
                          f"whether question '{q.question.id}' collects any with "
                          "'personal_data: basic' (contact details, case codes, "
                          "identifiers), 'sensitive' (health, beliefs, ethnicity…) or 'none'")
        if not personal:
            if m.contact_consent:
                self.warn(("contact_consent",), "contact_consent asks to contact the "
                          "citizen again, but no question collects contact details "
                          "(personal_data: basic)")
            return
        first = personal[0].question.id
        for key, what in (("purpose", "why the personal data is collected, per language"),
                          ("controller", "the agency responsible for it"),
                          ("retention_days", "how many days it is kept")):
            if getattr(m, key) is None:
                self.error((), f"question '{first}' collects personal data: the form needs "
                           f"'{key}' ({what})")

    def _question_path(self, q: Question_) -> Path_:
        """Where question *q* is in the file."""
        for p_path, page in self._page_paths():
            if p_path == q.page_path:
                for i, candidate in enumerate(page.questions):
                    if candidate is q.question:
                        return (*p_path, "questions", i)
        return q.page_path

    def _stood_in(self, choice_list: str) -> bool:
        """Whether the choice list *choice_list* stands in for an unreadable one."""
        return bool({("choice_lists",), ("choice_lists", choice_list)} & self.stand_ins)

    def _page_paths(self) -> list[tuple[Path_, schema.Page]]:
        if self.model.pages:
            return [(("pages", i), p) for i, p in enumerate(self.model.pages)]
        if not self.model.questions:
            return []
        return [((), schema.Page(id="main", questions=self.model.questions))]

    def _texts(self, path: Path_, obj: Any, names: Sequence[str]) -> None:
        for name in names:
            self._text((*path, name), name, getattr(obj, name, None))

    def _text(self, path: Path_, name: str, value: object) -> None:
        """Check one text: not empty, and translated into each of the form's languages."""
        langs = self.model.languages
        if isinstance(value, dict):
            for lang in langs:
                if not value.get(lang, "").strip():
                    self.error(path, f"missing '{lang}' translation of {name} "
                               f"(the form's languages are {', '.join(langs)})")
            for lang in value:
                if lang not in langs:
                    self.warn((*path, lang),
                              f"'{lang}' text is unused: it is not in the form's languages")
        elif isinstance(value, str) and not value.strip():
            self.error(path, f"{name} is empty")

    def _choices(self, path: Path_, choices: list[schema.Choice]) -> None:
        if not choices:
            self.error(path, "a choice list needs at least one choice")
        seen: set[str] = set()
        for i, choice in enumerate(choices):
            value = str(choice.value)
            if value in seen:
                self.error((*path, i, "value"), f"duplicate choice value '{value}'")
            seen.add(value)
            self._texts((*path, i), choice, ("label",))

    def _question(self, path: Path_, q: schema.Question, earlier: dict[str, Question_]) -> None:
        t = q.type
        self._texts(path, q, ("label", "hint", "min_label", "max_label", "placeholder"))
        choices: list[schema.Choice] = []
        if t in LISTED_CHOICE_TYPES:
            if q.choices is None:
                self.error(path, f"a {t} question needs 'choices'")
            elif isinstance(q.choices, str):
                if self._stood_in(q.choices):
                    pass  # the list could not be read: what it holds is unknown
                elif q.choices not in self.model.choice_lists:
                    known = self.model.choice_lists
                    self.error((*path, "choices"), f"unknown choice list '{q.choices}'"
                               f"{did_you_mean(q.choices, known)}")
                else:
                    choices = self.model.choice_lists[q.choices]
            else:
                choices = q.choices
                self._choices((*path, "choices"), q.choices)
        elif q.choices is not None:
            hint = {"rating": "; set 'max' instead", "nps": " (it is always 0 to 10)",
                    "yes_no": " (they are always yes and no)"}.get(t, "")
            self.error((*path, "choices"), f"{t} questions take no 'choices'{hint}", key=True)
        if t == "matrix":
            if not q.rows:
                self.error(path, "a matrix question needs 'rows'")
            seen_rows: set[str] = set()
            for i, row in enumerate(q.rows or ()):
                if row.id in seen_rows:
                    self.error((*path, "rows", i, "id"), f"duplicate row id '{row.id}'")
                seen_rows.add(row.id)
                self._texts((*path, "rows", i), row, ("label",))
        elif q.rows is not None:
            self.error((*path, "rows"), "only matrix questions have 'rows'", key=True)
        if q.max is not None and t != "rating":
            self.error((*path, "max"), "'max' sets the top of a rating scale; for limits on "
                       "answers use 'validate: {max: ...}'", key=True)
        for name in ("min_label", "max_label"):
            if getattr(q, name) is not None and t not in {"rating", "nps", "likert"}:
                self.error((*path, name), f"'{name}' applies to rating, nps and likert "
                           "questions", key=True)
        if q.indicator is not None and t not in INDICATOR_TYPES:
            self.error((*path, "indicator"), f"'indicator' needs a likert, rating, nps, yes_no "
                       f"or matrix question, not {t}", key=True)
        self._rules((*path, "validate"), q, len(choices))
        if q.show_if is not None:
            self._show_if((*path, "show_if"), q, earlier)

    def _rules(self, path: Path_, q: schema.Question, n_choices: int) -> None:
        v = q.validate_
        if v is None:
            return
        t = q.type
        applies = {
            "min": NUMBER_TYPES | {"date"}, "max": NUMBER_TYPES | {"date"},
            "min_length": TEXT_TYPES, "max_length": TEXT_TYPES,
            "pattern": TEXT_TYPES, "message": TEXT_TYPES,
            "min_choices": {"multiple_choice"}, "max_choices": {"multiple_choice"},
        }
        for rule, types in applies.items():
            if getattr(v, rule) is not None and t not in types:
                self.error((*path, rule), f"'{rule}' does not apply to {t} questions", key=True)
        for low, high in (("min", "max"), ("min_length", "max_length"),
                          ("min_choices", "max_choices")):
            a, b = getattr(v, low), getattr(v, high)
            if a is not None and b is not None and _comparable(a, b) and a > b:
                self.error((*path, high),
                           f"{high} ({_number(b)}) is less than {low} ({_number(a)})")
        for bound in ("min", "max"):
            value = getattr(v, bound)
            if value is None:
                continue
            if t == "date" and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                self.error((*path, bound), f"{bound} of a date question must be a date "
                           "(YYYY-MM-DD)")
            elif t in NUMBER_TYPES and isinstance(value, dt.date):
                article = "an" if t == "integer" else "a"
                self.error((*path, bound), f"{bound} of {article} {t} question must be a number")
            elif t == "integer" and isinstance(value, float) and not value.is_integer():
                self.error((*path, bound), f"{bound} of an integer question must be whole")
        if v.max_choices is not None and n_choices and v.max_choices > n_choices:
            self.error((*path, "max_choices"),
                       f"max_choices ({v.max_choices}) is more than the {n_choices} choices")
        if v.min_choices is not None and n_choices and v.min_choices > n_choices:
            self.error((*path, "min_choices"),
                       f"min_choices ({v.min_choices}) is more than the {n_choices} choices")
        if v.pattern is not None:
            try:
                re.compile(v.pattern)
            except re.error as exc:
                self.error((*path, "pattern"), f"invalid pattern: {exc}")
        if v.message is not None and v.pattern is None:
            self.error((*path, "message"), "'message' explains a 'pattern'; add the pattern "
                       "or use 'messages'", key=True)
        self._texts(path, v, ("message",))
        for rule, text in v.messages.items():
            implied = rule == "max_length" and default_max_length(t) is not None
            if rule not in ("required", "invalid") and getattr(v, rule) is None and not implied:
                self.warn((*path, "messages", rule), f"message for '{rule}', which is not set")
            self._text((*path, "messages", rule), f"messages.{rule}", text)

    def _show_if(self, path: Path_, q: schema.Question, earlier: dict[str, Question_]) -> None:
        try:
            condition = expressions.parse(q.show_if or "")
        except expressions.ExprError as exc:
            self.error(path, f"show_if: {exc.message}", offset=exc.column)
            return
        later = {q2.id for _, p in self._page_paths() for q2 in p.questions}
        for name, column in condition.references:
            base, _, row = name.partition(".")
            if base == q.id:
                self.error(path, f"show_if: '{q.id}' cannot depend on its own answer",
                           offset=column)
            elif base not in earlier:
                where = ("comes later in the form; a condition can only use earlier answers"
                         if base in later else f"is not a question of this form"
                         f"{did_you_mean(base, list(earlier))}")
                self.error(path, f"show_if: '{base}' {where}", offset=column)
            elif not earlier[base].stand_in:
                target = earlier[base].question
                if row and target.type != "matrix":
                    self.error(path, f"show_if: '{base}' is not a matrix question", offset=column)
                elif row and row not in {r.id for r in target.rows or ()}:
                    self.error(path, f"show_if: '{base}' has no row '{row}'", offset=column)
                elif not row and target.type == "matrix":
                    example = target.rows[0].id if target.rows else "row"
                    self.error(path, f"show_if: name a row of matrix '{base}', e.g. "
                               f"'{base}.{example}'", offset=column)
        for name, literal, column in condition.comparisons:
            base = name.partition(".")[0]
            if base not in earlier or earlier[base].stand_in:
                continue
            values = self._choice_values(earlier[base].question)
            if values is not None and str(literal) not in values:
                self.error(path, f"show_if: '{literal}' is not a choice of '{base}' "
                           f"({', '.join(values)})", offset=column)

    def _choice_values(self, q: schema.Question) -> list[str] | None:
        if q.type == "yes_no":
            return ["yes", "no"]
        if q.type == "rating":
            return [str(n) for n in range(1, (q.max or 5) + 1)]
        if q.type == "nps":
            return [str(n) for n in range(11)]
        if q.type not in LISTED_CHOICE_TYPES:
            return None
        if isinstance(q.choices, str) and self._stood_in(q.choices):
            return None
        choices = q.choices if not isinstance(q.choices, str) else \
            self.model.choice_lists.get(q.choices)
        return [str(c.value) for c in choices or ()]

    def _indicator_typos(self) -> None:
        """Warn about dimension names one or two letters apart (most likely a typo),
        refuse a dimension that mixes scales, and check composites."""
        found: dict[str, Path_] = {}
        scales: dict[str, str] = {}
        for p_path, page in self._page_paths():
            for i, q in enumerate(page.questions):
                q_path = (*p_path, "questions", i)
                uses = []
                if q.indicator:
                    uses.append((q.indicator, (*q_path, "indicator")))
                for j, row in enumerate(q.rows or ()):
                    if row.indicator:
                        uses.append((row.indicator, (*q_path, "rows", j, "indicator")))
                scale = self._scale_name(q)
                for name, path in uses:
                    found.setdefault(name, path)
                    if scale and scales.setdefault(name, scale) != scale:
                        self.error(path, f"indicator '{name}' is measured on a {scales[name]} "
                                   f"scale elsewhere, here on {scale}: answers of one "
                                   "dimension must share a scale to be pooled")
        self._composites(found)
        names = sorted(found)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if _edit_distance(a, b) <= 2 and min(len(a), len(b)) > 3:
                    self.warn(found[b], f"indicator '{b}' differs from '{a}' by a letter or two:"
                              " a typo? (they count as separate dimensions)")


    def _scale_name(self, q: schema.Question) -> str | None:
        """The scale an indicator question answers on, as the indicators name it."""
        if q.type in ("yes_no", "nps"):
            return q.type
        if q.type == "rating":
            return f"rating{q.max or 5}"
        if q.type in ("likert", "matrix"):
            if isinstance(q.choices, str) and self._stood_in(q.choices):
                return None
            choices = (self.model.choice_lists.get(q.choices, []) if isinstance(q.choices, str)
                       else q.choices or [])
            return f"likert{sum(not c.not_applicable for c in choices)}"
        return None

    def _composites(self, dimensions: dict[str, Path_]) -> None:
        raw = self.model.composite
        items = raw if isinstance(raw, list) else ([raw] if raw else [])
        for i, item in enumerate(items):
            path: Path_ = ("composite", i) if isinstance(raw, list) else ("composite",)
            if item.id in dimensions:
                self.error((*path, "id"), f"composite '{item.id}' has the name of a dimension")
            for j, name in enumerate(item.of):
                if name not in dimensions:
                    self.error((*path, "of", j), f"composite '{item.id}' combines '{name}', "
                               f"which no question measures{did_you_mean(name, dimensions)}")
            for name in item.weights or {}:
                if name not in item.of:
                    self.error((*path, "weights", name),
                               f"weight for '{name}', which is not in 'of'", key=True)


@dataclass(frozen=True)
class Question_:
    question: schema.Question
    page_path: Path_
    stand_in: bool = False


def _before(opens: dt.date | dt.datetime, closes: dt.date | dt.datetime) -> bool:
    """Whether a form opening at *opens* is open for a while before *closes*.

    As when serving: a bare opens_at date starts that day, a bare closes_at date ends it.
    """
    start, end = _as_datetime(opens), _as_datetime(closes, end=True)
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return start < end


def _as_datetime(value: dt.date | dt.datetime, end: bool = False) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value + dt.timedelta(days=1) if end else value, dt.time())


def _number(value: object) -> str:
    """A bound as the official wrote it: 5, not 5.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _comparable(a: object, b: object) -> bool:
    numbers = (int, float)
    return (isinstance(a, numbers) and isinstance(b, numbers)) or (
        isinstance(a, dt.date) and isinstance(b, dt.date)
        and type(a) is type(b)
    )


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
