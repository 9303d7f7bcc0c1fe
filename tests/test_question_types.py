"""Every question type: how it is shown, and what is stored when it is answered.

Each test writes a small one-page form, opens it over real HTTP (the app with a real
SQLite file), answers it as a citizen would and reads the page or the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import TRIAL_HEAD, TRIAL_URL, Citizen, errors

URL = TRIAL_URL
HEAD = TRIAL_HEAD
SCALE = """\
choice_lists:
  hai_long:
    - {value: 1, label: {vi: Rất không hài lòng, en: Very dissatisfied}}
    - {value: 2, label: {vi: Không hài lòng, en: Dissatisfied}}
    - {value: 3, label: {vi: Bình thường, en: Neutral}}
    - {value: 4, label: {vi: Hài lòng, en: Satisfied}}
    - {value: 5, label: {vi: Rất hài lòng, en: Very satisfied}}
    - {value: na, label: {vi: Không áp dụng, en: Does not apply}, not_applicable: true}
"""
CHOICES = "[{value: a, label: {vi: Một, en: One}}, {value: b, label: {vi: Hai, en: Two}}]"


# --- a tiny HTML reader: elements with their attributes, text and parent ---

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = field(repr=False)
    parts: list[str] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def within(self, other: Element) -> bool:
        node = self.parent
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs},
                          self.open[-1] if self.open else None)
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.parts.append(data)


def parse(response: Any) -> list[Element]:
    reader = _Reader()
    reader.feed(response.text)
    reader.close()
    return reader.elements


def find(doc: list[Element], tag: str | None = None, inside: Element | None = None,
         **attrs: str) -> list[Element]:
    """Elements of *tag* with the given attribute values (``for_`` for ``for``)."""
    wanted = {name.rstrip("_"): value for name, value in attrs.items()}
    return [e for e in doc if (tag is None or e.tag == tag)
            and all(e.get(k) == v for k, v in wanted.items())
            and (inside is None or e.within(inside))]


def one(doc: list[Element], tag: str | None = None, inside: Element | None = None,
        **attrs: str) -> Element:
    found = find(doc, tag, inside, **attrs)
    assert len(found) == 1, (tag, attrs, len(found))
    return found[0]


def label_of(doc: list[Element], control: Element) -> str:
    return one(doc, "label", for_=control["id"]).text


def described_by(control: Element) -> list[str]:
    return (control.get("aria-describedby") or "").split()


def options(doc: list[Element], name: str) -> list[tuple[str, str, str]]:
    """(type, value, label) of each radio or checkbox named *name*, in page order."""
    return [(e["type"], e["value"], label_of(doc, e)) for e in find(doc, "input", name=name)]


def group_of(doc: list[Element], control: Element) -> Element:
    """The innermost fieldset holding *control*."""
    node = control.parent
    while node is not None and node.tag != "fieldset":
        node = node.parent
    assert node is not None, "not inside a fieldset"
    return node


def legend_of(doc: list[Element], fieldset: Element) -> str:
    legends = [e for e in find(doc, "legend") if e.parent is fieldset]
    assert len(legends) == 1
    return legends[0].text


# --- fixtures ---

def submit(citizen: Citizen, answers: dict[str, Any]) -> Any:
    response = citizen.post(URL, answers)
    assert response.status_code == 303, (response.status_code, errors(response))
    return response


# --- how each type is shown ---

def test_text_is_a_text_input_tied_to_its_label(start) -> None:
    doc = parse(start("- {id: ho_ten, type: text, label: {vi: Họ và tên, en: Full name}}").page)
    control = one(doc, "input", name="ho_ten")
    assert control["type"] == "text"
    assert control["id"] == "q-ho_ten"
    assert label_of(doc, control) == "Full name (optional)"


def test_required_question_is_not_marked_optional(start) -> None:
    doc = parse(start("- {id: ho_ten, type: text, label: Tên, required: true}").page)
    assert label_of(doc, one(doc, "input", name="ho_ten")) == "Tên"


def test_optional_mark_is_translated(start) -> None:
    doc = parse(start("- {id: ho_ten, type: text, label: Tên}", lang="vi").page)
    assert label_of(doc, one(doc, "input", name="ho_ten")) == "Tên (không bắt buộc)"


def test_hint_is_tied_to_the_input_with_aria_describedby(start) -> None:
    doc = parse(start("""
        - id: ma_ho_so
          type: text
          label: Mã hồ sơ
          hint: {vi: "Ví dụ: H26-0001", en: "For example: H26-0001"}
    """).page)
    control = one(doc, "input", name="ma_ho_so")
    hint = one(doc, id="q-ma_ho_so-hint")
    assert hint.text == "For example: H26-0001"
    assert described_by(control) == ["q-ma_ho_so-hint"]


def test_input_without_hint_or_error_has_no_aria_describedby(start) -> None:
    doc = parse(start("- {id: ho_ten, type: text, label: Tên}").page)
    assert "aria-describedby" not in one(doc, "input", name="ho_ten").attrs


def test_autocomplete_token_from_the_form_file_is_rendered(start) -> None:
    doc = parse(start("- {id: ho_ten, type: text, label: Tên, autocomplete: name}").page)
    assert one(doc, "input", name="ho_ten")["autocomplete"] == "name"


def test_textarea_is_a_textarea_tied_to_its_label(start) -> None:
    doc = parse(start("- {id: mo_ta, type: textarea, label: {vi: Mô tả, en: Description}}").page)
    control = one(doc, "textarea", name="mo_ta")
    assert control["id"] == "q-mo_ta"
    assert label_of(doc, control) == "Description (optional)"


def test_textarea_announces_its_default_character_limit(start) -> None:
    citizen = start("- {id: mo_ta, type: textarea, label: Mô tả}")
    doc = parse(citizen.page)
    assert one(doc, "textarea", name="mo_ta")["data-max-length"] == "5000"
    assert "You can enter up to 5000 characters." in citizen.page.text


def test_textarea_character_limit_note_is_tied_to_the_textarea(start) -> None:
    doc = parse(start("- {id: mo_ta, type: textarea, label: Mô tả}").page)
    note = one(doc, "p", **{"class": "hint char-limit"})
    assert note.get("id") in described_by(one(doc, "textarea", name="mo_ta"))


def test_integer_is_a_text_input_with_a_numeric_keyboard(start) -> None:
    doc = parse(start("- {id: tuoi, type: integer, label: {vi: Tuổi, en: Age}}").page)
    control = one(doc, "input", name="tuoi")
    assert (control["type"], control["inputmode"]) == ("text", "numeric")
    assert label_of(doc, control) == "Age (optional)"


def test_decimal_is_a_text_input_with_a_decimal_keyboard(start) -> None:
    doc = parse(start("- {id: chi_phi, type: decimal, label: Chi phí}").page)
    control = one(doc, "input", name="chi_phi")
    assert (control["type"], control["inputmode"]) == ("text", "decimal")


def test_email_is_an_email_input_with_email_autocomplete(start) -> None:
    doc = parse(start("- {id: email, type: email, label: {vi: Thư điện tử, en: Email}}").page)
    control = one(doc, "input", name="email")
    assert (control["type"], control["autocomplete"]) == ("email", "email")
    assert control["spellcheck"] == "false"
    assert label_of(doc, control) == "Email (optional)"


def test_phone_is_a_tel_input_with_tel_autocomplete(start) -> None:
    doc = parse(start("- {id: dien_thoai, type: phone, label: {vi: Số điện thoại, en: Phone}}")
                .page)
    control = one(doc, "input", name="dien_thoai")
    assert (control["type"], control["autocomplete"]) == ("tel", "tel")
    assert label_of(doc, control) == "Phone (optional)"


def test_date_is_a_date_input_with_its_format_tied(start) -> None:
    doc = parse(start("- {id: ngay_nop, type: date, label: {vi: Ngày nộp, en: Date applied}}")
                .page)
    control = one(doc, "input", name="ngay_nop")
    assert control["type"] == "date"
    assert label_of(doc, control) == "Date applied (optional)"
    assert one(doc, id="q-ngay_nop-format").text == "For example, 27/11/2026"
    assert "q-ngay_nop-format" in described_by(control)


def test_date_hint_is_tied_to_the_input(start) -> None:
    doc = parse(start("""
        - id: ngay_nop
          type: date
          label: Ngày nộp
          hint: {vi: Ngày ghi trên giấy biên nhận, en: The date on your receipt}
    """).page)
    assert "q-ngay_nop-hint" in described_by(one(doc, "input", name="ngay_nop"))


def test_single_choice_is_radios_in_a_fieldset_with_a_legend(start) -> None:
    doc = parse(start(f"""
        - id: linh_vuc
          type: single_choice
          label: {{vi: Lĩnh vực, en: Field}}
          required: true
          choices: {CHOICES}
    """).page)
    assert options(doc, "linh_vuc") == [("radio", "a", "One"), ("radio", "b", "Two")]
    radios = find(doc, "input", name="linh_vuc")
    group = group_of(doc, radios[0])
    assert all(r.within(group) for r in radios)
    assert legend_of(doc, group) == "Field"
    assert [r["id"] for r in radios] == ["q-linh_vuc", "q-linh_vuc-1"]


def test_choice_labels_are_in_the_page_language(start) -> None:
    doc = parse(start(f"- {{id: linh_vuc, type: single_choice, label: L, choices: {CHOICES}}}",
                      lang="vi").page)
    assert [label for _, _, label in options(doc, "linh_vuc")] == ["Một", "Hai"]


def test_choice_group_hint_is_tied_to_its_fieldset(start) -> None:
    doc = parse(start(f"""
        - id: linh_vuc
          type: single_choice
          label: Lĩnh vực
          hint: {{vi: Chọn một, en: Choose one}}
          choices: {CHOICES}
    """).page)
    group = group_of(doc, find(doc, "input", name="linh_vuc")[0])
    assert one(doc, id="q-linh_vuc-hint").text == "Choose one"
    assert described_by(group) == ["q-linh_vuc-hint"]


def test_dropdown_is_a_select_with_an_empty_first_option(start) -> None:
    doc = parse(start("""
        - id: tinh
          type: dropdown
          label: {vi: Tỉnh/thành phố, en: Province}
          choices:
            - {value: "01", label: {vi: Hà Nội, en: Ha Noi}}
            - {value: "48", label: {vi: Đà Nẵng, en: Da Nang}}
    """).page)
    select = one(doc, "select", name="tinh")
    assert select["id"] == "q-tinh"
    assert label_of(doc, select) == "Province (optional)"
    assert [(o["value"], o.text) for o in find(doc, "option", inside=select)] == [
        ("", "Choose an option"), ("01", "Ha Noi"), ("48", "Da Nang")]
    assert not find(doc, "option", inside=select, selected="")


def test_dropdown_hint_is_tied_to_the_select(start) -> None:
    doc = parse(start(f"""
        - id: tinh
          type: dropdown
          label: Tỉnh
          hint: Nơi Ông/Bà nộp hồ sơ
          choices: {CHOICES}
    """).page)
    assert described_by(one(doc, "select", name="tinh")) == ["q-tinh-hint"]


def test_multiple_choice_is_checkboxes_in_a_fieldset_with_a_legend(start) -> None:
    doc = parse(start("""
        - id: kenh
          type: multiple_choice
          label: {vi: Kênh thông tin, en: Where you heard}
          choices:
            - {value: tv, label: {vi: Truyền hình, en: Television}}
            - {value: web, label: {vi: Trang web, en: Website}}
            - {value: zalo, label: Zalo}
    """).page)
    assert options(doc, "kenh") == [
        ("checkbox", "tv", "Television"), ("checkbox", "web", "Website"),
        ("checkbox", "zalo", "Zalo")]
    boxes = find(doc, "input", name="kenh")
    assert legend_of(doc, group_of(doc, boxes[0])) == "Where you heard (optional)"
    assert all(b.within(group_of(doc, boxes[0])) for b in boxes)


def test_yes_no_is_co_and_khong_radios_in_vietnamese(start) -> None:
    doc = parse(start("- {id: da_dung, type: yes_no, label: 'Đã dùng chưa?'}", lang="vi").page)
    assert options(doc, "da_dung") == [("radio", "yes", "Có"), ("radio", "no", "Không")]
    assert legend_of(doc, group_of(doc, find(doc, "input", name="da_dung")[0])) == (
        "Đã dùng chưa? (không bắt buộc)")


def test_yes_no_is_yes_and_no_radios_in_english(start) -> None:
    doc = parse(start("- {id: da_dung, type: yes_no, label: 'Used before?'}").page)
    assert options(doc, "da_dung") == [("radio", "yes", "Yes"), ("radio", "no", "No")]


def test_likert_is_a_scale_of_radios_from_its_choice_list(start) -> None:
    doc = parse(start("- {id: hai_long, type: likert, label: Hài lòng, choices: hai_long}",
                      extra=SCALE).page)
    assert options(doc, "hai_long") == [
        ("radio", "1", "Very dissatisfied"), ("radio", "2", "Dissatisfied"),
        ("radio", "3", "Neutral"), ("radio", "4", "Satisfied"),
        ("radio", "5", "Very satisfied"), ("radio", "na", "Does not apply")]
    group = group_of(doc, find(doc, "input", name="hai_long")[0])
    assert legend_of(doc, group) == "Hài lòng (optional)"
    assert find(doc, "div", inside=group, **{"class": "options options--scale"})


def test_likert_end_labels_name_the_ends_of_the_scale_not_the_not_applicable_choice(
        start) -> None:
    citizen = start("""
        - id: hai_long
          type: likert
          label: Hài lòng
          choices: hai_long
          min_label: {vi: Rất tệ, en: Very bad}
          max_label: {vi: Rất tốt, en: Very good}
    """, extra=SCALE)
    ends = one(parse(citizen.page), "p", **{"class": "scale-ends"}).text
    assert ends == "1 = Very bad 5 = Very good"


def test_rating_offers_one_to_five_by_default(start) -> None:
    doc = parse(start("- {id: sao, type: rating, label: Chấm điểm}").page)
    assert options(doc, "sao") == [("radio", str(n), str(n)) for n in range(1, 6)]


def test_rating_offers_one_to_its_max(start) -> None:
    doc = parse(start("- {id: sao, type: rating, label: Chấm điểm, max: 10}").page)
    assert [value for _, value, _ in options(doc, "sao")] == [str(n) for n in range(1, 11)]


def test_rating_end_labels_name_the_ends(start) -> None:
    citizen = start("""
        - id: sao
          type: rating
          max: 4
          label: Chấm điểm
          min_label: {vi: Rất tệ, en: Very bad}
          max_label: {vi: Rất tốt, en: Very good}
    """)
    ends = one(parse(citizen.page), "p", **{"class": "scale-ends"}).text
    assert ends == "1 = Very bad 4 = Very good"


def test_nps_offers_zero_to_ten_with_end_labels(start) -> None:
    citizen = start("- {id: gioi_thieu, type: nps, label: 'Giới thiệu?'}")
    doc = parse(citizen.page)
    assert options(doc, "gioi_thieu") == [("radio", str(n), str(n)) for n in range(11)]
    assert one(doc, "p", **{"class": "scale-ends"}).text == (
        "0 = Not at all likely 10 = Extremely likely")


def test_nps_end_labels_are_translated(start) -> None:
    doc = parse(start("- {id: gioi_thieu, type: nps, label: 'Giới thiệu?'}", lang="vi").page)
    assert one(doc, "p", **{"class": "scale-ends"}).text == (
        "0 = Hoàn toàn không 10 = Chắc chắn có")


def test_nps_end_labels_from_the_form_file_replace_the_defaults(start) -> None:
    doc = parse(start("""
        - id: gioi_thieu
          type: nps
          label: Giới thiệu?
          min_label: {vi: Không bao giờ, en: Never}
          max_label: {vi: Chắc chắn, en: Certainly}
    """).page)
    assert one(doc, "p", **{"class": "scale-ends"}).text == "0 = Never 10 = Certainly"


MATRIX = """
- id: chat_luong
  type: matrix
  label: {vi: Đánh giá từng khía cạnh, en: Rate each aspect}
  choices: hai_long
  rows:
    - {id: thu_tuc, label: {vi: Thủ tục, en: Procedure}}
    - {id: can_bo, label: {vi: Cán bộ, en: Staff}}
"""


def test_matrix_is_a_fieldset_per_row_inside_the_question_fieldset(start) -> None:
    doc = parse(start(MATRIX, extra=SCALE).page)
    outer = one(doc, "fieldset", **{"class": "fieldset matrix"})
    assert legend_of(doc, outer) == "Rate each aspect (optional)"
    rows = find(doc, "fieldset", inside=outer)
    assert [legend_of(doc, row) for row in rows] == ["Procedure", "Staff"]
    for row, name in zip(rows, ["chat_luong.thu_tuc", "chat_luong.can_bo"], strict=True):
        radios = find(doc, "input", name=name)
        assert len(radios) == 6 and all(r.within(row) for r in radios)
        assert [r["value"] for r in radios] == ["1", "2", "3", "4", "5", "na"]


def test_matrix_row_options_have_their_own_ids_and_labels(start) -> None:
    doc = parse(start(MATRIX, extra=SCALE).page)
    first, second = (find(doc, "input", name=n) for n in
                     ("chat_luong.thu_tuc", "chat_luong.can_bo"))
    assert first[0]["id"] == "q-chat_luong-thu_tuc"
    assert second[0]["id"] == "q-chat_luong-can_bo"
    assert label_of(doc, second[4]) == "Very satisfied"


def test_matrix_hint_is_tied_to_the_matrix(start) -> None:
    doc = parse(start(MATRIX + "  hint: {vi: Mỗi hàng một lựa chọn, en: One per row}\n",
                      extra=SCALE).page)
    outer = one(doc, "fieldset", **{"class": "fieldset matrix"})
    hint = one(doc, "div", inside=outer, **{"class": "hint"})
    assert hint.get("id") and hint["id"] in described_by(outer)


EVERY_TYPE = f"""
- {{id: ten, type: text, label: Tên}}
- {{id: mo_ta, type: textarea, label: Mô tả}}
- {{id: so, type: integer, label: Số}}
- {{id: tien, type: decimal, label: Tiền}}
- {{id: email, type: email, label: Email}}
- {{id: dt, type: phone, label: Điện thoại}}
- {{id: ngay, type: date, label: Ngày}}
- {{id: mot, type: single_choice, label: Một, choices: {CHOICES}}}
- {{id: chon, type: dropdown, label: Chọn, choices: {CHOICES}}}
- {{id: nhieu, type: multiple_choice, label: Nhiều, choices: {CHOICES}}}
- {{id: co, type: yes_no, label: Có}}
- {{id: muc, type: likert, label: Mức, choices: hai_long}}
- {{id: sao, type: rating, label: Sao}}
- {{id: nps, type: nps, label: NPS}}
{MATRIX.strip()}
"""


def test_every_control_of_every_type_has_a_label_tied_with_for(start) -> None:
    doc = parse(start(EVERY_TYPE, extra=SCALE).page)
    controls = [e for e in find(doc) if e.tag in ("input", "select", "textarea")
                and e.get("type") not in ("hidden",) and e.get("name") != "_website"]
    assert len(controls) == 7 + 2 + 1 + 2 + 2 + 6 + 5 + 11 + 12
    for control in controls:
        assert label_of(doc, control), control.attrs
    ids = [c["id"] for c in controls]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("question_id", ["meta", "process", "data", "errors", "validate",
                                         "populate_obj", "clean"])
def test_any_valid_question_id_works_even_a_form_method_name(start, stored,
                                                              question_id: str) -> None:
    citizen = start(f"- {{id: {question_id}, type: text, label: Tên}}")
    submit(citizen, {question_id: "Lan"})
    assert stored() == [(question_id, None, None, "Lan")]


# --- what each type stores ---

def test_text_is_stored_in_the_text_column_without_surrounding_spaces(start, stored) -> None:
    citizen = start("- {id: ten, type: text, label: Tên}")
    submit(citizen, {"ten": "  Nguyễn Văn An \t"})
    assert stored() == [("ten", None, None, "Nguyễn Văn An")]


def test_vietnamese_text_round_trips_byte_for_byte(start, stored) -> None:
    text = "Đà Nẵng — phục vụ rất tận tình, cảm ơn! 😊"
    citizen = start("- {id: y_kien, type: textarea, label: Ý kiến}")
    submit(citizen, {"y_kien": text})
    (answer,) = stored()
    assert answer[3].encode("utf-8") == text.encode("utf-8")


def test_decomposed_vietnamese_is_stored_as_typed_not_normalised(start, stored) -> None:
    decomposed = "Tiếng Việt".replace("ế", "e\u0302\u0301").replace("ệ", "e\u0323\u0302")
    citizen = start("- {id: ten, type: text, label: Tên}")
    submit(citizen, {"ten": decomposed})
    assert stored()[0][3] == decomposed


def test_textarea_keeps_its_line_breaks(start, stored) -> None:
    citizen = start("- {id: y_kien, type: textarea, label: Ý kiến}")
    submit(citizen, {"y_kien": "Dòng một\r\nDòng hai\r\n\r\nDòng bốn"})
    assert stored()[0][3].splitlines() == ["Dòng một", "Dòng hai", "", "Dòng bốn"]


@pytest.mark.parametrize(("typed", "value", "number"), [
    ("  42 ", "42", 42.0),
    ("-7", "-7", -7.0),
    ("0", "0", 0.0),
    ("007", "7", 7.0),
    ("1 000 000", "1000000", 1_000_000.0),
])
def test_integer_is_stored_as_value_and_number(start, stored, typed: str, value: str,
                                               number: float) -> None:
    citizen = start("- {id: tuoi, type: integer, label: Tuổi}")
    submit(citizen, {"tuoi": typed})
    assert stored() == [("tuoi", value, number, None)]


@pytest.mark.parametrize(("typed", "value", "number"), [
    ("12,5", "12.5", 12.5),
    ("12.5", "12.5", 12.5),
    ("12.50", "12.5", 12.5),
    ("100", "100", 100.0),
    ("-0,25", "-0.25", -0.25),
    ("-0,0", "0", 0.0),
    (" 1 234,75 ", "1234.75", 1234.75),
])
def test_decimal_is_stored_canonically_with_a_point(start, stored, typed: str, value: str,
                                                    number: float) -> None:
    citizen = start("- {id: chi_phi, type: decimal, label: Chi phí}")
    submit(citizen, {"chi_phi": typed})
    assert stored() == [("chi_phi", value, number, None)]


def test_email_domain_is_lowercased_and_the_local_part_kept(start, stored) -> None:
    citizen = start("- {id: email, type: email, label: Email}")
    submit(citizen, {"email": " Nguyen.Van.An@Example.GOV.VN "})
    assert stored() == [("email", None, None, "Nguyen.Van.An@example.gov.vn")]


@pytest.mark.parametrize("typed", ["+84 912 345 678", "0912.345.678", "0912-345-678",
                                   "(091) 234 5678", "84912345678", "+84912345678"])
def test_mobile_number_is_stored_in_national_form(start, stored, typed: str) -> None:
    citizen = start("- {id: dien_thoai, type: phone, label: Điện thoại}")
    submit(citizen, {"dien_thoai": typed})
    assert stored() == [("dien_thoai", None, None, "0912345678")]


@pytest.mark.parametrize("typed", ["024 3826 1234", "(024) 3826.1234", "+84 24 3826 1234"])
def test_landline_is_stored_with_its_area_code(start, stored, typed: str) -> None:
    citizen = start("- {id: dien_thoai, type: phone, label: Điện thoại}")
    submit(citizen, {"dien_thoai": typed})
    assert stored() == [("dien_thoai", None, None, "02438261234")]


@pytest.mark.parametrize("typed", ["2026-11-27", "27/11/2026", "27.11.2026", "27-11-2026",
                                   " 27/11/2026 "])
def test_date_is_stored_in_iso_form(start, stored, typed: str) -> None:
    citizen = start("- {id: ngay_nop, type: date, label: Ngày nộp}")
    submit(citizen, {"ngay_nop": typed})
    assert stored() == [("ngay_nop", "2026-11-27", None, None)]


def test_date_with_one_digit_day_and_month_is_stored_padded(start, stored) -> None:
    citizen = start("- {id: ngay_nop, type: date, label: Ngày nộp}")
    submit(citizen, {"ngay_nop": "5/1/2026"})
    assert stored() == [("ngay_nop", "2026-01-05", None, None)]


def test_single_choice_stores_the_choice_code(start, stored) -> None:
    citizen = start(f"- {{id: linh_vuc, type: single_choice, label: L, choices: {CHOICES}}}")
    submit(citizen, {"linh_vuc": "b"})
    assert stored() == [("linh_vuc", "b", None, None)]


def test_dropdown_stores_a_numeric_looking_code_as_a_code(start, stored) -> None:
    citizen = start("""
        - id: tinh
          type: dropdown
          label: Tỉnh
          choices: [{value: "01", label: Hà Nội}, {value: "79", label: TP HCM}]
    """)
    submit(citizen, {"tinh": "01"})
    assert stored() == [("tinh", "01", None, None)]


KENH = """
- id: kenh
  type: multiple_choice
  label: Kênh
  choices:
    - {value: tv, label: TV}
    - {value: web, label: Web}
    - {value: zalo, label: Zalo}
    - {value: friends, label: Người quen}
"""


def test_multiple_choice_stores_one_row_per_chosen_value(start, stored) -> None:
    citizen = start(KENH)
    submit(citizen, {"kenh": ["web", "friends"]})
    assert stored() == [("kenh", "web", None, None), ("kenh", "friends", None, None)]


def test_multiple_choice_is_stored_in_the_forms_order_whatever_the_posted_order(
        start, stored) -> None:
    citizen = start(KENH)
    submit(citizen, {"kenh": ["friends", "tv", "zalo"]})
    assert [value for _, value, _, _ in stored()] == ["tv", "zalo", "friends"]


def test_multiple_choice_stores_a_repeated_value_once(start, stored) -> None:
    citizen = start(KENH)
    submit(citizen, {"kenh": ["web", "web", "tv", "web"]})
    assert [value for _, value, _, _ in stored()] == ["tv", "web"]


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_yes_no_stores_yes_or_no(start, stored, answer: str) -> None:
    citizen = start("- {id: da_dung, type: yes_no, label: 'Đã dùng?'}")
    submit(citizen, {"da_dung": answer})
    assert stored() == [("da_dung", answer, None, None)]


def test_likert_stores_the_value_and_its_number(start, stored) -> None:
    citizen = start("- {id: hai_long, type: likert, label: Hài lòng, choices: hai_long}",
                    extra=SCALE)
    submit(citizen, {"hai_long": "4"})
    assert stored() == [("hai_long", "4", 4.0, None)]


def test_not_applicable_choice_on_a_scale_stores_its_value_without_a_number(
        start, stored) -> None:
    citizen = start("- {id: hai_long, type: likert, label: Hài lòng, choices: hai_long}",
                    extra=SCALE)
    submit(citizen, {"hai_long": "na"})
    assert stored() == [("hai_long", "na", None, None)]


def test_not_applicable_choice_with_a_numeric_code_stores_no_number(start, stored) -> None:
    citizen = start("""
        - id: hai_long
          type: likert
          label: Hài lòng
          choices:
            - {value: 1, label: Tệ}
            - {value: 2, label: Tốt}
            - {value: 9, label: Không áp dụng, not_applicable: true}
    """)
    submit(citizen, {"hai_long": "9"})
    assert stored() == [("hai_long", "9", None, None)]


def test_likert_with_word_codes_stores_no_number(start, stored) -> None:
    citizen = start("""
        - id: muc_do
          type: likert
          label: Mức độ
          choices: [{value: thap, label: Thấp}, {value: cao, label: Cao}]
    """)
    submit(citizen, {"muc_do": "cao"})
    assert stored() == [("muc_do", "cao", None, None)]


def test_rating_stores_the_value_and_its_number(start, stored) -> None:
    citizen = start("- {id: sao, type: rating, label: Sao, max: 10}")
    submit(citizen, {"sao": "10"})
    assert stored() == [("sao", "10", 10.0, None)]


def test_nps_zero_is_stored_as_an_answer(start, stored) -> None:
    citizen = start("- {id: gioi_thieu, type: nps, label: NPS}")
    submit(citizen, {"gioi_thieu": "0"})
    assert stored() == [("gioi_thieu", "0", 0.0, None)]


def test_matrix_stores_one_row_per_answered_row_as_question_dot_row(start, stored) -> None:
    citizen = start(MATRIX, extra=SCALE)
    submit(citizen, {"chat_luong.thu_tuc": "5", "chat_luong.can_bo": "na"})
    assert stored() == [("chat_luong.thu_tuc", "5", 5.0, None),
                        ("chat_luong.can_bo", "na", None, None)]


def test_matrix_row_left_unanswered_stores_nothing_for_that_row(start, stored) -> None:
    citizen = start(MATRIX, extra=SCALE)
    submit(citizen, {"chat_luong.can_bo": "2"})
    assert stored() == [("chat_luong.can_bo", "2", 2.0, None)]


def test_unanswered_optional_questions_store_a_response_without_answers(start, stored,
                                                                       rows) -> None:
    citizen = start(EVERY_TYPE, extra=SCALE)
    submit(citizen, {"ten": "  ", "chon": "", "nhieu": ""})
    assert rows("select form_id, language from response") == [("thu", "en")]
    assert stored() == []


def test_every_type_answered_on_one_page_stores_each_in_its_column(start, stored) -> None:
    citizen = start(EVERY_TYPE, extra=SCALE)
    submit(citizen, {
        "ten": "An", "mo_ta": "Tốt", "so": "3", "tien": "2,5", "email": "a@B.vn",
        "dt": "0912345678", "ngay": "27/11/2026", "mot": "a", "chon": "b", "nhieu": ["b", "a"],
        "co": "yes", "muc": "3", "sao": "5", "nps": "9", "chat_luong.thu_tuc": "1",
    })
    assert stored() == [
        ("ten", None, None, "An"), ("mo_ta", None, None, "Tốt"), ("so", "3", 3.0, None),
        ("tien", "2.5", 2.5, None), ("email", None, None, "a@b.vn"),
        ("dt", None, None, "0912345678"), ("ngay", "2026-11-27", None, None),
        ("mot", "a", None, None), ("chon", "b", None, None), ("nhieu", "a", None, None),
        ("nhieu", "b", None, None), ("co", "yes", None, None), ("muc", "3", 3.0, None),
        ("sao", "5", 5.0, None), ("nps", "9", 9.0, None),
        ("chat_luong.thu_tuc", "1", 1.0, None),
    ]
