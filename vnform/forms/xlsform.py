"""An XLSForm (the spreadsheets of KoboToolbox and ODK) turned into a vnform YAML draft.

pyxform reads the workbook (``workbook_to_json``, no XForm XML); this module maps what
vnform can serve: ``select_one``/``select_multiple`` with their lists, ``integer``,
``decimal``, ``text``, ``date``, ``note`` (into its page's description), groups as pages,
``required``, ``hint``, ``label::Tiếng Việt (vi)``/``label::English (en)`` columns as
languages, ``relevant`` as ``show_if`` (``${q} = 'v'``, ``!=``, ``and``, ``or``,
``not``, ``selected(${q}, 'v')``, numeric comparisons), ``constraint`` as validation
rules where it maps to one, and the settings ``form_id``, ``form_title`` and
``default_language``. Everything else is listed in the report, one line each, and
written at the top of the draft as comments: nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import yaml

from vnform.forms import expressions

__all__ = ["Converted", "XLSFormError", "convert"]

#: XLSForm types and the vnform type each becomes.
TYPES = {"select one": "single_choice", "select all that apply": "multiple_choice",
         "integer": "integer", "decimal": "decimal", "text": "text", "date": "date"}
#: Language columns are ``label::Name (code)``; a bare name is matched by these.
LANGUAGE_NAMES = {"vi": "vi", "vietnamese": "vi", "tiếng việt": "vi", "en": "en",
                  "english": "en", "tiếng anh": "en"}
_LANGUAGE_CODE = re.compile(r"\((\w+)\)\s*$")
_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")
_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*(>=|<=|>|<)\s*(\d+)$")
_REGEX = re.compile(r"^regex\(\s*\.\s*,\s*'([^']*)'\s*\)$")


class XLSFormError(Exception):
    """The workbook cannot be read as an XLSForm (the message says why)."""


@dataclass
class Converted:
    """The YAML text of the draft, and what could not be converted, line by line."""

    source: str
    report: list[str] = field(default_factory=list)


def convert(data: bytes, filename: str = "form.xlsx", agency: str = "ma-co-quan") -> Converted:
    """The vnform draft of the XLSForm workbook *data* (``.xlsx`` or ``.xls``), owned
    by *agency* (an XLSForm names none)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import Definition, SupportedFileTypes, definition_to_dict

    suffix = ".xls" if filename.lower().endswith(".xls") else ".xlsx"
    stem = re.sub(r"\.xlsx?$", "", filename, flags=re.I) or "form"
    if suffix == ".xlsx":
        _check_unzipped_size(data)
    warnings: list[str] = []
    try:
        workbook = definition_to_dict(Definition(BytesIO(data), SupportedFileTypes(suffix),
                                                 stem))
    except Exception:  # noqa: BLE001 - whatever the reader met, the file is no workbook
        raise XLSFormError("this file cannot be opened as a spreadsheet (.xlsx or .xls)") \
            from None
    try:
        survey = workbook_to_json(workbook, fallback_form_name=stem, warnings=warnings)
    except PyXFormError as exc:
        raise XLSFormError(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - a workbook that is no XLSForm at all
        raise XLSFormError(f"not an XLSForm: {exc}") from None
    return _Converter(survey, stem, agency, warnings).run()


#: The most an .xlsx workbook (a zip) may hold once unzipped: a form's is well under 1 MB.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


def _check_unzipped_size(data: bytes) -> None:
    """Refuse a workbook that would unzip to more than :data:`MAX_UNZIPPED_BYTES` (a
    "zip bomb" would hold the server's memory and time)."""
    import zipfile

    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            total = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise XLSFormError("this file cannot be opened as a spreadsheet (.xlsx or .xls)") \
            from None
    if total > MAX_UNZIPPED_BYTES:
        raise XLSFormError(f"this workbook unzips to {total // (1024 * 1024)} MB: a form "
                           f"takes far less (at most {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB)")


class _Converter:
    def __init__(self, survey: dict[str, Any], stem: str, agency: str,
                 warnings: list[str]) -> None:
        self.survey, self.stem, self.agency = survey, stem, agency
        self.report = [f"pyxform: {w}" for w in warnings]
        self.ids: dict[str, str] = {}
        self.languages = self._languages()
        uses = Counter(child.get("list_name") for child in self._fields(survey)
                       if child.get("list_name"))
        self.shared = {name for name, n in uses.items() if n > 1}

    # --- the whole form -------------------------------------------------------------

    def run(self) -> Converted:
        form: dict[str, Any] = {
            "id": _slug(str(self.survey.get("id_string") or self.stem), "-") or "form",
            "title": self._text(self.survey.get("title") or self.stem, "title") or "-",
            "agency": self.agency,
            "languages": self.languages,
        }
        self.report.append(f"agency: set to '{self.agency}' (an XLSForm names none)")
        pages = self._pages(self.survey.get("children", []))
        lists = {_slug(name, "_"): [self._choice(c, name) for c in choices]
                 for name, choices in (self.survey.get("choices") or {}).items()
                 if name in self.shared}
        if lists:
            form["choice_lists"] = lists
        if len(pages) == 1 and "title" not in pages[0]:
            form["questions"] = pages[0]["questions"]
            if pages[0].get("description"):
                form["description"] = pages[0]["description"]
        else:
            form["pages"] = pages
        header = ["Imported from an XLSForm."]
        if self.report:
            header.append("Not converted, or converted with a change:")
            header += [f"- {line}" for line in self.report]
        comments = "".join(f"# {line}\n" for line in header)
        body = yaml.safe_dump(form, allow_unicode=True, sort_keys=False, width=100)
        return Converted(comments + body, self.report)

    def _languages(self) -> list[str]:
        names: set[str] = set()
        for node in [self.survey, *self._fields(self.survey)]:
            for key in ("label", "hint", "title"):
                if isinstance(node.get(key), dict):
                    names.update(node[key])
        codes = []
        for name in sorted(names):
            code = _language(name)
            if code is None:
                self.report.append(f"language '{name}': vnform serves Vietnamese (vi) and "
                                   "English (en); its texts are left out")
            elif code not in codes:
                codes.append(code)
        default = _language(str(self.survey.get("default_language") or "")) or "vi"
        ordered = sorted(codes or [default], key=lambda c: (c != default, c != "vi", c))
        return ordered

    def _fields(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for child in node.get("children", []):
            found.append(child)
            found += self._fields(child)
        return found

    # --- pages --------------------------------------------------------------------

    def _pages(self, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pages: list[dict[str, Any]] = []
        loose: dict[str, Any] | None = None
        for child in children:
            if child.get("type") == "group" and child.get("name") == "meta":
                continue  # pyxform's own metadata (instanceID)
            if child.get("type") == "group":
                loose = None
                page: dict[str, Any] = {"id": _slug(child["name"], "-") or f"page-{len(pages)}"}
                title = self._text(child.get("label"), f"group {child['name']}")
                if title:
                    page["title"] = title
                page["questions"] = []
                self._fill(page, child.get("children", []), child["name"])
                pages.append(page)
                continue
            if loose is None:
                loose = {"id": f"trang-{len(pages) + 1}", "questions": []}
                pages.append(loose)
            self._fill(loose, [child], None)
        kept = [page for page in pages if page["questions"]]
        for page in pages:
            if not page["questions"]:
                self.report.append(f"page '{page['id']}': no question could be converted; "
                                   "the page is left out")
        if not kept:
            self.report.append("no question could be converted: a placeholder question "
                               "stands in, to be replaced")
            kept = [{"id": "trang-1", "questions": [
                {"id": "cau_hoi", "type": "text", "label": "-"}]}]
        for number, page in enumerate(kept, 1):
            if page["id"].startswith("trang-"):
                page["id"] = f"trang-{number}"
        return kept

    def _fill(self, page: dict[str, Any], children: list[dict[str, Any]],
              group: str | None) -> None:
        for child in children:
            kind = child.get("type", "")
            if kind == "group":
                self.report.append(f"group '{child.get('name')}' inside group '{group}': its "
                                   f"questions are put on the page of '{group}'")
                self._fill(page, child.get("children", []), group)
            elif kind == "repeat":
                self.report.append(f"repeat '{child.get('name')}': repeated groups are not "
                                   "supported; left out with its questions")
            elif kind == "note":
                text = self._text(child.get("label"), f"note {child.get('name')}")
                if text:
                    page["description"] = _joined(page.get("description"), text)
                    self.report.append(f"note '{child.get('name')}': shown as its page's "
                                       "description, above the questions")
            elif kind in TYPES:
                question = self._question(child)
                if question is not None:
                    page["questions"].append(question)
            else:
                self.report.append(f"question '{child.get('name')}': type '{kind}' is not "
                                   "supported; left out")

    # --- one question ---------------------------------------------------------------

    def _question(self, child: dict[str, Any]) -> dict[str, Any] | None:
        name = str(child.get("name", ""))
        qid = _slug(name, "_")
        if not qid or not qid[0].isalpha():
            qid = f"q_{qid}" if qid else f"q{len(self.ids) + 1}"
        if qid != name:
            self.report.append(f"question '{name}': its id becomes '{qid}'")
        self.ids[name] = qid
        question: dict[str, Any] = {"id": qid, "type": TYPES[child["type"]],
                                    "label": self._text(child.get("label"), f"label of {name}")
                                    or name}
        hint = self._text(child.get("hint"), f"hint of {name}")
        if hint:
            question["hint"] = hint
        bind = child.get("bind") or {}
        if str(bind.get("required", "")).lower() in ("yes", "true", "true()"):
            question["required"] = True
        if child.get("appearance") == "multiline" and question["type"] == "text":
            question["type"] = "textarea"
        if child.get("list_name"):
            listed = child["list_name"]
            question["choices"] = _slug(listed, "_") if listed in self.shared else [
                self._choice(c, listed) for c in child.get("choices", [])]
        if bind.get("relevant"):
            condition = self._condition(str(bind["relevant"]), name)
            if condition:
                question["show_if"] = condition
        if bind.get("constraint"):
            rules = self._rules(str(bind["constraint"]), question["type"], name)
            if rules:
                question["validate"] = rules
        return question

    def _choice(self, choice: dict[str, Any], list_name: str) -> dict[str, Any]:
        value = str(choice.get("name", ""))
        return {"value": value, "label": self._text(choice.get("label"),
                                                    f"choice {value} of {list_name}") or value}

    def _text(self, value: Any, where: str) -> str | dict[str, str] | None:
        """A text of the form's languages (a missing translation borrows another's, and
        says so)."""
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            return str(value)
        texts: dict[str, str] = {}
        for name, text in value.items():
            code = _language(name)
            if code in self.languages and str(text).strip():
                texts[code] = str(text)
        if not texts:
            return None
        if len(self.languages) == 1:
            return texts.get(self.languages[0]) or next(iter(texts.values()))
        for code in self.languages:
            if code not in texts:
                other = next(iter(texts))
                texts[code] = texts[other]
                self.report.append(f"{where}: no {code} text; the {other} one is used")
        return {code: texts[code] for code in self.languages}

    def _condition(self, relevant: str, name: str) -> str | None:
        """``relevant`` as a ``show_if`` condition, or None (reported)."""
        text = re.sub(r"selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)",
                      lambda m: f'"{m.group(2)}" in ${{{m.group(1)}}}', relevant)
        text = re.sub(r"\$\{(\w+)\}", lambda m: self.ids.get(m.group(1), "?" + m.group(1)),
                      text)
        # Quoted values are set aside while the operators are rewritten around them.
        quoted: list[str] = []

        def aside(match: re.Match[str]) -> str:
            quoted.append(match.group(1) if match.group(1) is not None else match.group(2))
            return f"\x00{len(quoted) - 1}\x00"

        text = re.sub(r"'([^'\"]*)'|\"([^\"]*)\"", aside, text)
        text = re.sub(r"(?<![<>!=])=(?!=)", "==", text)
        text = re.sub(r"\bnot\s*\(", "not (", text)
        text = re.sub(r"\x00(\d+)\x00", lambda m: f'"{quoted[int(m.group(1))]}"', text)
        try:
            expressions.parse(text)
        except expressions.ExprError:
            self.report.append(f"question '{name}': relevant '{relevant}' cannot be "
                               "converted; the question is always shown")
            return None
        return text

    def _rules(self, constraint: str, qtype: str, name: str) -> dict[str, Any] | None:
        """``constraint`` as validation rules, or None (reported)."""
        rules: dict[str, Any] = {}
        for part in re.split(r"\s+and\s+", constraint.strip()):
            part = part.strip().strip("()").strip()
            bound, length, pattern = _BOUND.match(part), _LENGTH.match(part), \
                _REGEX.match(part)
            if bound and qtype in ("integer", "decimal"):
                op, number = bound.group(1), float(bound.group(2))
                if op in (">", "<") and qtype == "decimal":
                    break  # a strict bound of a decimal has no exact rule
                if qtype == "integer":  # the nearest whole number the bound lets in
                    number = float(math.floor(number) + 1 if op == ">" else
                                   math.ceil(number) - 1 if op == "<" else
                                   math.ceil(number) if op == ">=" else math.floor(number))
                rules["min" if op.startswith(">") else "max"] = \
                    int(number) if number.is_integer() else number
            elif length and qtype == "text":
                op, number = length.group(1), int(length.group(2))
                number += {">": 1, "<": -1}.get(op, 0)
                if number < (0 if op.startswith(">") else 1):
                    break  # no text could pass it: not a rule to keep
                rules["min_length" if op.startswith(">") else "max_length"] = number
            elif pattern and qtype == "text":
                rules["pattern"] = pattern.group(1)
            else:
                break
        else:
            return rules
        self.report.append(f"question '{name}': constraint '{constraint}' cannot be "
                           "converted; no rule is set")
        return None


def _language(name: str) -> str | None:
    """The language code of a column's language name (``Tiếng Việt (vi)``, ``English``)."""
    found = _LANGUAGE_CODE.search(name)
    if found:
        return found.group(1).lower() if found.group(1).lower() in ("vi", "en") else None
    return LANGUAGE_NAMES.get(name.strip().lower())


def _slug(text: str, joiner: str) -> str:
    """*text* as an id: lowercase letters, digits and *joiner*."""
    return re.sub(r"[^a-z0-9]+", joiner, text.lower()).strip(joiner)[:64]


def _joined(first: Any, second: Any) -> Any:
    if not first:
        return second
    if isinstance(first, dict) and isinstance(second, dict):
        return {code: f"{first.get(code, '')}\n\n{second.get(code, '')}".strip()
                for code in {*first, *second}}
    return f"{first}\n\n{second}" if isinstance(first, str) and isinstance(second, str) \
        else first
