from conftest import Citizen, errors


def test_one_page_form_stores_a_response(citizen: Citizen, rows) -> None:
    page = citizen.open("/f/gop-y-nhanh")
    assert page.status_code == 200
    done = citizen.post("/f/gop-y-nhanh", {"danh_gia": "5", "gop_y": "Tốt lắm"})
    assert done.status_code == 303, errors(done)
    assert rows("select form_id from response") == [("gop-y-nhanh",)]
