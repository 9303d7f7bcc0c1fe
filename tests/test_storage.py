"""The database: created and migrated by every command, in WAL mode with full sync."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import DEMO_FORMS
from starlette.testclient import TestClient

from vnform.app import create_app
from vnform.cli import main
from vnform.settings import Settings

TABLES = {"form_version", "response", "answer", "draft", "app_user", "user_session",
          "login_failure", "audit_event"}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {name for (name,) in db.execute("select name from sqlite_master "
                                                "where type = 'table'")}


def test_migrate_creates_every_table_in_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "vnform.sqlite3"
    assert main(["migrate", "--db", f"sqlite://{path}"]) == 0
    assert TABLES <= tables(path)


def test_migrate_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "vnform.sqlite3"
    main(["migrate", "--db", f"sqlite://{path}"])
    assert main(["migrate", "--db", f"sqlite://{path}"]) == 0
    assert TABLES <= tables(path)


def test_serving_an_empty_database_creates_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "served.sqlite3"
    settings = Settings(forms_dir=DEMO_FORMS, database_url=f"sqlite://{path}",
                        secret_key="k" * 40)
    with TestClient(create_app(settings)) as client:
        assert client.get("/").status_code == 200
    assert TABLES <= tables(path)


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    main(["migrate", "--db", f"sqlite://{path}"])
    with sqlite3.connect(path) as db:
        assert db.execute("pragma journal_mode").fetchone() == ("wal",)
