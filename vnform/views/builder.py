"""The question builder, for officials who never write YAML: pages, questions and reusable
choice lists, each added, edited, reordered and deleted through plain HTML forms. Every
action is made on the draft's YAML text itself (:mod:`vnform.forms.editing` keeps the
official's comments and order), checked like a typed text, and saved as a new revision."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vnform import publishing, store
from vnform.forms import editing
from vnform.forms.loader import load_text
from vnform.forms.positions import Problem
from vnform.i18n import N_
from vnform.views.admin import page_context
from vnform.views.auth import signed_in
from vnform.views.designer import checked_for, design_for, form_data
from vnform.views.render import page_language, path_for, render

#: The types the builder offers, in the order it lists them.
BUILDER_TYPES = ("single_choice", "multiple_choice", "dropdown", "yes_no", "rating", "likert",
                 "nps", "text", "textarea", "integer", "decimal", "date", "email", "phone")
#: Conditions the builder writes: (operator, what the official reads), in order.
OPERATORS = (("==", N_("is")), ("!=", N_("is not")), ("in", N_("includes (multiple choice)")),
             (">=", N_("is at least")), ("<=", N_("is at most")), (">", N_("is more than")),
             ("<", N_("is less than")), ("answered", N_("is answered")))
NUMBER_RULES = ("min", "max")
COUNT_RULES = ("min_length", "max_length", "min_choices", "max_choices")
#: Enough for every field of the question form in two languages, with room to spare.
MAX_FIELDS = 60
ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?")
#: The "|" between a choice's labels in each language (not "\|", a "|" in a label).
BAR = re.compile(r"(?<!\\)\|")
SIMPLE_CONDITION = re.compile(
    rf"(?P<q>{ID.pattern}) (?P<op>==|!=|>=|<=|>|<) (?P<v>\"[^\"\\]*\"|'[^'\\]*'|-?\d+(?:\.\d+)?)"
    rf"|(?P<iq>{ID.pattern}) in \[(?P<iv>\"[^\"\\]*\"|-?\d+(?:\.\d+)?)\]"
    rf"|answered\((?P<aq>{ID.pattern})\)")


class BuilderError(ValueError):
    """What the official typed cannot make the change (the message says what to fix)."""


@signed_in
async def builder(request: Request) -> Response:
    """``GET /admin/forms/<id>/builder[?edit=<question id>]``: the form's pages, questions
    and choice lists, with forms to change each; ``POST`` with an ``action`` and the
    ``revision`` it started from: the change, written into the YAML and saved as a new
    revision (409 when someone saved meanwhile)."""
    design = await design_for(request)
    lang = page_language(request)
    head = await store.design_revision(design.head) if design.head else None
    source = head.source if head else ""
    if request.method == "GET":
        return _builder_page(request, lang, design, source, head, [], {})
    data = await form_data(request, MAX_FIELDS)
    fields = {key: str(value) for key, value in data.items() if isinstance(value, str)}
    try:
        based_on = int(fields.get("revision", ""))
    except ValueError:
        based_on = None
    try:
        edited = edit_source(source, fields)
    except (editing.EditError, ValueError) as exc:
        return _builder_page(request, lang, design, source, head,
                             [Problem("", 1, 1, str(exc))], fields, 422)
    checked = checked_for(request, edited, design)
    if checked.spec is None:
        return _builder_page(request, lang, design, source, head, checked.problems, fields,
                             422)
    try:
        await publishing.save(checked, request.state.official.email, based_on)
    except store.StaleRevision:
        return _builder_page(request, lang, design, source, head, [Problem(
            "", 1, 1, "someone saved the form meanwhile: nothing was changed; look at the "
            "form as it is now, then make your change again")], {}, 409)
    except store.DesignError as exc:  # archived, or no revision said: nothing is saved
        return _builder_page(request, lang, design, source, head,
                             [Problem("", 1, 1, str(exc))], fields, 409)
    anchor = _anchor_after(fields)
    return RedirectResponse(path_for(request, "form_builder", form_id=design.form_id)
                            + "?saved=1" + anchor, 303)


def _anchor_after(fields: dict[str, str]) -> str:
    """Where the page opens after a change: at what was changed."""
    action = fields.get("action", "")
    if action in ("add", "update") and ID.fullmatch(fields.get("id", "").strip()):
        return f"#q-{fields['id'].strip()}"
    if action in ("list", "list_delete"):
        return "#choice-lists"
    return ""


# --- from the builder's fields to an edit of the YAML (pure) ----------------------------

def edit_source(source: str, fields: dict[str, str]) -> str:
    """*source* with the builder's action made (raises :class:`BuilderError` or
    :class:`editing.EditError`)."""
    action = fields.get("action", "")
    target = fields.get("question", "")
    if action == "delete":
        return editing.remove_question(source, target)
    if action in ("up", "down"):
        return editing.move_question(source, target, -1 if action == "up" else 1)
    if action in ("page", "page_up", "page_down", "page_delete"):
        index = _number(fields.get("page", ""), "page")
        if action == "page":
            return editing.update_page(source, index, page_changes(source, fields))
        if action == "page_delete":
            return editing.remove_page(source, index)
        return editing.move_page(source, index, -1 if action == "page_up" else 1)
    if action == "list":
        name = fields.get("list_name", "").strip()
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise BuilderError("name the choice list with lowercase letters, digits and _, "
                               "starting with a letter")
        choices = parse_choices(fields.get("list_choices", ""), _languages(source))
        if not choices:
            raise BuilderError(f"write the choices of '{name}', one per line")
        return editing.set_choice_list(source, name, choices,
                                       fields.get("old_name") or None)
    if action == "list_delete":
        return editing.remove_choice_list(source, fields.get("list_name", ""))
    if action not in ("add", "update"):
        raise BuilderError("unknown action")
    question = question_changes(fields, _languages(source))
    pages = len(editing.outline(source)["pages"])
    page_field = fields.get("page", "")
    page = pages if page_field == "new" else _number(page_field or "0", "page")
    if action == "add":
        question["validate"] = {k: v for k, v in question["validate"].items()
                                if v is not None} or None
        return editing.add_question(source, {k: v for k, v in question.items()
                                             if v is not None}, page)
    return editing.update_question(source, target, question,
                                   None if page_field == "" else page)


def question_changes(fields: dict[str, str], languages: tuple[str, ...]) -> dict[str, Any]:
    """The question the fields describe, as YAML keys (``None``: the key is not set)."""
    qtype = fields.get("type", "")
    if not qtype or qtype not in BUILDER_TYPES and qtype != fields.get("current_type"):
        raise BuilderError("choose the question's type")
    label = localized(fields, "label", languages)
    if not label:
        raise BuilderError("write the question's label")
    choice_list = fields.get("choice_list", "").strip()
    choices: Any = choice_list or parse_choices(fields.get("choices", ""), languages) or None
    return {
        "id": fields.get("id", "").strip(), "type": qtype, "label": label,
        "hint": localized(fields, "hint", languages),
        "required": True if fields.get("required") else None,
        "choices": choices, "show_if": condition(fields), "validate": rules(fields),
    }


def page_changes(source: str, fields: dict[str, str]) -> dict[str, Any]:
    page_id = fields.get("page_id", "").strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", page_id):
        raise BuilderError("name the page with lowercase letters, digits and -")
    languages = _languages(source)
    return {"id": page_id, "title": localized(fields, "title", languages),
            "description": localized(fields, "description", languages)}


def localized(fields: dict[str, str], name: str, languages: tuple[str, ...]) -> Any:
    """A text typed in each language (``label_vi``...): one string when it is the same in
    every language (or the form has one), else a mapping; ``None`` when none is typed."""
    texts = {lang: fields.get(f"{name}_{lang}", "").strip() for lang in languages}
    texts = {lang: text for lang, text in texts.items() if text}
    if not texts:
        return None
    if len(texts) == len(languages) and len(set(texts.values())) == 1:
        return next(iter(texts.values()))
    return texts


def parse_choices(text: str, languages: tuple[str, ...]) -> list[dict[str, Any]]:
    """``value = label`` lines (or ``value = label vi | label en``) as choices."""
    choices = []
    for line in text.splitlines():
        if not line.strip():
            continue
        # " = " first, as the builder writes it, so that a value may hold "=" itself.
        value, _, labels = line.partition(" = ") if " = " in line else line.partition("=")
        value = value.strip()
        if not value:
            raise BuilderError(f"the choice '{line.strip()}' has no value before '='")
        if len(languages) == 1:  # one language: "|" is part of the label
            parts = [labels.strip() or value]
        elif labels.strip():  # "\|" is a "|" inside a label
            parts = [part.strip().replace("\\|", "|") for part in BAR.split(labels)]
        else:
            parts = [value]
        label: Any = parts[0] if len(parts) == 1 else dict(zip(languages, parts, strict=False))
        choices.append({"value": value, "label": label})
    return choices


def condition(fields: dict[str, str]) -> str | None:
    """The ``show_if`` the pickers (question, operator, answer) or the typed condition
    make; ``None`` for a question always shown."""
    typed = fields.get("show_if", "").strip()
    if typed:
        return typed
    question = fields.get("show_question", "").strip()
    value = fields.get("show_value", "").strip()
    chosen = fields.get("show_choice", "")
    if chosen:
        chosen_question, _, value = chosen.partition("=")
        if question and question != chosen_question:
            raise BuilderError(f"the answer chosen for the condition belongs to "
                               f"'{chosen_question}', not to '{question}'")
        question = chosen_question
    operator = fields.get("show_operator", "==") or "=="
    if not question:
        if value:
            raise BuilderError("choose the question the condition looks at")
        return None
    if not ID.fullmatch(question) or operator not in dict(OPERATORS):
        raise BuilderError("choose the condition's question and how it compares")
    if operator == "answered":
        return f"answered({question})"
    if not value:
        raise BuilderError(f"choose or type the answer of '{question}' the condition "
                           "looks for")
    if operator in (">=", "<=", ">", "<"):
        if _as_number(value) is None:
            raise BuilderError(f"'{value}' is not a number: 'is at least', 'is at most', "
                               "'is more than' and 'is less than' compare numbers")
        return f"{question} {operator} {value}"
    # A choice picked is its code, as text; a number typed stays a number ("2.50" as text
    # would never equal the answer 2.5, which is stored as "2.5").
    literal = value if not chosen and _as_number(value) is not None else (
        '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"')
    if operator == "in":
        return f"{question} in [{literal}]"
    return f"{question} {operator} {literal}"


def rules(fields: dict[str, str]) -> dict[str, Any]:
    """The validation rules typed (each ``None`` when left empty, which removes it)."""
    found: dict[str, Any] = {}
    for name in NUMBER_RULES:
        text = fields.get(name, "").strip()
        number = _as_number(text)
        if text and number is None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise BuilderError(f"'{text}' is neither a number nor a date (YYYY-MM-DD)")
        found[name] = number if number is not None else (text or None)
    for name in COUNT_RULES:
        text = fields.get(name, "").strip()
        if text and not text.isdigit():
            raise BuilderError(f"'{text}' is not a whole number")
        found[name] = int(text) if text else None
    pattern = fields.get("pattern", "")
    if pattern.strip():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise BuilderError(f"the pattern is not a regular expression: {exc}") from None
    found["pattern"] = pattern if pattern.strip() else None
    return found


def _as_number(text: str) -> int | float | None:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return None


def _number(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BuilderError(f"no such {name}") from None


def _languages(source: str) -> tuple[str, ...]:
    loaded = load_text(source)
    return loaded.spec.languages if loaded.spec else ("vi",)


# --- from the YAML to the builder's fields (pure) ---------------------------------------

def question_fields(question: dict[str, Any], page: int, languages: tuple[str, ...],
                    choice_values: dict[str, list[str]]) -> dict[str, str]:
    """The fields of the question form filled in with *question* as written."""
    fields = {"id": str(question.get("id", "")), "type": str(question.get("type", "")),
              "current_type": str(question.get("type", "")), "page": str(page)}
    for name in ("label", "hint"):
        fields.update(_text_fields(name, question.get(name), languages))
    if question.get("required"):
        fields["required"] = "1"
    choices = question.get("choices")
    if isinstance(choices, str):
        fields["choice_list"] = choices
    elif isinstance(choices, list):
        fields["choices"] = choice_lines(choices, languages)
    fields.update(_condition_fields(question.get("show_if"), choice_values))
    validate = question.get("validate")
    if isinstance(validate, dict):
        for name in (*NUMBER_RULES, *COUNT_RULES, "pattern"):
            if validate.get(name) is not None:
                fields[name] = str(validate[name])
    return fields


def page_fields(page: dict[str, Any], languages: tuple[str, ...]) -> dict[str, str]:
    fields = {"page_id": str(page.get("id") or "trang-1")}
    for name in ("title", "description"):
        fields.update(_text_fields(name, page.get(name), languages))
    return fields


def choice_lines(choices: list[Any], languages: tuple[str, ...]) -> str:
    """Choices as the ``value = label vi | label en`` lines the builder reads back."""
    lines = []
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        label = choice.get("label")
        if isinstance(label, dict):
            text = " | ".join(str(label.get(lang, "")).replace("|", "\\|")
                              for lang in languages)
        else:
            text = str(label if label is not None else "")
        lines.append(f"{choice.get('value')} = {text}")
    return "\n".join(lines)


def _text_fields(name: str, value: Any, languages: tuple[str, ...]) -> dict[str, str]:
    if isinstance(value, dict):
        return {f"{name}_{lang}": str(value.get(lang, "")) for lang in languages}
    if value is None:
        return {}
    return {f"{name}_{lang}": str(value) for lang in languages}


def _condition_fields(show_if: Any, choice_values: dict[str, list[str]]) -> dict[str, str]:
    """Pickers set to a simple condition; any other condition goes in the typed field."""
    if not show_if:
        return {}
    match = SIMPLE_CONDITION.fullmatch(str(show_if).strip())
    if not match:
        return {"show_if": str(show_if)}
    if match["aq"]:
        return {"show_question": match["aq"], "show_operator": "answered"}
    question = match["q"] or match["iq"]
    operator = match["op"] or "in"
    written = match["v"] or match["iv"]
    value = written[1:-1] if written[0] in "\"'" else written
    if value in choice_values.get(question, ()) and written[0] != "'":
        return {"show_question": question, "show_operator": operator,
                "show_choice": f"{question}={value}"}
    if written[0] == "'" or (written[0] == '"' and _as_number(value) is not None):
        return {"show_if": str(show_if)}  # the pickers would write it otherwise: kept typed
    return {"show_question": question, "show_operator": operator, "show_value": value}


# --- the page ----------------------------------------------------------------------------

def _builder_page(request: Request, lang: str, design: store.Design, source: str,
                  head: store.Revision | None, problems: list[Problem],
                  fields: dict[str, str], status_code: int = 200) -> Response:
    loaded = load_text(source)
    spec = loaded.spec
    context: dict[str, Any] = {
        **page_context(request), "design": design, "spec": spec,
        "revision": head.id if head else "", "problems": problems or loaded.errors,
        "types": BUILDER_TYPES, "operators": OPERATORS,
        "problems_in_text": False,  # the YAML is on the editor's page, not here
        "saved": request.query_params.get("saved") == "1",
    }
    if spec is not None:
        context.update(_forms_of(source, spec, fields, request.query_params.get("edit")))
    return render(request, "admin/form_builder.html", context, lang=lang,
                  status_code=status_code)


def _forms_of(source: str, spec: Any, posted: dict[str, str],
              editing_id: str | None) -> dict[str, Any]:
    """What fills each of the builder's forms: what was just posted to that form (when it
    was refused), else the form as written."""
    languages = spec.languages
    written = editing.outline(source)
    choice_values = {q.id: [str(c.value) for c in q.choices] for q in spec.questions
                     if q.choices}
    action = posted.get("action", "")
    if action in ("add", "update"):
        question_form = posted
        editing_id = posted.get("question") if action == "update" else None
    else:
        question_form = {}
        for number, page in enumerate(written["pages"]):
            for question in page["questions"]:
                if isinstance(question, dict) and question.get("id") == editing_id:
                    question_form = question_fields(question, number, languages,
                                                    choice_values)
        if not question_form:
            editing_id = None
    page_forms = [page_fields(page, languages) for page in written["pages"]]
    if action == "page" and re.fullmatch(r"[0-9]{1,4}", posted.get("page", "")) \
            and int(posted["page"]) < len(page_forms):
        page_forms[int(posted["page"])] = posted
    list_forms = {name: {"list_name": name, "list_choices": choice_lines(choices, languages)}
                  for name, choices in written["choice_lists"].items()
                  if isinstance(choices, list)}
    new_list = posted if action == "list" and not posted.get("old_name") else {}
    if action == "list" and posted.get("old_name") in list_forms:
        list_forms[posted["old_name"]] = posted
    return {"question_form": question_form, "editing": editing_id, "page_forms": page_forms,
            "list_forms": list_forms, "new_list": new_list,
            "choice_questions": [q for q in spec.questions if q.choices],
            "choice_lists": list(written["choice_lists"])}
