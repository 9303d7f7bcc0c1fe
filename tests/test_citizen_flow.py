"""The citizen's journey: listing, pages, navigation, languages, form states, submitting."""

from __future__ import annotations

import datetime as dt
import json
import re

from conftest import Citizen, errors

SURVEY = "/f/dvc-hai-long"
EXPERIENCE = "/f/dvc-hai-long/p/trai-nghiem"
VIEWS = "/f/dvc-hai-long/p/y-kien"
FIRST_PAGE = {"kenh": "online", "lan_nop": "1", "dung_han": "yes"}


def test_home_lists_open_forms_with_agency_and_time(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Khảo sát mức độ hài lòng về dịch vụ công trực tuyến" in page.text
    assert "Sở Thông tin và Truyền thông Hà Nội" in page.text  # its name, from agencies.yaml
    assert "so-tttt-ha-noi" not in page.text
    assert re.search(r"Khoảng \d+ phút", page.text)
    assert 'href="/f/gop-y-nhanh"' in page.text


def test_home_leaves_out_draft_and_closed_forms(make_client, write_form, forms_dir) -> None:
    write_form("""
        id: nhap
        title: Bản nháp
        agency: a
        status: draft
        questions: [{id: q, type: text, label: Q}]
    """)
    write_form("""
        id: da-dong
        title: Đã đóng
        agency: a
        status: closed
        questions: [{id: q, type: text, label: Q}]
    """)
    write_form("""
        id: mo
        title: Đang mở
        agency: a
        questions: [{id: q, type: text, label: Q}]
    """)
    page = make_client(forms_dir).get("/")
    assert "Đang mở" in page.text
    assert "Bản nháp" not in page.text and "Đã đóng" not in page.text


def test_form_shows_its_first_page_directly(client) -> None:
    page = client.get(SURVEY, follow_redirects=False)
    assert page.status_code == 200
    assert "Ông/Bà nộp hồ sơ qua kênh nào?" in page.text
    assert "Bước 1/3" in page.text


def test_form_pages_default_to_the_forms_first_language(client) -> None:
    page = client.get(SURVEY)
    assert '<html lang="vi">' in page.text
    assert "Tiếp tục" in page.text


def test_language_switch_changes_form_and_interface_text(client) -> None:
    page = client.get(SURVEY + "?lang=en")
    assert '<html lang="en">' in page.text
    assert "How did you submit your application?" in page.text
    assert "Continue" in page.text and "Tiếp tục" not in page.text


def test_chosen_language_is_remembered_for_the_visit(client) -> None:
    client.get(SURVEY + "?lang=en")
    assert '<html lang="en">' in client.get("/f/gop-y-nhanh").text
    assert '<html lang="en">' in client.get("/").text


def test_language_switch_links_to_the_other_language(client) -> None:
    page = client.get(SURVEY)
    assert re.search(r'<a href="[^"]*lang=en" lang="en" hreflang="en">English</a>', page.text)


def test_form_in_one_language_ignores_a_request_for_another(make_client, write_form,
                                                            forms_dir) -> None:
    write_form("""
        id: chi-tieng-viet
        title: Chỉ tiếng Việt
        agency: a
        languages: [vi]
        questions: [{id: q, type: text, label: Câu hỏi}]
    """)
    page = make_client(forms_dir).get("/f/chi-tieng-viet?lang=en")
    assert '<html lang="vi">' in page.text
    assert "hreflang" not in page.text


def test_next_moves_to_the_second_page(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    response = citizen.post(SURVEY, FIRST_PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == EXPERIENCE
    assert "Bước 2/3" in citizen.follow(response).text


def test_pressing_enter_without_a_button_value_means_next(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    response = citizen.post(SURVEY, FIRST_PAGE)  # no _action field at all
    assert response.headers["location"].endswith("/p/trai-nghiem")


def test_the_default_button_comes_first_so_enter_presses_continue(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    page = citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    buttons = re.findall(r'<button[^>]*value="(\w+)"', page.text)
    assert buttons == ["next", "back"]


def test_a_later_page_cannot_be_opened_before_earlier_ones(citizen: Citizen) -> None:
    response = citizen.client.get(VIEWS, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == SURVEY


def test_back_returns_to_the_previous_page_with_its_answers(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    back = citizen.post(EXPERIENCE, {"hai_long": "4"}, action="back")
    assert back.headers["location"] == SURVEY
    page = citizen.follow(back)
    assert 'value="online" checked' in page.text
    assert 'value="1"' in page.text  # lan_nop


def test_back_keeps_the_answers_given_on_the_page_being_left(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    citizen.post(EXPERIENCE, {"hai_long": "2"}, action="back")
    page = citizen.open(EXPERIENCE)
    assert re.search(r'name="hai_long" value="2" checked', page.text)


def test_back_does_not_demand_required_answers(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    assert citizen.post(EXPERIENCE, {}, action="back").status_code == 303


def test_errors_keep_the_citizen_on_the_page_with_answers_kept(citizen: Citizen) -> None:
    citizen.open(SURVEY + "?lang=en")
    page = citizen.post(SURVEY, {"kenh": "online", "lan_nop": "abc"})
    assert page.status_code == 200
    assert errors(page) == ["Enter a whole number, like 12", "Select an answer"]
    assert 'value="online" checked' in page.text
    assert 'value="abc"' in page.text


def test_show_if_question_is_required_only_when_shown(citizen: Citizen) -> None:
    citizen.open(SURVEY + "?lang=en")
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    page = citizen.post(EXPERIENCE, {"hai_long": "4"})
    assert errors(page) == ["Select an answer"]  # de_dang shows for online applications


def test_show_if_question_hidden_by_an_earlier_page_is_not_rendered(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    page = citizen.follow(citizen.post(SURVEY, {**FIRST_PAGE, "kenh": "counter"}))
    assert 'name="de_dang"' not in page.text
    assert citizen.post(EXPERIENCE, {"hai_long": "4"}).status_code == 303


def test_answers_to_hidden_questions_are_dropped_not_stored(citizen: Citizen, rows) -> None:
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, {**FIRST_PAGE, "kenh": "counter"}))
    citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "4", "de_dang": "1",
                                             "kho_khan": "login"}))
    citizen.post(VIEWS, {"lien_he": "no", "dien_thoai": "0912345678"})
    stored = {q for (q,) in rows("select question from answer")}
    assert stored == {"kenh", "lan_nop", "dung_han", "hai_long", "lien_he"}


def test_a_condition_on_the_same_page_is_evaluated_live(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "4", "de_dang": "5"}))
    page = citizen.page
    block = re.search(r'<div class="question"[^>]*id="question-dien_thoai"[^>]*>', page.text)
    assert block and "data-show-if" in block.group(0)
    assert "js-show-if-note" in page.text


def test_same_page_condition_makes_its_question_required_when_true(citizen: Citizen) -> None:
    citizen.open(SURVEY + "?lang=en")
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "4", "de_dang": "5"}))
    # The phone number is personal data: required once the citizen agreed to give it.
    page = citizen.post(VIEWS, {"lien_he": "yes", "consent": "yes"})
    assert errors(page) == ["Enter an answer"]


def test_earlier_answers_used_by_live_conditions_are_given_to_the_page(citizen: Citizen) -> None:
    citizen.open(SURVEY)
    page = citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    assert """data-answers='{"kenh": "online"}'""" in page.text


def test_completing_every_page_stores_one_response(citizen: Citizen, rows) -> None:
    citizen.open(SURVEY + "?lang=en")
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "5", "de_dang": "4"}))
    done = citizen.post(VIEWS, {"gioi_thieu": "10", "gop_y": "Rất nhanh chóng"})
    assert done.headers["location"] == "/f/dvc-hai-long/thanks"
    (response,) = rows("select form_id, language, length(form_version) from response")
    assert response == ("dvc-hai-long", "en", 12)
    answers = dict(rows("select question, coalesce(value, text) from answer"))
    assert answers == {"kenh": "online", "lan_nop": "1", "dung_han": "yes", "hai_long": "5",
                       "de_dang": "4", "gioi_thieu": "10", "gop_y": "Rất nhanh chóng"}


def test_submitting_ends_on_a_thank_you_page_with_a_reference(citizen: Citizen) -> None:
    citizen.open("/f/gop-y-nhanh")
    page = citizen.follow(citizen.post("/f/gop-y-nhanh", {"danh_gia": "4"}))
    assert "Cảm ơn Ông/Bà đã góp ý" in page.text
    assert re.search(r"Mã tham chiếu: <strong>[A-Z2-7]{4}-[A-Z2-7]{4}</strong>", page.text)


def test_posting_the_same_page_twice_stores_one_response(citizen: Citizen, rows) -> None:
    citizen.open("/f/gop-y-nhanh")
    first = citizen.post("/f/gop-y-nhanh", {"danh_gia": "4"})
    second = citizen.post("/f/gop-y-nhanh", {"danh_gia": "4"})
    assert first.headers["location"] == second.headers["location"]
    assert rows("select count(*) from response") == [(1,)]


def test_after_submitting_the_form_starts_afresh(citizen: Citizen, rows) -> None:
    citizen.open("/f/gop-y-nhanh")
    citizen.post("/f/gop-y-nhanh", {"danh_gia": "4"})
    citizen.open("/f/gop-y-nhanh")
    citizen.post("/f/gop-y-nhanh", {"danh_gia": "2"})
    assert rows("select count(*) from response") == [(2,)]


def test_unfinished_answers_are_kept_on_the_server_not_in_the_cookie(citizen: Citizen,
                                                                     rows) -> None:
    citizen.open(SURVEY)
    citizen.post(SURVEY, FIRST_PAGE)
    ((answers,),) = rows("select answers from draft")
    assert json.loads(answers)["kenh"] == "online"
    assert "online" not in citizen.client.cookies.get("vnform_session", "")


def test_draft_is_removed_once_the_response_is_stored(citizen: Citizen, rows) -> None:
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, {**FIRST_PAGE, "kenh": "counter"}))
    citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "4"}))
    citizen.post(VIEWS, {})
    assert rows("select count(*) from draft") == [(0,)]


def test_review_page_shows_answers_before_sending(citizen: Citizen, rows) -> None:
    form = "/f/tat-ca-loai-cau-hoi"
    citizen.open(form + "?lang=en")
    # The full name is personal data: given with the citizen's agreement to the notice.
    citizen.follow(citizen.post(form, {"ho_ten": "Nguyễn Văn An", "consent": "yes"}))
    citizen.follow(citizen.post(form + "/p/lua-chon", {"linh_vuc": "dat-dai", "da_dung": "no",
                                                        "kenh_thong_tin": "web"}))
    review = citizen.post(form + "/p/thang-do", {"hai_long": "4"})
    assert review.headers["location"] == "/f/tat-ca-loai-cau-hoi/review"
    page = citizen.follow(review)
    assert "Check your answers before sending" in page.text
    assert "Nguyễn Văn An" in page.text and "Land" in page.text
    assert rows("select count(*) from response") == [(0,)]
    done = citizen.post(form + "/review", {})
    assert done.headers["location"].endswith("/thanks")
    assert rows("select count(*) from response") == [(1,)]


def test_review_page_needs_every_page_first(citizen: Citizen) -> None:
    response = citizen.client.get("/f/tat-ca-loai-cau-hoi/review", follow_redirects=False)
    assert response.headers["location"] == "/f/tat-ca-loai-cau-hoi"


def test_review_change_link_goes_back_to_the_page(citizen: Citizen) -> None:
    form = "/f/tat-ca-loai-cau-hoi"
    citizen.open(form)
    citizen.follow(citizen.post(form, {}))
    citizen.follow(citizen.post(form + "/p/lua-chon", {"linh_vuc": "dat-dai", "da_dung": "no"}))
    page = citizen.follow(citizen.post(form + "/p/thang-do", {"hai_long": "4"}))
    assert 'href="/f/tat-ca-loai-cau-hoi/p/lua-chon?return=review"' in page.text


def test_changing_an_answer_from_the_review_page_returns_to_it(citizen: Citizen) -> None:
    form = "/f/tat-ca-loai-cau-hoi"
    citizen.open(form)
    citizen.follow(citizen.post(form, {}))
    citizen.follow(citizen.post(form + "/p/lua-chon", {"linh_vuc": "dat-dai", "da_dung": "no"}))
    citizen.follow(citizen.post(form + "/p/thang-do", {"hai_long": "4"}))
    page = citizen.open(form + "/p/lua-chon?return=review")
    assert 'name="_return" value="review"' in page.text
    back = citizen.post(form + "/p/lua-chon", {"linh_vuc": "ho-tich", "da_dung": "no",
                                               "_return": "review"})
    assert back.headers["location"] == form + "/review"
    assert "Hộ tịch" in citizen.follow(back).text


def test_a_multi_page_form_says_continue_until_its_last_page(citizen: Citizen) -> None:
    first = citizen.open(SURVEY)
    assert re.search(r'value="next">\s*Tiếp tục', first.text)
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    last = citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "4", "de_dang": "4"}))
    assert re.search(r'value="next">\s*Gửi', last.text)


def test_a_flow_ending_early_shows_the_answers_before_sending(make_client, write_form,
                                                               forms_dir, rows) -> None:
    write_form("""
        id: ngan
        title: Ngắn
        agency: a
        pages:
          - id: mot
            questions: [{id: co, type: yes_no, label: "Có dùng?", required: true}]
          - id: hai
            questions: [{id: vi_sao, type: text, label: "Vì sao?", show_if: co == "yes"}]
    """)
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/ngan")
    response = citizen.post("/f/ngan", {"co": "no"})
    assert response.headers["location"] == "/f/ngan/review"
    assert rows("select count(*) from response") == [(0,)]
    citizen.follow(response)
    assert citizen.post("/f/ngan/review", {}).headers["location"] == "/f/ngan/thanks"
    assert rows("select question, value from answer") == [("co", "no")]


def test_form_without_review_has_no_review_page(client) -> None:
    assert client.get("/f/gop-y-nhanh/review").status_code == 404


def test_unknown_form_and_unknown_page_are_not_found(client) -> None:
    assert client.get("/f/khong-co").status_code == 404
    assert client.get("/f/dvc-hai-long/p/khong-co").status_code == 404


def test_draft_form_is_not_public(make_client, write_form, forms_dir) -> None:
    write_form("""
        id: nhap
        title: Bản nháp
        agency: a
        status: draft
        questions: [{id: q, type: text, label: Q}]
    """)
    assert make_client(forms_dir).get("/f/nhap").status_code == 404


def _closed_form(write_form, **keys: str) -> None:
    extra = "\n".join(f"{k}: {v}" for k, v in keys.items())
    write_form(f"""
id: dong
title: Khảo sát
agency: a
{extra}
questions: [{{id: q, type: text, label: Q}}]
""")


def test_closed_form_shows_a_closed_page_and_stores_nothing(make_client, write_form, forms_dir,
                                                            rows) -> None:
    _closed_form(write_form, status="closed")
    client = make_client(forms_dir)
    page = client.get("/f/dong")
    assert page.status_code == 200
    assert "Khảo sát đã đóng và không nhận thêm câu trả lời." in page.text
    assert 'name="q"' not in page.text
    posted = Citizen(client).post("/f/dong", {"q": "x", "_token": "a" * 32})
    assert posted.status_code == 403
    assert rows("select count(*) from response") == [(0,)]


def test_form_before_its_opening_date_is_not_open_yet(make_client, write_form,
                                                      forms_dir) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    _closed_form(write_form, opens_at=tomorrow.isoformat())
    page = make_client(forms_dir).get("/f/dong")
    assert "Khảo sát chưa mở." in page.text
    assert tomorrow.strftime("%d/%m/%Y") in page.text


def test_form_after_its_closing_date_is_closed(make_client, write_form, forms_dir) -> None:
    _closed_form(write_form, closes_at="2020-12-31")
    assert "Khảo sát đã đóng" in make_client(forms_dir).get("/f/dong").text


def test_closing_date_is_inclusive(make_client, write_form, forms_dir) -> None:
    _closed_form(write_form, closes_at=(dt.date.today() + dt.timedelta(days=1)).isoformat())
    assert 'name="q"' in make_client(forms_dir).get("/f/dong").text


def test_form_that_reached_max_responses_closes(make_client, write_form, forms_dir,
                                                rows) -> None:
    _closed_form(write_form, max_responses="1")
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/dong")
    assert citizen.post("/f/dong", {"q": "một"}).status_code == 303
    page = citizen.open("/f/dong")
    assert "đã nhận đủ số câu trả lời" in page.text
    assert citizen.post("/f/dong", {"q": "hai", "_token": "b" * 32}).status_code == 403
    assert rows("select count(*) from response") == [(1,)]


def test_broken_form_file_is_refused_and_the_others_served(make_client, write_form,
                                                           forms_dir) -> None:
    write_form("""
        id: hong
        title: Hỏng
        agency: a
        questions: [{id: q, type: textt, label: Q}]
    """)
    write_form("""
        id: tot
        title: Tốt
        agency: a
        questions: [{id: q, type: text, label: Q}]
    """)
    client = make_client(forms_dir)
    assert client.get("/f/hong").status_code == 404
    assert client.get("/f/tot").status_code == 200


def test_each_form_version_is_stored_once(make_client, write_form, forms_dir, rows) -> None:
    _closed_form(write_form)
    make_client(forms_dir)
    make_client(forms_dir)
    assert rows("select form_id, count(*) from form_version group by form_id") == [("dong", 1)]


def test_a_changed_form_gets_a_new_version_and_old_answers_stay(make_client, write_form,
                                                                forms_dir, rows) -> None:
    _closed_form(write_form)
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/dong")
    citizen.post("/f/dong", {"q": "trước"})
    write_form("id: dong\ntitle: Khảo sát\nagency: a\n"
               "questions: [{id: q, type: text, label: Câu hỏi mới}]\n")
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/dong")
    citizen.post("/f/dong", {"q": "sau"})
    versions = rows("select distinct form_version from response")
    assert len(versions) == 2
    assert rows("select count(*) from form_version") == [(2,)]


def test_a_changed_setting_keeps_the_version(make_client, write_form, forms_dir,
                                             rows) -> None:
    _closed_form(write_form)
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/dong")
    citizen.post("/f/dong", {"q": "trước"})
    _closed_form(write_form, description="Mô tả mới", max_responses="100")
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/dong")
    citizen.post("/f/dong", {"q": "sau"})
    assert len(rows("select distinct form_version from response")) == 1
    assert rows("select count(*) from form_version") == [(1,)]


def test_health_endpoint_reports_forms(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "forms": 4}


def test_error_summary_names_each_question_and_links_to_its_field(citizen: Citizen) -> None:
    from conftest import summary_links

    citizen.open(SURVEY + "?lang=en")
    page = citizen.post(SURVEY, {"lan_nop": "abc"})
    assert summary_links(page) == [
        ("q-kenh", "How did you submit your application? – Select an answer"),
        ("q-lan_nop", "How many times did you have to submit or supplement your file? – "
                      "Enter a whole number, like 12"),
        ("q-dung_han", "Did you receive the result on time? – Select an answer"),
    ]
    assert 'id="q-kenh"' in page.text and 'id="q-lan_nop"' in page.text


def test_back_keeps_an_invalid_answer_and_shows_its_error_on_return(citizen: Citizen) -> None:
    citizen.open(SURVEY + "?lang=en")
    citizen.follow(citizen.post(SURVEY, FIRST_PAGE))
    citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "4", "de_dang": "4"}))
    citizen.post(VIEWS, {"gop_y": "x" * 2001}, action="back")
    page = citizen.open(VIEWS)
    assert "x" * 2001 in page.text
    assert errors(page) == ["Enter 2000 characters or fewer (remove 1)"]


def test_a_token_from_another_visit_is_refused(make_client, rows) -> None:
    client = make_client()
    first = Citizen(client)
    first.open("/f/gop-y-nhanh")
    other_token = first.hidden["_token"]
    client.cookies.clear()
    second = Citizen(client)
    second.open("/f/gop-y-nhanh")
    assert second.post("/f/gop-y-nhanh", {"danh_gia": "3"},
                       _token=other_token).status_code == 403
    assert rows("select count(*) from response") == [(0,)]


def _two_versions(write_form, extra_choice: bool) -> None:
    third = "\n          - {value: c, label: C}" if extra_choice else ""
    write_form(f"""
id: doi
title: Đổi
agency: a
review: true
pages:
  - id: mot
    questions:
      - id: kenh
        type: single_choice
        label: Kênh
        choices:
          - {{value: a, label: A}}
          - {{value: b, label: B}}{third}
  - id: hai
    questions: [{{id: ten, type: text, label: Tên}}]
""")


def test_answers_given_under_an_older_version_are_checked_again(make_client, write_form,
                                                                forms_dir, rows) -> None:
    _two_versions(write_form, extra_choice=True)
    citizen = Citizen(make_client(forms_dir))
    citizen.open("/f/doi")
    citizen.follow(citizen.post("/f/doi", {"kenh": "c"}))
    citizen.follow(citizen.post("/f/doi/p/hai", {"ten": "An"}))
    _two_versions(write_form, extra_choice=False)  # the official removes choice "c"
    client = make_client(forms_dir)
    client.cookies = citizen.client.cookies
    citizen.client = client
    review = client.get("/f/doi/review", follow_redirects=False)
    assert review.status_code == 303
    assert review.headers["location"] == "/f/doi?incomplete=1"
    page = citizen.open(review.headers["location"])
    assert errors(page) == ["Chọn một trong các mục được liệt kê"]
    assert rows("select count(*) from response") == [(0,)]


def test_pages_link_by_path_so_they_work_behind_an_https_proxy(make_client) -> None:
    page = make_client(https=True).get("/f/gop-y-nhanh")
    assert 'href="/static/css/vnform.css"' in page.text
    assert "http://" not in page.text


def test_pages_with_answers_are_not_cached(citizen: Citizen) -> None:
    assert citizen.open(SURVEY).headers["cache-control"] == "no-store"


def test_the_same_token_with_other_answers_is_refused_and_nothing_changes(citizen: Citizen,
                                                                          rows) -> None:
    citizen.open("/f/gop-y-nhanh")
    first = citizen.post("/f/gop-y-nhanh", {"danh_gia": "4", "gop_y": "Tốt"})
    assert first.status_code == 303
    other = citizen.post("/f/gop-y-nhanh", {"danh_gia": "1", "gop_y": "Tệ"})
    assert other.status_code == 409
    assert "Câu trả lời này đã được gửi trước đó" in other.text
    assert rows("select count(*) from response") == [(1,)]
    assert sorted(rows("select question, coalesce(value, text) from answer")) == [
        ("danh_gia", "4"), ("gop_y", "Tốt")]


def test_the_same_token_with_the_same_answers_leads_to_the_same_page(citizen: Citizen) -> None:
    citizen.open("/f/gop-y-nhanh")
    first = citizen.post("/f/gop-y-nhanh", {"danh_gia": "4", "gop_y": "  Tốt "})
    again = citizen.post("/f/gop-y-nhanh", {"danh_gia": "4", "gop_y": "Tốt"})
    assert (first.status_code, again.status_code) == (303, 303)
    assert first.headers["location"] == again.headers["location"]


def test_a_last_page_posted_again_with_other_answers_is_refused(citizen: Citizen,
                                                                rows) -> None:
    citizen.open(SURVEY)
    citizen.follow(citizen.post(SURVEY, {**FIRST_PAGE, "kenh": "counter"}))
    citizen.follow(citizen.post(EXPERIENCE, {"hai_long": "4"}))
    assert citizen.post(VIEWS, {"gioi_thieu": "9"}).status_code == 303
    assert citizen.post(VIEWS, {"gioi_thieu": "9"}).status_code == 303
    assert citizen.post(VIEWS, {"gioi_thieu": "2"}).status_code == 409
    assert rows("select value from answer where question = 'gioi_thieu'") == [("9",)]
