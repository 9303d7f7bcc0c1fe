from conftest import sign_in
from vnform.cli import main


def test_probe(add_official, make_client, rows, database_path) -> None:
    add_official("admin@so.gov.vn")
    client = make_client()
    r = sign_in(client, "admin@so.gov.vn")
    cookie = client.cookies.get("vnform_session")
    print(client.cookies.jar)
    client.__exit__(None, None, None)
    assert main(["user", "disable", "admin@so.gov.vn", "--db", f"sqlite://{database_path}"]) == 0
    print(rows("select * from user_session"))
    client2 = make_client()
    client2.cookies.set("vnform_session", cookie, domain="testserver.local")
    r = client2.get("/admin", follow_redirects=False)
    print(r.status_code, r.headers)
    client2.__exit__(None, None, None)
    assert main(["user", "enable", "admin@so.gov.vn", "--db", f"sqlite://{database_path}"]) == 0
    client3 = make_client(https=True)
    r = client3.get("https://testserver/admin/login")
    print(r.headers)
    print(client3.cookies.jar)
    tok = r.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client3.post("https://testserver/admin/login", data={"csrf_token": tok, "email": "admin@so.gov.vn", "password": "Cà phê sữa đá mỗi sáng 7 giờ"}, follow_redirects=False)
    print(r.status_code, r.headers)
