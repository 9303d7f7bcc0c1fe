"""`vnform check` on personal data: free text says whether it collects any, and a form
that collects some says why, who is responsible and for how long."""

from __future__ import annotations

import textwrap

from vnform.forms.loader import load_text

HEAD = """\
id: lien-he
title: {vi: Liên hệ, en: Contact}
agency: ubnd
languages: [vi, en]
"""
NOTICE = """\
purpose: {vi: Liên hệ lại về hồ sơ., en: To contact you about your application.}
controller: {vi: UBND phường Ba Đình, en: Ba Dinh ward People's Committee}
retention_days: 90
"""


def problems(text: str) -> list[str]:
    loaded = load_text(textwrap.dedent(text), "form.yaml")
    assert (loaded.spec is None) == bool(loaded.errors)
    return [str(p) for p in loaded.problems]


def test_free_text_without_personal_data_is_warned_about_at_its_place() -> None:
    found = problems(HEAD + """\
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}}
  - id: gop_y
    type: textarea
    label: {vi: Góp ý, en: Suggestions}
  - {id: thu, type: email, label: {vi: Thư, en: Email}}
""")
    assert [p.split(": warning: ")[0] for p in found] == ["form.yaml:7:5", "form.yaml:10:5"]
    assert found[0].endswith(
        "warning: free text may carry personal data: say whether question 'gop_y' collects "
        "any with 'personal_data: basic' (contact details, case codes, identifiers), "
        "'sensitive' (health, beliefs, ethnicity…) or 'none'")


def test_free_text_that_says_none_is_not_warned_about() -> None:
    assert problems(HEAD + """\
questions:
  - {id: gop_y, type: textarea, label: {vi: Góp ý, en: Suggestions}, personal_data: none}
""") == []


def test_personal_data_without_its_notice_names_every_missing_key() -> None:
    assert problems(HEAD + """\
questions:
  - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone}, personal_data: basic}
""") == [
        f"form.yaml:1:1: question 'dien_thoai' collects personal data: the form needs "
        f"'{key}' ({what})" for key, what in (
            ("controller", "the agency responsible for it"),
            ("purpose", "why the personal data is collected, per language"),
            ("retention_days", "how many days it is kept"))]


def test_a_sensitive_choice_question_needs_the_notice_too() -> None:
    found = problems(HEAD + """\
questions:
  - id: dan_toc
    type: single_choice
    label: {vi: Dân tộc, en: Ethnicity}
    personal_data: sensitive
    choices: [{value: kinh, label: Kinh}, {value: khac, label: {vi: Khác, en: Other}}]
""")
    assert len(found) == 3 and all("question 'dan_toc' collects personal data" in p
                                   for p in found)


def test_the_purpose_is_needed_in_every_language_of_the_form() -> None:
    assert problems(HEAD + NOTICE.replace(", en: To contact you about your application.", "")
                    + """\
questions:
  - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone}, personal_data: basic}
""") == ["form.yaml:5:10: missing 'en' translation of purpose (the form's languages are "
         "vi, en)"]


def test_a_complete_notice_loads_with_its_personal_questions() -> None:
    loaded = load_text(HEAD + NOTICE + """\
contact_consent: true
questions:
  - {id: dien_thoai, type: phone, label: {vi: Điện thoại, en: Phone}, personal_data: basic}
  - {id: gop_y, type: textarea, label: {vi: Góp ý, en: Suggestions}, personal_data: none}
""", "form.yaml")
    assert loaded.problems == []
    spec = loaded.spec
    assert [q.id for q in spec.personal_questions] == ["dien_thoai"]
    assert spec.personal_columns == frozenset({"dien_thoai"})
    assert (spec.retention_days, spec.purpose.get("en"), spec.controller.get("vi")) == (
        90, "To contact you about your application.", "UBND phường Ba Đình")
    assert spec.contact_consent is not None and spec.contact_consent.msgid


def test_an_unknown_category_is_refused_with_the_ones_allowed() -> None:
    found = problems(HEAD + """\
questions:
  - {id: gop_y, type: textarea, label: {vi: Góp ý, en: Suggestions}, personal_data: private}
""")
    assert "form.yaml:6:85: 'private' is not one of: none, basic, sensitive" in found, found


def test_contact_consent_without_contact_details_is_warned_about() -> None:
    assert problems(HEAD + """\
contact_consent: true
questions:
  - {id: hai_long, type: rating, label: {vi: Hài lòng, en: Satisfied}}
""") == ["form.yaml:5:1: warning: contact_consent asks to contact the citizen again, but "
         "no question collects contact details (personal_data: basic)"]
