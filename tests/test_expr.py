"""Tests for vnform.forms.expressions: the show_if condition language, and its JavaScript twin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from vnform.forms.expressions import MAX_DEPTH, MAX_LENGTH, Expr, ExprError, parse

SHOW_IF_JS = Path(__file__).resolve().parent.parent / "static" / "js" / "show_if.js"


def ev(text: str, **answers: object) -> bool:
    return parse(text).evaluate(answers)


def error(text: str) -> tuple[str, int]:
    with pytest.raises(ExprError) as info:
        parse(text)
    return info.value.message, info.value.column


# --- operators ---

def test_equals_matches_same_string() -> None:
    assert ev('kenh == "online"', kenh="online")
    assert not ev('kenh == "online"', kenh="offline")


def test_not_equals_is_the_opposite_of_equals() -> None:
    assert ev("kenh != 'online'", kenh="offline")
    assert not ev("kenh != 'online'", kenh="online")


@pytest.mark.parametrize(("text", "expected"), [
    ("diem < 4", False), ("diem <= 4", True), ("diem > 4", False), ("diem >= 4", True),
    ("diem < 5", True), ("diem > 3", True),
])
def test_ordering_operators_compare_numbers(text: str, expected: bool) -> None:
    assert ev(text, diem=4) is expected


def test_ordering_with_literal_on_the_left() -> None:
    assert ev("4 <= diem", diem=5)
    assert not ev("4 <= diem", diem=3)


def test_decimal_and_negative_literals() -> None:
    assert ev("nhiet_do > -1.5", nhiet_do=-1)
    assert not ev("nhiet_do > -1.5", nhiet_do=-2)


def test_and_needs_both_sides() -> None:
    assert ev("a == 1 and b == 2", a=1, b=2)
    assert not ev("a == 1 and b == 2", a=1, b=3)


def test_or_needs_either_side() -> None:
    assert ev("a == 1 or b == 2", a=0, b=2)
    assert not ev("a == 1 or b == 2", a=0, b=0)


def test_not_negates() -> None:
    assert ev("not a == 1", a=2)
    assert not ev("not a == 1", a=1)


def test_double_not() -> None:
    assert ev("not not a == 1", a=1)


def test_and_binds_tighter_than_or() -> None:
    # a or (b and c)
    assert ev("a == 1 or b == 1 and c == 1", a=1, b=0, c=0)
    assert not ev("a == 1 or b == 1 and c == 1", a=0, b=1, c=0)


def test_not_binds_tighter_than_and() -> None:
    # (not a) and b
    assert ev("not a == 1 and b == 1", a=0, b=1)
    assert not ev("not a == 1 and b == 1", a=0, b=0)


def test_parentheses_override_precedence() -> None:
    assert not ev("(a == 1 or b == 1) and c == 1", a=1, b=0, c=0)
    assert ev("(a == 1 or b == 1) and c == 1", a=1, b=0, c=1)


def test_not_applies_to_parenthesised_group() -> None:
    assert ev("not (a == 1 or b == 1)", a=0, b=0)
    assert not ev("not (a == 1 or b == 1)", a=0, b=1)


def test_boolean_constants_alone() -> None:
    assert ev("true")
    assert not ev("false")
    assert not ev("a == 1 and false", a=1)


def test_boolean_literal_equals_only_booleans() -> None:
    assert ev("dong_y == true", dong_y=True)
    assert not ev("dong_y == true", dong_y=1)
    assert not ev("dong_y == true", dong_y="true")


# --- unanswered ---

@pytest.mark.parametrize("text", [
    "q == 1", "q == 'a'", "q < 1", "q <= 1", "q > 1", "q >= 1", "q in [1, 2]", "'a' in q", "q",
])
def test_unanswered_makes_positive_tests_false(text: str) -> None:
    assert not ev(text)
    assert not ev(text, q=None)


@pytest.mark.parametrize("text", ["q != 1", "q != 'a'", "q not in [1, 2]", "'a' not in q"])
def test_unanswered_makes_negative_tests_true(text: str) -> None:
    assert ev(text)
    assert ev(text, q=None)


@pytest.mark.parametrize("blank", ["", []])
def test_empty_string_and_empty_list_count_as_unanswered(blank: object) -> None:
    assert not ev("q == ''", q=blank)
    assert ev("q != 'a'", q=blank)
    assert not ev("answered(q)", q=blank)


# --- numbers and strings ---

def test_numeric_string_compares_numerically_with_number() -> None:
    assert ev("hai_long >= 4", hai_long="5")
    assert ev("hai_long == 4", hai_long="4.0")
    assert ev("hai_long == 4", hai_long=" 4 ")
    assert not ev("hai_long > 4", hai_long="4")


def test_number_answer_equals_numeric_string_literal() -> None:
    assert ev("diem == '7'", diem=7)
    assert not ev("diem != '7'", diem=7)


def test_non_numeric_string_never_equals_or_orders_against_number() -> None:
    assert not ev("q == 4", q="four")
    assert ev("q != 4", q="four")
    assert not ev("q < 4", q="abc")
    assert not ev("q >= 4", q="abc")


def test_unusual_number_spellings_are_not_numeric() -> None:
    for spelling in ("1e1", "0x10", "+4", ".5", "4.", "1_0", "inf", "nan", "٤"):
        assert not ev("q == 10", q=spelling), spelling
        assert not ev("q >= 0", q=spelling), spelling


def test_two_strings_compare_exactly() -> None:
    assert not ev("q == '4'", q="4.0")
    assert not ev("q == 'Online'", q="online")


def test_numbers_compare_across_int_and_float() -> None:
    assert ev("q == 2", q=2.0)
    assert ev("q < 2.5", q=2)


def test_boolean_answer_is_not_a_number() -> None:
    assert not ev("q == 1", q=True)
    assert not ev("q >= 0", q=False)


# --- lists, in / not in, multiple choice ---

def test_in_list_matches_any_element() -> None:
    assert ev("kenh in ['online', 'phone']", kenh="phone")
    assert not ev("kenh in ['online', 'phone']", kenh="office")


def test_not_in_list() -> None:
    assert ev("kenh not in ['online', 'phone']", kenh="office")
    assert not ev("kenh not in ['online', 'phone']", kenh="online")


def test_in_list_uses_numeric_equality() -> None:
    assert ev("diem in [9, 10]", diem="10")
    assert ev("diem in ['9', '10']", diem=10)


def test_multiple_choice_in_list_is_true_when_any_choice_is_listed() -> None:
    assert ev("chu_de in ['a', 'b']", chu_de=["x", "b"])
    assert not ev("chu_de in ['a', 'b']", chu_de=["x", "y"])
    assert ev("chu_de not in ['a', 'b']", chu_de=["x", "y"])


def test_literal_in_multiple_choice_checks_membership() -> None:
    assert ev("'b' in chu_de", chu_de=["a", "b"])
    assert not ev("'c' in chu_de", chu_de=["a", "b"])
    assert ev("'c' not in chu_de", chu_de=["a", "b"])


def test_literal_in_multiple_choice_uses_numeric_equality() -> None:
    assert ev("3 in so", so=["1", "3"])


def test_literal_in_scalar_means_equality() -> None:
    assert ev("'a' in q", q="a")
    assert not ev("'a' in q", q="ab")


def test_tuple_counts_as_multiple_choice() -> None:
    assert ev("'b' in q", q=("a", "b"))


def test_one_element_list_counts_as_its_element() -> None:
    assert ev("q == 'yes'", q=["yes"])
    assert ev("q >= 4", q=["5"])
    assert not ev("q", q=["no"])


def test_multi_element_list_never_equals_a_scalar() -> None:
    assert not ev("q == 'a'", q=["a", "b"])
    assert ev("q != 'a'", q=["a", "b"])
    assert not ev("q > 0", q=[1, 2])


# --- answered() and truthiness ---

@pytest.mark.parametrize("value", ["x", 0, False, "no", ["a"]])
def test_answered_is_true_for_any_real_answer(value: object) -> None:
    assert ev("answered(q)", q=value)


@pytest.mark.parametrize("value", [None, "", []])
def test_answered_is_false_for_blank(value: object) -> None:
    assert not ev("answered(q)", q=value)


def test_answered_when_missing() -> None:
    assert not ev("answered(q)")
    assert ev("not answered(q)")


@pytest.mark.parametrize("value", ["yes", "x", 0, 3, True, ["a", "b"]])
def test_bare_identifier_is_truthy(value: object) -> None:
    assert ev("muon_lien_he", muon_lien_he=value)


@pytest.mark.parametrize("value", [None, "", [], "no", False, ["no"]])
def test_bare_identifier_is_falsy(value: object) -> None:
    assert not ev("muon_lien_he", muon_lien_he=value)


def test_bare_identifier_falsy_when_missing() -> None:
    assert not ev("muon_lien_he")


# --- matrix rows, names, references, comparisons ---

def test_matrix_row_identifier_reads_dotted_key() -> None:
    e = parse("chat_luong.thai_do >= 4")
    assert e.evaluate({"chat_luong.thai_do": "5"})
    assert not e.evaluate({"chat_luong": "5"})


def test_names_lists_every_question() -> None:
    e = parse("a == 1 or (answered(b) and not c.row) or 'x' in d")
    assert e.names == frozenset({"a", "b", "c.row", "d"})


def test_references_give_name_and_column_in_order() -> None:
    e = parse("a == 1 or answered(bb) and a")
    assert e.references == (("a", 0), ("bb", 19), ("a", 27))


def test_comparisons_give_literal_columns() -> None:
    e = parse("kenh == 'online' or 4 <= diem")
    assert e.comparisons == (("kenh", "online", 8), ("diem", 4, 20))


def test_comparisons_give_one_entry_per_list_element() -> None:
    e = parse("kenh not in ['a', 2]")
    assert e.comparisons == (("kenh", "a", 13), ("kenh", 2, 18))


def test_comparisons_skip_answered_and_truthy() -> None:
    assert parse("answered(a) and b").comparisons == ()


def test_string_escapes_are_decoded() -> None:
    e = parse(r'q == "say \"hi\" \\ \'ok\'"')
    assert e.comparisons[0][1] == "say \"hi\" \\ 'ok'"
    assert parse(r"q == 'it\'s'").comparisons[0][1] == "it's"


def test_expr_is_frozen_hashable_and_keeps_text() -> None:
    e = parse("a == 1")
    assert e.text == "a == 1"
    assert e == parse("a == 1") and hash(e) == hash(parse("a == 1"))
    with pytest.raises(AttributeError):
        e.text = "b"  # type: ignore[misc]


# --- to_json ---

def test_to_json_comparison() -> None:
    assert parse('kenh == "online"').to_json() == {
        "op": "==", "args": [{"var": "kenh"}, {"lit": "online"}]}


def test_to_json_flattens_and_chain_and_nests_not() -> None:
    assert parse("a and b and not answered(c)").to_json() == {"op": "and", "args": [
        {"op": "truthy", "args": [{"var": "a"}]},
        {"op": "truthy", "args": [{"var": "b"}]},
        {"op": "not", "args": [{"op": "answered", "args": [{"var": "c"}]}]},
    ]}


def test_to_json_list_and_literal_first() -> None:
    assert parse("q in ['a', 1.5]").to_json() == {
        "op": "in", "args": [{"var": "q"}, {"lit": ["a", 1.5]}]}
    assert parse("'a' not in q").to_json() == {
        "op": "not in", "args": [{"lit": "a"}, {"var": "q"}]}


def test_to_json_is_json_serialisable_and_a_copy() -> None:
    e = parse("(a or b) and q.r >= 4 and true")
    data = e.to_json()
    assert json.loads(json.dumps(data)) == data
    data["op"] = "or"
    assert e.to_json()["op"] == "and"


# --- errors ---

@pytest.mark.parametrize(("text", "message", "column"), [
    ("", "expression is empty", 0),
    ("   ", "expression is empty", 0),
    ("a ==", "unexpected end of expression, expected a value", 4),
    ("a and", "unexpected end of expression, expected a value", 5),
    ("(a == 1", "unexpected end of expression, expected ')'", 7),
    ("foo(x)", "unknown function 'foo'; only answered(question) is available", 0),
    ("a == 'x", "unterminated string", 5),
    ('a == "x\\"', "unterminated string", 5),
    ("a = 1", "'=' is not an operator; use '==' to compare", 2),
    ("a && b", "'&&' is not an operator; use 'and'", 2),
    ("a || b", "'||' is not an operator; use 'or'", 2),
    ("!a", "'!' is not an operator; use 'not' or '!='", 0),
    ("a <> 1", "'<>' is not an operator; use '!='", 2),
    ("1 < a < 3", "chained comparisons are not supported; combine them with 'and'", 6),
    ("a == 1 == b", "chained comparisons are not supported; combine them with 'and'", 7),
    ("a == [1, 2]", "a list can only follow 'in'", 5),
    ("[1] in a", "a list can only follow 'in'", 0),
    ("['a']", "a list can only follow 'in'", 0),
    ("a == 1 x", "unexpected 'x'", 7),
    ("a b", "unexpected 'b'", 2),
    ("a == 1)", "unexpected ')'", 6),
    ("a == )", "unexpected ')'", 5),
    ("a ? 1", "unexpected '?'", 2),
    ("a == - 1", "unexpected '-'", 5),
    ("a not 1", "unexpected 'not'", 2),
    ("answered('a')", "answered() takes one question id, e.g. answered(email)", 9),
    ("answered()", "answered() takes one question id, e.g. answered(email)", 9),
    ("answered(", "unexpected end of expression, expected a question id", 9),
    ("a == 'x\\n'", "unknown escape '\\n'; only \\\\, \\\" and \\' are allowed", 7),
    ("Kenh == 1", "'Kenh' must be written in lowercase: 'kenh'", 0),
    ("a AND b", "'AND' must be written in lowercase: 'and'", 2),
    ("chất == 1", "invalid question id 'chất'; ids start with a letter and use a-z, 0-9 and '_', "
                  "e.g. chat_luong.thai_do", 0),
    ("a.b.c", "invalid question id 'a.b.c'; ids start with a letter and use a-z, 0-9 and '_', "
              "e.g. chat_luong.thai_do", 0),
    ("not.x == 1", "'not' is a keyword, not a question id", 0),
    ("a == b", "comparing two questions is not supported; compare a question with a value", 5),
    ("1 == 1", "a comparison needs a question on one side", 0),
    ("'a' in ['a']", "a comparison needs a question on one side", 0),
    ("a < 'x'", "'<' compares numbers; write a number, e.g. a < 4", 4),
    ("a >= true", "'>=' compares numbers; write a number, e.g. a >= 4", 5),
    ("a in 'x'", "'in' needs a list or a question after it, e.g. a in [\"a\", \"b\"]", 5),
    ("a in []", "a list needs at least one value", 5),
    ("a in [b]", "a list can only contain strings and numbers", 6),
    ("a in [true]", "a list can only contain strings and numbers", 6),
    ("a in [1 2]", "unexpected '2'", 8),
    ("a in [1,", "unexpected end of expression, expected ']'", 8),
    ("'x'", "a value on its own is not a condition; compare it with a question, "
            "e.g. kenh == \"online\"", 0),
    ("answered(a) == 1", "a condition cannot be compared; compare a question with a value", 0),
    ("a == (b)", "a condition cannot be compared; compare a question with a value", 5),
])
def test_error_message_and_column(text: str, message: str, column: int) -> None:
    assert error(text) == (message, column)


def test_expr_error_str_is_the_message_and_is_a_value_error() -> None:
    err = ExprError("boom", 3)
    assert str(err) == "boom" and err.column == 3 and isinstance(err, ValueError)


def test_non_text_condition_is_an_error() -> None:
    with pytest.raises(ExprError, match="must be text, not bool"):
        parse(True)  # type: ignore[arg-type]


def test_trailing_comma_in_list_is_allowed() -> None:
    assert ev("a in [1, 2,]", a=2)


def test_keyword_may_be_a_matrix_row_name() -> None:
    assert ev("q.in == 1", **{"q.in": 1})


def test_length_limit() -> None:
    ok = "a == 1" + " " * (MAX_LENGTH - 6)
    assert parse(ok).evaluate({"a": 1})
    message, column = error(ok + " ")
    assert message == f"expression is too long ({MAX_LENGTH + 1} characters; the limit is 1000)"
    assert column == MAX_LENGTH


def test_parenthesis_depth_limit() -> None:
    assert ev("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH, a="yes")
    text = "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    assert error(text) == ("expression is nested too deeply (more than 50 levels)", MAX_DEPTH)


def test_not_depth_limit() -> None:
    assert ev("not " * MAX_DEPTH + "a", a="yes")
    assert error("not " * (MAX_DEPTH + 1) + "a")[1] == 4 * MAX_DEPTH


def test_long_flat_chain_is_fine() -> None:
    text = " or ".join(f"q == {i}" for i in range(80))
    assert len(text) < MAX_LENGTH and ev(text, q=79)


# --- JavaScript twin ---

JS_CASES: list[tuple[str, dict[str, object]]] = [
    ('kenh == "online"', {"kenh": "online"}),
    ('kenh == "online"', {"kenh": "Online"}),
    ('kenh != "online"', {}),
    ("hai_long >= 4", {"hai_long": "5"}),
    ("hai_long >= 4", {"hai_long": " 4 "}),
    ("hai_long >= 4", {"hai_long": "4."}),
    ("hai_long >= 4", {"hai_long": "1e1"}),
    ("hai_long >= 4", {"hai_long": ""}),
    ("hai_long < 4.5", {"hai_long": 4}),
    ("4 > hai_long", {"hai_long": ["3"]}),
    ("q > 1", {"q": "2"}),
    ("q == '4'", {"q": "4.0"}),
    ("q == '4'", {"q": 4.0}),
    ("q == 1", {"q": True}),
    ("q == true", {"q": True}),
    ("q != false", {"q": 0}),
    ("q in ['a', 2]", {"q": "2"}),
    ("q in ['a', 2]", {"q": ["x", "a"]}),
    ("q in ['a', 2]", {"q": []}),
    ("q not in ['a', 2]", {"q": None}),
    ("q not in ['a', 2]", {"q": ["b"]}),
    ("'a' in q", {"q": ["b", "a"]}),
    ("'a' in q", {"q": "a"}),
    ("2 in q", {"q": ["2.0"]}),
    ("'a' not in q", {}),
    ("answered(q)", {"q": ""}),
    ("answered(q)", {"q": 0}),
    ("answered(q)", {"q": [""]}),
    ("q", {"q": "no"}),
    ("q", {"q": ["no"]}),
    ("q", {"q": False}),
    ("q", {"q": 0}),
    ("q", {"q": ["no", "x"]}),
    ("constructor", {}),
    ("not (a or b) and c.row == 1", {"c.row": "1"}),
    ("a == 1 or b == 1 and c == 1", {"a": 0, "b": 1, "c": 0}),
    ("true and not false", {}),
    ("q == 'x' or q == 5", {"q": {"odd": "object"}}),
]


def node() -> str:
    """Node.js, to run the pages' script; without it these tests are skipped with the
    reason, except in CI (``CI=true``), where `.ci/run` installs it and its absence fails."""
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js is required in CI: apt-get install -y nodejs")
        pytest.skip("Node.js is not installed (apt-get install -y nodejs)")
    return path


def test_javascript_evaluator_agrees_with_python() -> None:
    cases = [{"ast": parse(text).to_json(), "answers": answers} for text, answers in JS_CASES]
    script = f"""
        globalThis.window = globalThis;
        globalThis.document = {{documentElement: {{classList: {{add() {{}}}}}},
            querySelectorAll() {{ return []; }}, addEventListener() {{}},
            readyState: 'complete'}};
        const vm = require('vm');
        vm.runInThisContext(require('fs').readFileSync({json.dumps(str(SHOW_IF_JS))}, 'utf8'));
        const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        console.log(JSON.stringify(cases.map(c => window.vnformShowIf.evaluate(c.ast, c.answers))));
    """
    done = subprocess.run([node(), "-e", script], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=60, check=True)
    got = json.loads(done.stdout)
    want = [parse(text).evaluate(answers) for text, answers in JS_CASES]
    mismatches = [(case, w, g) for case, w, g in zip(JS_CASES, want, got, strict=True) if w != g]
    assert mismatches == []
    assert True in want and False in want


def test_javascript_marks_page_without_conditions_and_does_not_throw() -> None:
    script = f"""
        const added = [];
        globalThis.window = globalThis;
        globalThis.document = {{documentElement: {{classList: {{add(c) {{ added.push(c); }}}}}},
            querySelectorAll() {{ return []; }}, addEventListener() {{}},
            readyState: 'loading'}};
        require('vm').runInThisContext(
            require('fs').readFileSync({json.dumps(str(SHOW_IF_JS))}, 'utf8'));
        console.log(JSON.stringify(added));
    """
    done = subprocess.run([node(), "-e", script], capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(done.stdout) == ["js"]


def test_parse_returns_expr() -> None:
    assert isinstance(parse("a"), Expr)
