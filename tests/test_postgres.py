"""PostgreSQL as a first-class backend: the same paths, run against a real server.

Each test gets its own database, copied from a migrated template, on the server of
``VNFORM_TEST_POSTGRES_URL`` (see tests/conftest.py: skipped without a server, except
in CI, where its absence fails the run).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    DEMO_FORMS,
    PASSWORD,
    Citizen,
    postgres_connect,
    postgres_database,
    postgres_url,
    sign_in,
    with_store,
)
from starlette.testclient import TestClient

from vnform.app import create_app
from vnform.cli import main
from vnform.settings import Settings

pytestmark = pytest.mark.postgres

@pytest.fixture(scope="module")
def template() -> Iterator[str]:
    """A migrated template database for this module's tests."""
    with postgres_database() as name:
        assert main(["migrate", "--db", postgres_url(name)]) == 0
        yield name


@pytest.fixture
def pg_url(template: str) -> Iterator[str]:
    """A fresh database for one test, copied from the template."""
    with postgres_database(template) as name:
        yield postgres_url(name)


@pytest.fixture
def pg_rows(pg_url: str) -> Callable[..., list[tuple[Any, ...]]]:
    def query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with postgres_connect(pg_url) as db:
            return db.execute(sql, params).fetchall()

    return query


def settings(url: str, forms: Path = DEMO_FORMS, **overrides: Any) -> Settings:
    return Settings(forms_dir=forms, database_url=url, secret_key="k" * 40, **overrides)


def submit_quick(client: TestClient, rating: str, text: str = "", lang: str = "vi") -> Any:
    client.cookies.clear()
    citizen = Citizen(client)
    citizen.open(f"/f/gop-y-nhanh?lang={lang}")
    return citizen.post("/f/gop-y-nhanh", {"danh_gia": rating, "dung_gio": "yes",
                                           "gop_y": text})


def test_migrate_creates_the_schema(pg_rows) -> None:
    tables = {name for (name,) in pg_rows(
        "select table_name from information_schema.tables where table_schema = 'public'")}
    assert {"response", "answer", "draft", "form_version", "app_user", "user_session",
            "login_failure", "audit_event", "invitation", "api_token"} <= tables


def test_a_citizen_response_is_stored(pg_url, pg_rows) -> None:
    with TestClient(create_app(settings(pg_url))) as client:
        assert submit_quick(client, "5", "Rất tốt, cảm ơn!").status_code == 303
    assert pg_rows("select form_id, language from response") == [("gop-y-nhanh", "vi")]
    assert ("gop_y", None, "Rất tốt, cảm ơn!") in pg_rows(
        "select question, value, text from answer")


def test_a_multi_page_survey_keeps_its_draft_and_stores_once(pg_url, pg_rows) -> None:
    with TestClient(create_app(settings(pg_url))) as client:
        citizen = Citizen(client)
        citizen.open("/f/dvc-hai-long")
        citizen.follow(citizen.post("/f/dvc-hai-long",
                                    {"kenh": "counter", "lan_nop": "2", "dung_han": "no"}))
        citizen.follow(citizen.post("/f/dvc-hai-long/p/trai-nghiem", {"hai_long": "4"}))
        assert pg_rows("select count(*) from draft") == [(1,)]
        first = citizen.post("/f/dvc-hai-long/p/y-kien", {"gioi_thieu": "9"})
        second = citizen.post("/f/dvc-hai-long/p/y-kien", {"gioi_thieu": "9"})
        assert first.headers["location"] == second.headers["location"]
    assert pg_rows("select count(*) from response") == [(1,)]
    assert pg_rows("select count(*) from draft") == [(0,)]


def test_max_responses_holds(pg_url, pg_rows, write_form, forms_dir) -> None:
    write_form("""
        id: mot-lan
        title: Một lần
        agency: a
        max_responses: 1
        questions: [{id: q, type: text, label: Q}]
    """)
    with TestClient(create_app(settings(pg_url, forms_dir))) as client:
        for answer in ("một", "hai"):
            client.cookies.clear()
            citizen = Citizen(client)
            citizen.open("/f/mot-lan")
            citizen.post("/f/mot-lan", {"q": answer})
    assert pg_rows("select count(*) from response") == [(1,)]


def test_dashboard_figures_and_filters(pg_url, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "admin@so.gov.vn", "--role", "admin", "--password-stdin",
                 "--db", pg_url]) == 0
    with TestClient(create_app(settings(pg_url))) as client:
        for rating, lang in (("5", "vi"), ("4", "en"), ("5", "en"), ("2", "vi")):
            assert submit_quick(client, rating, lang=lang).status_code == 303
        client.cookies.clear()
        assert sign_in(client, "admin@so.gov.vn").status_code == 303
        page = client.get("/admin/forms/gop-y-nhanh")
        assert '<p class="big-number">4</p>' in page.text
        assert "50,0\u00a0%" in page.text  # two of four answered 5 (a Vietnamese page)
        filtered = client.get("/admin/forms/gop-y-nhanh?language=en", )
        assert '<p class="big-number">&lt; 5</p>' in filtered.text


def test_csv_export_is_the_same_as_on_sqlite(pg_url, tmp_path) -> None:
    def export(url: str) -> list[list[str]]:
        with TestClient(create_app(settings(url))) as client:
            for rating, text in (("5", '=1+1, "Đà Nẵng"'), ("3", "dòng một\r\ndòng hai")):
                submit_quick(client, rating, text)
        out = tmp_path / f"{uuid.uuid4().hex}.csv"
        assert main(["export", "gop-y-nhanh", "--output", str(out), "--db", url,
                     "--forms", str(DEMO_FORMS)]) == 0
        rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
        return [row[:1] + row[2:] for row in rows]  # all but the submission times

    assert export(pg_url) == export(f"sqlite://{tmp_path / 'same.sqlite3'}")


def test_indicators_are_the_same_as_on_sqlite(pg_url, tmp_path, capsys) -> None:
    def indicators(url: str) -> Any:
        with TestClient(create_app(settings(url))) as client:
            for rating in ("5", "4", "4", "3", "2", "1", "5"):
                submit_quick(client, rating)
        capsys.readouterr()
        import datetime as dt

        assert main(["indicators", "--period", str(dt.date.today().year), "--min-n", "1",
                     "--db", url, "--forms", str(DEMO_FORMS)]) == 0
        return json.loads(capsys.readouterr().out)

    on_postgres = indicators(pg_url)
    assert on_postgres == indicators(f"sqlite://{tmp_path / 'same.sqlite3'}")
    quick = next(r for r in on_postgres["indicators"]
                 if r["form"] == "gop-y-nhanh" and r["indicator"] == "satisfaction")
    assert (quick["n_valid"], quick["top2_pct"], quick["mean"]) == (7, 57.14, 3.43)


def test_responses_per_day_use_the_local_day(pg_url, pg_rows, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    main(["user", "add", "admin@so.gov.vn", "--role", "admin", "--password-stdin",
          "--db", pg_url])
    with TestClient(create_app(settings(pg_url))) as client:
        submit_quick(client, "5")
        submit_quick(client, "4")
    # 16:59 UTC is still the 20th in Ha Noi; 17:00 UTC is the 21st.
    ids = [i for (i,) in pg_rows("select id from response order by id")]
    pg_rows("update response set submitted_at = '2026-11-20 16:59:00+00' where id = %s "
            "returning id", ids[0])
    pg_rows("update response set submitted_at = '2026-11-20 17:00:00+00' where id = %s "
            "returning id", ids[1])
    # Times changed in the database: its tallies are counted again, as an operator would.
    assert main(["tallies", "rebuild", "--db", pg_url]) == 0
    assert main(["tallies", "verify", "--db", pg_url]) == 0
    with TestClient(create_app(settings(pg_url))) as client:
        sign_in(client, "admin@so.gov.vn")
        page = client.get("/admin/forms/gop-y-nhanh")
    assert "<td>20/11/2026</td><td class=\"num\">1</td>" in page.text
    assert "<td>21/11/2026</td><td class=\"num\">1</td>" in page.text


def test_sign_in_throttling_is_shared_through_the_database(pg_url, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    main(["user", "add", "admin@so.gov.vn", "--role", "admin", "--password-stdin",
          "--db", pg_url])
    with TestClient(create_app(settings(pg_url))) as client:
        for _ in range(5):
            assert sign_in(client, "admin@so.gov.vn", "sai mật khẩu rồi nhé").status_code == 401
        refused = sign_in(client, "admin@so.gov.vn")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0


def test_a_case_is_rated_once(pg_url, pg_rows, capsys, monkeypatch) -> None:
    monkeypatch.setenv("VNFORM_SECRET_KEY", "k" * 40)  # links are signed with the server's key
    assert main(["invite", "gop-y-nhanh", "--case", "HS-001", "--db", pg_url,
                 "--forms", str(DEMO_FORMS)]) == 0
    link = capsys.readouterr().out.strip().split("\t")[1]
    path = link.removeprefix("http://127.0.0.1:8000")
    with TestClient(create_app(settings(pg_url))) as client:
        for _ in range(2):
            client.cookies.clear()
            citizen = Citizen(client)
            citizen.open(path)
            citizen.post("/f/gop-y-nhanh", {"danh_gia": "5"})
    assert pg_rows("select case_code from response") == [("HS-001",)]


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A database with no schema at all."""
    with postgres_database() as name:
        yield postgres_url(name)


def test_serve_refuses_a_database_with_pending_migrations(empty_pg_url) -> None:
    with pytest.raises(RuntimeError, match="vnform migrate"):
        with TestClient(create_app(settings(empty_pg_url))):
            pass


def test_serve_with_migrate_applies_them(empty_pg_url) -> None:
    with TestClient(create_app(settings(empty_pg_url, migrate=True))) as client:
        assert submit_quick(client, "5").status_code == 303
    with TestClient(create_app(settings(empty_pg_url))) as client:  # now current
        assert client.get("/").status_code == 200


# --- planner statistics, with autovacuum off ------------------------------------------

def _lookup_plan(db: Any) -> str:
    return "\n".join(row[0] for row in db.execute("EXPLAIN EXECUTE lookup('nobody')"))


def _grow_response_table(db: Any, rows: int) -> None:
    db.execute("INSERT INTO response (form_id, form_version, token, language, submitted_at) "
               "SELECT 'f', 'v', gen_random_uuid()::text, 'vi', now() FROM generate_series(1, %s)",
               (rows,))
    db.execute("SELECT pg_stat_force_next_flush()")  # counted now, not within a second


def _refresh(url: str) -> list[str]:
    from vnform import store

    return with_store(url, store.refresh_statistics)


def test_a_plan_cached_while_the_table_was_empty_is_made_again_once_it_grew(
        pg_url: str) -> None:
    """A deployment starts on empty tables: the lookups it prepares then would scan the
    whole table for ever, without the server's own ANALYZE."""
    with postgres_connect(pg_url, autocommit=True) as db:
        db.execute("ANALYZE response")
        db.execute("PREPARE lookup(text) AS SELECT id FROM response WHERE token = $1")
        for _ in range(6):  # PostgreSQL then keeps one plan for every later run
            db.execute("EXECUTE lookup('nobody')")
        assert "Seq Scan" in _lookup_plan(db)
        _grow_response_table(db, 20_000)
        assert "Seq Scan" in _lookup_plan(db)  # the plan made on the empty table

        assert "response" in _refresh(pg_url)

        assert "Index Scan" in _lookup_plan(db)


def test_only_tables_changed_by_more_than_a_tenth_are_analyzed(pg_url: str) -> None:
    with postgres_connect(pg_url, autocommit=True) as db:
        db.execute("ANALYZE")
        _grow_response_table(db, 1_000)
    assert _refresh(pg_url) == ["response"]
    assert _refresh(pg_url) == []  # nothing changed since
    with postgres_connect(pg_url, autocommit=True) as db:
        _grow_response_table(db, 50)  # 5% more: not yet
    assert _refresh(pg_url) == []


def test_statistics_are_left_to_the_worker_analyzing_them(pg_url: str) -> None:
    from vnform.store.statistics import LOCK

    with postgres_connect(pg_url, autocommit=True) as db, \
            postgres_connect(pg_url, autocommit=True) as other_worker:
        _grow_response_table(db, 1_000)
        other_worker.execute("SELECT pg_advisory_lock(%s, %s)", LOCK)
        assert _refresh(pg_url) == []
        other_worker.execute("SELECT pg_advisory_unlock(%s, %s)", LOCK)
    assert _refresh(pg_url) == ["response"]
