"""Bad or hostile requests are refused cleanly: never a 500, never stored."""

from __future__ import annotations

from conftest import Citizen

FORM = "/f/gop-y-nhanh"


def test_post_without_csrf_token_is_refused(citizen: Citizen, rows) -> None:
    citizen.open(FORM)
    response = citizen.post(FORM, {"danh_gia": "4"}, csrf_token="")
    assert response.status_code == 403
    assert "Trang đã hết hạn" in response.text
    assert rows("select count(*) from response") == [(0,)]


def test_post_with_another_sessions_csrf_token_is_refused(make_client, rows) -> None:
    client = make_client()
    victim, attacker = Citizen(client), Citizen(client)
    victim.open(FORM)
    stolen = dict(victim.hidden)
    client.cookies.clear()
    attacker.open(FORM)
    response = attacker.post(FORM, {"danh_gia": "1"}, csrf_token=stolen["csrf_token"])
    assert response.status_code == 403
    assert rows("select count(*) from response") == [(0,)]


def test_cross_site_post_without_session_cookie_is_refused(citizen: Citizen, rows) -> None:
    citizen.open(FORM)
    citizen.client.cookies.clear()
    assert citizen.post(FORM, {"danh_gia": "4"}).status_code == 403
    assert rows("select count(*) from response") == [(0,)]


def test_session_cookie_is_httponly_and_samesite_lax(client) -> None:
    response = client.get(FORM)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_session_cookie_is_secure_when_served_over_https(make_client) -> None:
    response = make_client(https=True).get(FORM)
    assert "secure" in response.headers["set-cookie"].lower()


def test_session_cookie_has_the_host_prefix_over_https(make_client) -> None:
    cookie = make_client(https=True).get(FORM).headers["set-cookie"]
    assert cookie.startswith("__Host-vnform_session=")
    assert "path=/;" in cookie.lower() and "domain=" not in cookie.lower()


def test_session_cookie_has_no_prefix_over_plain_http(client) -> None:
    assert client.get(FORM).headers["set-cookie"].startswith("vnform_session=")


def test_missing_or_malformed_form_token_is_a_bad_request(citizen: Citizen, rows) -> None:
    citizen.open(FORM)
    assert citizen.post(FORM, {"danh_gia": "4"}, _token="").status_code == 400
    assert citizen.post(FORM, {"danh_gia": "4"}, _token="x' OR 1=1 --").status_code == 400
    assert rows("select count(*) from response") == [(0,)]


def test_body_over_the_limit_is_refused_with_413(citizen: Citizen, rows) -> None:
    citizen.open(FORM)
    response = citizen.post(FORM, {"danh_gia": "4", "gop_y": "x" * 1_100_000})
    assert response.status_code == 413
    assert "Nội dung gửi lên quá lớn" in response.text
    assert rows("select count(*) from response") == [(0,)]


def test_body_limit_is_configurable(make_client) -> None:
    citizen = Citizen(make_client(max_body_bytes=2_000))
    citizen.open(FORM)
    assert citizen.post(FORM, {"gop_y": "x" * 3_000}).status_code == 413


def test_oversized_chunked_body_without_length_is_refused(citizen: Citizen) -> None:
    citizen.open(FORM)

    def chunks():
        for _ in range(300):
            yield b"gop_y=" + b"x" * 5_000 + b"&"

    response = citizen.client.post(
        FORM, content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_false_content_length_header_is_refused_before_reading(citizen: Citizen) -> None:
    citizen.open(FORM)
    response = citizen.client.post(
        FORM, content=b"danh_gia=4",
        headers={"content-type": "application/x-www-form-urlencoded",
                 "content-length": "99999999"},
    )
    assert response.status_code == 413


def test_garbage_body_is_not_a_server_error(citizen: Citizen) -> None:
    citizen.open(FORM)
    response = citizen.client.post(
        FORM, content=b"\xff\xfe\x00garbage%%%&&==",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (400, 403)


def test_multipart_upload_is_refused_as_unsupported(citizen: Citizen, rows) -> None:
    citizen.open(FORM)
    response = citizen.client.post(
        FORM, data=citizen.hidden | {"danh_gia": "4"},
        files={"gop_y": ("a.txt", b"=cmd", "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 415
    assert rows("select count(*) from response") == [(0,)]


def test_too_many_fields_is_a_bad_request(citizen: Citizen) -> None:
    citizen.open(FORM)
    many = {f"f{i}": "x" for i in range(600)}
    assert citizen.post(FORM, {"danh_gia": "4", **many}).status_code == 400


def test_get_only_pages_refuse_other_methods(client) -> None:
    response = client.post("/")
    assert response.status_code == 405
    assert "<h1>" in response.text


def test_not_found_page_is_in_the_visitors_language(client) -> None:
    client.get("/?lang=en")
    response = client.get("/khong-co")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_form_texts_are_escaped_not_executed(make_client, write_form, forms_dir) -> None:
    write_form("""
        id: xss
        title: "<script>alert(1)</script>"
        agency: a
        questions: [{id: q, type: text, label: "<img src=x onerror=alert(1)>"}]
    """)
    page = make_client(forms_dir).get("/f/xss")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_posted_text_is_escaped_when_the_page_is_shown_again(citizen: Citizen) -> None:
    citizen.open(FORM)
    page = citizen.post(FORM, {"gop_y": '"><script>alert(1)</script>'})
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
