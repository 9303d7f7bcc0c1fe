"""Every interface string is translatable, and the Vietnamese catalogue covers them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from vnform.i18n import LOCALE_DIR, choose, translations

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def interface_strings() -> set[str]:
    method_map = [("vnform/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def catalog():
    with (LOCALE_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale="vi")


def test_every_interface_string_has_a_vietnamese_translation(catalog) -> None:
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog if m.id and (m.string if isinstance(m.string, str) else m.string[0])
    }
    missing = sorted(interface_strings() - translated)
    assert not missing, f"run `make messages` and translate: {missing}"


def test_no_translation_is_left_fuzzy(catalog) -> None:
    assert [m.id for m in catalog if m.id and m.fuzzy] == []


def test_translations_keep_every_placeholder(catalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source


def test_vietnamese_catalogue_translates_interface_text() -> None:
    assert translations("vi").gettext("Continue") == "Tiếp tục"


def test_english_uses_the_message_ids_themselves() -> None:
    assert translations("en").gettext("Continue") == "Continue"


def test_language_choice_falls_back_to_the_first_available() -> None:
    assert choose("en", ("vi", "en")) == "en"
    assert choose("fr", ("vi", "en")) == "vi"
    assert choose("en", ("vi",)) == "vi"
    assert choose(None, ("en", "vi")) == "en"
