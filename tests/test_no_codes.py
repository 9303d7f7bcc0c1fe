"""An officials' page read in Vietnamese shows no internal code: the demo forms' question
ids, choice codes and agency codes stay in the YAML, the addresses and the downloads."""

from __future__ import annotations

import html
import re

from babel.messages.pofile import read_po
from conftest import DEMO_FORMS, sign_in

from vnform.cli import main
from vnform.forms.registry import Registry
from vnform.i18n import LOCALE_DIR as LOCALE

OFFICIAL = "quan.tri@so.gov.vn"


def codes() -> set[str]:
    """Every code a demo form declares (question ids, choice codes, agencies), except
    those that are also Vietnamese words of the forms' or the interface's texts ("sao",
    "web", "email")."""
    found: set[str] = set()
    words: set[str] = set()
    for spec in Registry.load(DEMO_FORMS).forms.values():
        found.add(spec.agency)
        for question in spec.questions:
            found.add(question.id)
            words.update(_words(question.label.get("vi")))
            for choice in question.choices:
                words.update(_words(choice.label.get("vi")))
                if not str(choice.value).isdigit() and len(str(choice.value)) > 2:
                    found.add(str(choice.value))
    with (LOCALE / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as catalogue:
        for message in read_po(catalogue):
            for text in ([message.string] if isinstance(message.string, str)
                         else message.string):
                words.update(_words(text))
    return found - words


def _words(text: str | None) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9_.-]+", text or ""))


def visible_text(page: str) -> str:
    """What a reader sees: no tags, attributes, scripts or addresses."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_no_code_shows_on_a_vietnamese_officials_page(add_official, make_client,
                                                      database_url) -> None:
    forms = list(Registry.load(DEMO_FORMS).forms)
    for form_id in forms:  # answers to read, made before the app opens the database
        assert main(["demo", "--form", form_id, "--responses", "40", "--seed", "3",
                     "--db", database_url, "--forms", str(DEMO_FORMS)]) == 0
    add_official(OFFICIAL)
    client = make_client(DEMO_FORMS)
    assert sign_in(client, OFFICIAL).status_code == 303
    pages = ["/admin", "/admin/indicators", "/admin/indicators?by=agency",
             "/admin/indicators?by=service", "/admin/audit"]
    for form_id in forms:
        listed = client.get(f"/admin/forms/{form_id}/responses").text
        first = re.search(rf'href="(/admin/forms/{form_id}/responses/\d+)"', listed)
        assert first, form_id
        pages += [f"/admin/forms/{form_id}", f"/admin/forms/{form_id}/responses",
                  first.group(1)]
        pages += [f"/admin/forms/{form_id}/texts/{question.id}"
                  for question in Registry.load(DEMO_FORMS).forms[form_id].questions
                  if question.type in ("text", "textarea")][:1]
    wanted = codes()
    shown: dict[str, set[str]] = {}
    for url in pages:
        page = client.get(url + ("&" if "?" in url else "?") + "lang=vi")
        assert page.status_code == 200, url
        words = set(re.findall(r"[A-Za-z0-9_.-]+", visible_text(page.text)))
        if found := wanted & words:
            text = visible_text(page.text)
            shown[url] = {code: text[max(0, text.find(code) - 60):text.find(code) + 40]
                          for code in found}
    assert shown == {}
