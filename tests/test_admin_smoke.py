from conftest import sign_in


def test_an_official_signs_in_and_sees_the_forms(add_official, make_client) -> None:
    add_official("admin@so.gov.vn")
    client = make_client()
    response = sign_in(client, "admin@so.gov.vn")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    page = client.get("/admin")
    assert page.status_code == 200
    assert "gop-y-nhanh" in page.text and "dvc-hai-long" in page.text
