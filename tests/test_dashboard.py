from conftest import Citizen, sign_in

FORM = """
id: ket-qua
title: {vi: Kết quả thử, en: Results test}
agency: so-thu
languages: [vi, en]
questions:
  - id: kenh
    type: single_choice
    label: {vi: Kênh nộp, en: Channel}
    choices:
      - {value: quay, label: {vi: Tại quầy, en: At the counter}}
      - {value: mang, label: {vi: Trực tuyến, en: Online}}
  - id: nguon
    type: multiple_choice
    label: {vi: Nguồn, en: Source}
    choices:
      - {value: tv, label: {vi: Truyền hình, en: Television}}
      - {value: web, label: Web}
  - id: tuoi
    type: integer
    label: {vi: Tuổi, en: Age}
  - id: y_kien
    type: textarea
    label: {vi: Ý kiến, en: Comments}
  - id: chat_luong
    type: matrix
    label: {vi: Chất lượng, en: Quality}
    choices: [{value: 1, label: {vi: Tệ, en: Bad}}, {value: 2, label: {vi: Tốt, en: Good}}]
    rows: [{id: thu_tuc, label: {vi: Thủ tục, en: Procedure}}, {id: can_bo, label: {vi: Cán bộ, en: Staff}}]
  - id: ngay
    type: date
    label: {vi: Ngày, en: Day}
"""


def test_explore(write_form, forms_dir, add_official, make_client, rows):
    write_form(FORM)
    add_official("a@so.gov.vn")
    client = make_client(forms_dir)
    c = Citizen(client)
    c.open("/f/ket-qua?lang=en")
    r = c.post("/f/ket-qua", {"kenh": "quay", "nguon": ["tv", "web"], "tuoi": "30", "y_kien": "=cmd",
                              "chat_luong.thu_tuc": "2", "ngay": "2026-01-15"})
    print(r.status_code, r.headers)
    print(rows("select * from response"))
    print(rows("select * from answer"))
    client.cookies.clear()
    sign_in(client, "a@so.gov.vn")
    page = client.get("/admin?lang=en")
    __import__("pathlib").Path("/tmp/explore/index.html").write_text(page.text)
    page = client.get("/admin/forms/ket-qua?language=en")
    __import__("pathlib").Path("/tmp/explore/dash.html").write_text(page.text)
    r = client.get("/admin/forms/ket-qua/export.csv")
    print(r.headers, repr(r.text))
    r = client.get("/admin/forms/ket-qua/dictionary.csv")
    print(r.headers, repr(r.text))
