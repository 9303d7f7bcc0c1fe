"""Agencies' names from agencies.yaml: what a page shows for each code, and every
mistake in the file reported without stopping the service."""

from __future__ import annotations

from pathlib import Path

from vnform.agencies import load_names, parse_names

NAMES = """\
so-tttt-ha-noi:
  vi: Sở Thông tin và Truyền thông Hà Nội
  en: Hanoi Department of Information and Communications
ubnd-xa: UBND xã
"""


def test_each_code_is_named_in_the_pages_language() -> None:
    names = parse_names(NAMES, "agencies.yaml")
    assert names.problems == ()
    assert names.name("so-tttt-ha-noi", "vi") == "Sở Thông tin và Truyền thông Hà Nội"
    assert names.name("so-tttt-ha-noi", "en") == \
        "Hanoi Department of Information and Communications"
    assert names.name("ubnd-xa", "en") == "UBND xã"  # one name for both languages


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert parse_names(NAMES, "agencies.yaml").name("so-khac", "vi") == "so-khac"


def test_a_name_in_one_language_serves_the_other_too() -> None:
    names = parse_names("so-a: {vi: Sở A}", "agencies.yaml")
    assert names.name("so-a", "en") == "Sở A"


def test_every_bad_entry_is_reported_and_the_good_ones_kept() -> None:
    names = parse_names("so-a: Sở A\nSo B: Sở B\nso-c: {fr: C}\nso-d: ''\n", "a.yaml")
    assert names.names == {"so-a": {"vi": "Sở A", "en": "Sở A"}}
    assert names.problems == (
        "a.yaml: 'So B' is not an agency code (lowercase letters, digits and -)",
        "a.yaml: 'so-c': write its name, or {vi: ..., en: ...}",
        "a.yaml: 'so-d': write its name, or {vi: ..., en: ...}")


def test_a_file_that_is_not_yaml_names_nothing_and_says_where() -> None:
    names = parse_names("so-a: [unclosed\n", "agencies.yaml")
    assert names.names == {}
    assert names.problems[0].startswith("agencies.yaml:")


def test_a_hostile_file_is_refused_not_a_crash() -> None:
    assert parse_names("[" * 5000, "agencies.yaml").problems
    assert parse_names("- a\n- b\n", "agencies.yaml").problems == (
        "agencies.yaml: expected agency codes, each with its names",)


def test_no_file_means_no_names(tmp_path: Path) -> None:
    names = load_names(tmp_path / "agencies.yaml")
    assert names.names == {} and names.problems == ()


def test_the_shipped_file_names_the_demo_agencies() -> None:
    names = load_names(Path(__file__).resolve().parent.parent / "agencies.yaml")
    assert names.problems == ()
    assert names.known("so-tttt-ha-noi") and names.known("ubnd-phuong-ba-dinh")
