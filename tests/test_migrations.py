"""Upgrading a database keeps every answer: from the first migration to the latest."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from conftest import postgres_connect, postgres_database, postgres_url
from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from vnform import store

ROWS = [
    ("insert into form_version (form_id, version, definition, created_at) "
     "values ('dong', 'v1', '{\"id\": \"dong\"}', '2026-01-02 03:04:05+00:00')"),
    ("insert into response (form_id, form_version, token, language, submitted_at) "
     "values ('dong', 'v1', 'token-aaaaaaaaaaaaaaaaaaaaaaaa', 'vi', "
     "'2026-01-02 03:04:05+00:00')"),
    ("insert into answer (response_id, form_id, question, value, number, text) "
     "values (1, 'dong', 'y_kien', null, null, 'Đà Nẵng, \"rất tốt\"; cảm ơn!')"),
    ("insert into answer (response_id, form_id, question, value, number, text) "
     "values (1, 'dong', 'diem', '5', 5, null)"),
]
CHECK = "select r.token, a.question, a.value, a.text from response r " \
        "join answer a on a.response_id = r.id order by a.id"
EXPECTED = [("token-aaaaaaaaaaaaaaaaaaaaaaaa", "y_kien", None, 'Đà Nẵng, "rất tốt"; cảm ơn!'),
            ("token-aaaaaaaaaaaaaaaaaaaaaaaa", "diem", "5", None)]


async def _first_migration_only(url: str, target: str = "vnform.0001_initial") -> None:
    try:
        await run_migrations(config=store.tortoise_config(url), target=target)
    finally:
        await Tortoise.close_connections()


#: An official's account as stored before personal-data access existed.
OFFICIAL = ("insert into app_user (email, password_hash, role, agencies, disabled, "
            "created_at) values ('can.bo@so.gov.vn', 'x', 'analyst', '[]', false, "
            "'2026-01-02 03:04:05+00:00')")
BEFORE_PERSONAL_DATA = "vnform.0007_reference_codes"


def test_upgrading_sqlite_keeps_accounts_without_personal_data_access(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    url = f"sqlite://{path}"
    asyncio.run(_first_migration_only(url, BEFORE_PERSONAL_DATA))
    with sqlite3.connect(path) as db:
        db.execute(OFFICIAL)
    asyncio.run(store.prepare(url))
    with sqlite3.connect(path) as db:
        assert db.execute("select email, personal_data from app_user").fetchall() == [
            ("can.bo@so.gov.vn", 0)]


@pytest.mark.postgres
def test_upgrading_postgres_keeps_accounts_without_personal_data_access() -> None:
    with postgres_database() as name:
        url = postgres_url(name)
        asyncio.run(_first_migration_only(url, BEFORE_PERSONAL_DATA))
        with postgres_connect(url) as db:
            db.execute(OFFICIAL)
        asyncio.run(store.prepare(url))
        with postgres_connect(url) as db:
            assert db.execute("select email, personal_data from app_user").fetchall() == [
                ("can.bo@so.gov.vn", False)]


def test_upgrading_sqlite_from_the_first_migration_keeps_the_answers(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    url = f"sqlite://{path}"
    asyncio.run(_first_migration_only(url))
    with sqlite3.connect(path) as db:
        assert "case_code" not in {c[1] for c in db.execute("pragma table_info(response)")}
        for sql in ROWS:
            db.execute(sql)
    asyncio.run(store.prepare(url))
    with sqlite3.connect(path) as db:
        assert db.execute(CHECK).fetchall() == EXPECTED
        assert db.execute("select case_code from response").fetchall() == [(None,)]
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


@pytest.mark.postgres
def test_upgrading_postgres_from_the_first_migration_keeps_the_answers() -> None:
    with postgres_database() as name:
        url = postgres_url(name)
        asyncio.run(_first_migration_only(url))
        with postgres_connect(url) as db:
            for sql in ROWS:
                db.execute(sql)
        asyncio.run(store.prepare(url))
        with postgres_connect(url) as db:
            assert db.execute(CHECK).fetchall() == EXPECTED
            assert db.execute("select case_code from response").fetchall() == [(None,)]
