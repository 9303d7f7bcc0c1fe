"""`vnform serve`'s first lines: where citizens and officials go, and how to create the
first official's account while there is none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import DEMO_FORMS, postgres_database, postgres_url

from vnform.cli import main
from vnform.cli.server import startup_lines
from vnform.cli.users import first_account_command
from vnform.settings import Settings

ADMIN = "admin@so.gov.vn"


def test_startup_says_where_citizens_and_officials_go() -> None:
    assert startup_lines(Settings(), 3, 1, 1, ".venv/bin/vnform") == [
        "vnform: serving 3 form(s) at http://127.0.0.1:8000 with 1 worker(s)",
        "vnform: citizens:  http://127.0.0.1:8000/",
        "vnform: officials: http://127.0.0.1:8000/admin",
    ]


def test_startup_without_an_official_says_how_to_create_the_first() -> None:
    assert startup_lines(Settings(), 3, 1, 0, ".venv/bin/vnform")[3:] == [
        "vnform: no official account yet: create the first one (an administrator) with",
        "    .venv/bin/vnform user add you@agency.gov.vn --role admin",
        "vnform: then sign in at http://127.0.0.1:8000/admin",
    ]


def test_startup_says_nothing_of_accounts_it_could_not_count() -> None:
    assert len(startup_lines(Settings(), 3, 1, None, "vnform")) == 3


def test_startup_gives_the_public_address_behind_a_proxy() -> None:
    settings = Settings(host="0.0.0.0", public_url="https://khaosat.example.gov.vn/")
    assert startup_lines(settings, 3, 1, 1, "vnform") == [
        "vnform: serving 3 form(s) at http://0.0.0.0:8000 with 1 worker(s)",
        "vnform: citizens:  https://khaosat.example.gov.vn/",
        "vnform: officials: https://khaosat.example.gov.vn/admin",
    ]


def test_startup_brackets_an_ipv6_address() -> None:
    assert startup_lines(Settings(host="::1"), 3, 1, 1, "vnform")[2] == \
        "vnform: officials: http://[::1]:8000/admin"


def test_the_first_account_command_names_a_database_other_than_the_default() -> None:
    assert first_account_command("vnform", "sqlite://var/other.sqlite3") == \
        "vnform user add you@agency.gov.vn --role admin --db sqlite://var/other.sqlite3"


def test_the_first_account_command_never_prints_a_database_password() -> None:
    command = first_account_command("vnform", "postgres://vnform:bi-mat@db.local:5432/vnform")
    assert command.endswith(" --db postgres://vnform:PASSWORD@db.local:5432/vnform")


@pytest.fixture
def serve(database_url: str, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Callable[..., list[str]]:
    """Run ``vnform serve`` up to the point where uvicorn would take over; returns the
    lines it wrote to stderr."""
    monkeypatch.setenv("VNFORM_SECRET_KEY", "k" * 40)
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.append(app))

    def run(url: str = database_url) -> list[str]:
        capsys.readouterr()
        assert main(["serve", "--db", url, "--forms", str(DEMO_FORMS)]) == 0
        assert started, "the server was not started"
        return capsys.readouterr().err.splitlines()

    return run


def test_serve_without_an_official_prints_the_command_for_the_first(serve,
                                                                    database_url) -> None:
    err = serve()
    assert "vnform: officials: http://127.0.0.1:8000/admin" in err
    assert "vnform: no official account yet: create the first one (an administrator) with" \
        in err
    assert any(line.endswith(f" user add you@agency.gov.vn --role admin --db {database_url}")
               for line in err)


def test_serve_with_an_official_does_not_ask_for_one(serve, add_official) -> None:
    add_official(ADMIN)
    err = serve()
    assert "vnform: officials: http://127.0.0.1:8000/admin" in err
    assert not any("no official account" in line for line in err)


@pytest.mark.postgres
def test_serve_leaves_a_postgres_database_unmigrated_to_refuse_it_at_start(serve) -> None:
    import asyncio

    from vnform import store

    with postgres_database() as name:
        url = postgres_url(name)
        err = serve(url)
        assert not any("no official account" in line for line in err)
        assert asyncio.run(store.pending_migrations(url))  # the server refuses to start
