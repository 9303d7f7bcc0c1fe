"""The published form documentation: the JSON Schema and docs/forms.md stay true to the code."""

from __future__ import annotations

import datetime as dt
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

from vnform.forms import expressions as expr
from vnform.forms import schema
from vnform.forms.loader import load_text

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "docs" / "form.schema.json"
DOCS_PATH = ROOT / "docs" / "forms.md"
DEMO_FORMS = sorted((ROOT / "forms").glob("*.yaml"))
REGENERATE = (
    "docs/form.schema.json is out of date; regenerate it with:\n"
    "  .venv/bin/python -c 'import json; from vnform.forms.schema import json_schema; "
    "open(\"docs/form.schema.json\", \"w\", encoding=\"utf-8\").write("
    "json.dumps(json_schema(), indent=2, ensure_ascii=False) + \"\\n\")'"
)
MODELS = (schema.FormFile, schema.Page, schema.Question, schema.Choice, schema.Row,
          schema.Validate, schema.Composite)


def plain_json(value: Any) -> Any:
    """YAML data as JSON data: dates and times become ISO 8601 text, as editors read them."""
    if isinstance(value, dict):
        return {key: plain_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_json(item) for item in value]
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    return value


def validator() -> Draft202012Validator:
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(published, format_checker=FormatChecker())


def schema_errors(data: Any) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator().iter_errors(data))


def docs_text() -> str:
    return DOCS_PATH.read_text(encoding="utf-8") if DOCS_PATH.exists() else ""


# --- the JSON Schema ----------------------------------------------------------------------------

def test_published_schema_is_what_the_code_generates() -> None:
    generated = json.dumps(schema.json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == generated, REGENERATE


def test_published_schema_is_a_valid_draft_2020_12_schema() -> None:
    published = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(published)


@pytest.mark.parametrize("path", DEMO_FORMS, ids=[p.name for p in DEMO_FORMS])
def test_schema_accepts_the_demo_form(path: Path) -> None:
    data = plain_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert schema_errors(data) == []


def test_demo_forms_use_yaml_dates_which_the_schema_reads_as_iso_text() -> None:
    data = yaml.safe_load((ROOT / "forms" / "dvc-hai-long.yaml").read_text(encoding="utf-8"))
    assert data["opens_at"] == dt.date(2026, 1, 1)
    assert plain_json(data)["opens_at"] == "2026-01-01"


@pytest.mark.parametrize(
    "value", ["2026-01-31", "2026-01-31T17:00:00", "2026-01-31T17:00:00+07:00"])
def test_schema_accepts_dates_and_times(value: str) -> None:
    form = {"id": "demo", "title": "T", "agency": "ubnd", "closes_at": value,
            "questions": [{"id": "a", "type": "text", "label": "A"}]}
    assert schema_errors(form) == []


def minimal_form(**question: Any) -> dict[str, Any]:
    return {"id": "demo", "title": "T", "agency": "ubnd",
            "questions": [{"id": "a", "type": "text", "label": "A", **question}]}


def test_schema_accepts_a_minimal_form() -> None:
    assert schema_errors(minimal_form()) == []


@pytest.mark.parametrize(("change", "mistake"), [
    ({"colour": "red"}, {}),
    ({"id": "Khao_sat"}, {}),
    ({"title": {"vi": "T", "fr": "T"}}, {}),
    ({"languages": ["vi", "fr"]}, {}),
    ({"max_responses": 0}, {}),
    ({}, {"type": "singel_choice"}),
    ({}, {"id": "1-cau-hoi"}),
    ({}, {"lable": "A"}),
    ({}, {"validate": {"max_lenght": 3}}),
    ({}, {"choices": [{"value": "x"}]}),
], ids=["unknown-key", "bad-slug", "language", "languages", "max-responses", "type", "question-id",
        "question-key", "validate-key", "choice-label"])
def test_schema_refuses_a_wrong_shape(change: dict[str, Any], mistake: dict[str, Any]) -> None:
    form = minimal_form(**mistake) | change
    assert schema_errors(form) != []


# --- docs/forms.md ------------------------------------------------------------------------------

def test_docs_exist() -> None:
    assert DOCS_PATH.exists(), "docs/forms.md, the form format reference, is missing"


def field_names(model: type[schema.BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_docs_mention_every_key(model: type[schema.BaseModel]) -> None:
    text = docs_text()
    missing = [name for name in field_names(model) if f"`{name}`" not in text]
    assert missing == [], f"docs/forms.md does not mention {model.__name__} keys {missing}"


def test_docs_mention_every_question_type() -> None:
    text = docs_text()
    missing = [name for name in schema.QUESTION_TYPES if f"`{name}`" not in text]
    assert missing == [], f"docs/forms.md does not mention question types {missing}"


def test_docs_mention_every_rule_that_can_have_a_message() -> None:
    messages = schema.Validate.model_fields["messages"].annotation
    rules = typing.get_args(typing.get_args(messages)[0])
    text = docs_text()
    assert [rule for rule in rules if f"`{rule}`" not in text] == []


def yaml_examples() -> list[tuple[int, str]]:
    """(line number, text) of every ```yaml block in docs/forms.md."""
    text = docs_text()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1))
            for m in re.finditer(r"^```yaml\n(.*?)^```$", text, re.S | re.M)]


def test_docs_have_yaml_examples() -> None:
    assert len(yaml_examples()) >= 20


def conditions(data: Any) -> list[str]:
    """Every show_if condition in YAML data."""
    if isinstance(data, dict):
        own = [data["show_if"]] if isinstance(data.get("show_if"), str) else []
        return own + [c for value in data.values() for c in conditions(value)]
    if isinstance(data, list):
        return [c for item in data for c in conditions(item)]
    return []


@pytest.mark.parametrize(("line", "example"), yaml_examples(),
                         ids=[f"line-{line}" for line, _ in yaml_examples()])
def test_docs_yaml_example_is_valid_yaml_with_valid_conditions(line: int, example: str) -> None:
    for condition in conditions(yaml.safe_load(example)):
        expr.parse(condition)


FULL_FORM = re.compile(r"^id: ", re.M)


@pytest.mark.parametrize(
    ("line", "example"), [(n, e) for n, e in yaml_examples() if FULL_FORM.search(e)],
    ids=[f"line-{n}" for n, e in yaml_examples() if FULL_FORM.search(e)],
)
def test_docs_complete_form_example_loads_without_problems(line: int, example: str) -> None:
    loaded = load_text(example, f"docs/forms.md, example at line {line}")
    assert [str(p) for p in loaded.problems] == []
