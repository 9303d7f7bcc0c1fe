"""Shared fixtures: the app over real HTTP with a real database, and a citizen.

The database is a new SQLite file per test, or with ``--database=postgres`` (or
``VNFORM_TEST_DATABASE=postgres``) one PostgreSQL database, made from a migrated
template and emptied after each test.
"""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from vnform.app import create_app
from vnform.forms.loader import load_text
from vnform.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEMO_FORMS = ROOT / "forms"


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    path = tmp_path / "forms"
    path.mkdir()
    return path


@pytest.fixture
def write_form(forms_dir: Path) -> Callable[..., Path]:
    """Write a form file (dedented YAML) into ``forms_dir``; returns its path."""

    def write(text: str, name: str | None = None) -> Path:
        text = textwrap.dedent(text).lstrip("\n")
        if name is None:
            match = re.search(r"^id:\s*(\S+)", text, re.M)
            name = f"{match.group(1) if match else 'form'}.yaml"
        path = forms_dir / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database", choices=("sqlite", "postgres"),
        default=os.environ.get("VNFORM_TEST_DATABASE", "sqlite"),
        help="engine behind the tests' database (default: $VNFORM_TEST_DATABASE or sqlite);"
             " with postgres, only the tests that use a database run")


def engine_of(config: pytest.Config) -> str:
    return str(config.getoption("--database"))


def pytest_report_header(config: pytest.Config) -> str:
    if engine_of(config) == "postgres":
        return f"database: PostgreSQL at {POSTGRES_SERVER}, emptied after each test"
    return "database: SQLite, a new file per test"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Against PostgreSQL, run only the tests that use the test database: the others
    (pure functions, SQLite files of their own, the PostgreSQL-only tests) gain nothing
    from a second run."""
    if engine_of(config) != "postgres":
        return
    keep = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if item not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session")
def migrated_database(request: pytest.FixtureRequest,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database at the latest migration, made once per test run: a SQLite file
    path, or the name of a PostgreSQL database to use as a template."""
    import asyncio

    from vnform import store

    if engine_of(request.config) == "postgres":
        with postgres_database() as name:
            asyncio.run(store.prepare(postgres_url(name)))
            yield name
        return
    path = tmp_path_factory.mktemp("template") / "vnform.sqlite3"
    asyncio.run(store.prepare(f"sqlite://{path}"))
    yield str(path)


@pytest.fixture
def database_path(request: pytest.FixtureRequest, tmp_path: Path,
                  migrated_database: str) -> Path:
    """The test's own SQLite file: a copy of the migrated template (running every
    migration for every test would cost more than the test itself). Tests of SQLite
    itself ask for this; against PostgreSQL they are skipped."""
    import shutil

    if engine_of(request.config) == "postgres":
        pytest.skip("tests the SQLite file itself")
    path = tmp_path / "var" / "vnform.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_database, path)
    return path


@pytest.fixture(scope="session")
def shared_postgres_database(migrated_database: str) -> Iterator[str]:
    """The PostgreSQL database the tests take turns on, emptied after each."""
    with postgres_database(template=migrated_database) as name:
        yield name


@pytest.fixture
def database_url(request: pytest.FixtureRequest, migrated_database: str) -> Iterator[str]:
    """The URL of the test's own database, on the engine chosen by ``--database``.

    On PostgreSQL every test finds the database empty: its tables are truncated (and
    their ids restarted) after each test, which costs far less than a new database. A
    test that leaves a transaction open fails at teardown rather than hang the run.

    After each test, its tallies are recounted from the raw answers
    (``vnform tallies verify``): a difference fails the test."""
    if engine_of(request.config) != "postgres":
        url = f"sqlite://{request.getfixturevalue('database_path')}"
        yield url
        _tallies_match(url)
        return
    name = request.getfixturevalue("shared_postgres_database")
    url = postgres_url(name)
    try:
        yield url
        _tallies_match(url)
    finally:
        _empty(url)


def _tallies_match(url: str) -> None:
    """Every test leaves tallies that a recount of the raw answers confirms: whatever
    path stored its responses, the figures officials read are the answers' own."""
    if url.startswith("sqlite://") and not Path(url.removeprefix("sqlite://")).exists():
        return
    found = Database(url).verify()
    assert not found, "tallies differ from the raw answers:\n" + "\n".join(map(str, found))


def _empty(url: str) -> None:
    with postgres_connect(url, autocommit=True) as db:
        tables = [t for (t,) in db.execute(
            "select tablename from pg_tables where schemaname = 'public'"
            " and tablename <> 'tortoise_migrations'")]
        db.execute("set lock_timeout = '5s'")
        names = ", ".join(f'"{table}"' for table in tables)
        db.execute(f"truncate {names} restart identity cascade")


class Database:
    """The test database reached with the engine's own driver, as an operator would:
    SQL with ``?`` placeholders, the same text on SQLite and PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = not url.startswith("sqlite://")

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """One connection and transaction, committed when the block ends."""
        if self.postgres:
            with postgres_connect(self.url) as connection:
                yield _PostgresCursor(connection)
            return
        connection = sqlite3.connect(self.url.removeprefix("sqlite://"))
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """The rows of a query, with values as SQLite keeps them on both engines (times
        and JSON as text), so that tests read one representation. A statement that
        changes responses or answers is followed by a recount of the tallies, as an
        operator's change would be (``vnform tallies rebuild``)."""
        with self.connect() as db:
            cursor = db.execute(sql, params)
            found = [] if cursor.description is None else \
                [tuple(map(_as_sqlite_keeps, row)) for row in cursor.fetchall()]
        if _changes_responses(sql):
            self.retally()
        return found

    def execute(self, sql: str, *params: Any) -> None:
        self.rows(sql, *params)

    def moment(self, at: Any) -> Any:
        """A timestamp as the ORM stores it on this engine (SQLite keeps text)."""
        import datetime as dt

        at = at.astimezone(dt.UTC)
        return at if self.postgres else at.isoformat(sep=" ")

    def retally(self, *form_ids: str) -> None:
        """Count the tallies of *form_ids* (default: every form) again from the raw rows,
        as ``vnform tallies rebuild`` does: after a test wrote responses straight into
        the database, its results pages show them."""
        from zoneinfo import ZoneInfo

        from vnform import store

        async def rebuild() -> None:
            await store.rebuild(ZoneInfo(Settings().timezone), form_ids or None)

        with_store(self.url, rebuild)

    def verify(self) -> list[Any]:
        """The differences between the tallies and a recount of the raw rows."""
        from zoneinfo import ZoneInfo

        from vnform import store

        async def verify() -> list[Any]:
            return await store.verify(ZoneInfo(Settings().timezone))

        return with_store(self.url, verify)


def _changes_responses(sql: str) -> bool:
    words = sql.lower().split()
    return bool(words) and words[0] in ("insert", "update", "delete") \
        and any(table in words[:4] for table in ("response", "answer"))


def with_store(url: str, work: Callable[[], Any]) -> Any:
    """Run *work* (a coroutine function using ``vnform.store``) on the database at *url*,
    in a tortoise context of its own: an app running in the test is not disturbed."""
    import asyncio

    from tortoise.context import TortoiseContext

    from vnform import store

    async def run() -> Any:
        async with TortoiseContext() as context:
            await context.init(config=store.tortoise_config(url, 1, None))
            return await work()

    return asyncio.run(run())


def _as_sqlite_keeps(value: Any) -> Any:
    import datetime as dt
    import json

    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(" ")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


class _PostgresCursor:
    """A psycopg connection with sqlite3's ``execute(sql, params)`` and ``?`` marks."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if params:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.connection.execute(sql, params or None)


def insert(db: Any, sql: str, *params: Any) -> int:
    """Run an INSERT on a connection from ``Database.connect``; returns the new id."""
    return int(db.execute(sql + " returning id", params).fetchone()[0])


def copy_response(db: Any, source: int = 1, language: str | None = None) -> int:
    """A new response without answers, a copy of response *source* (form, version, time,
    and language unless given), on a connection from ``Database.connect``; returns its id."""
    return insert(
        db, "insert into response (form_id, form_version, token, language, submitted_at)"
        " select form_id, form_version, ?, coalesce(?, language), submitted_at from response"
        " where id = ?", f"copy-{uuid.uuid4().hex}", language, source)


@pytest.fixture
def database(database_url: str) -> Database:
    return Database(database_url)


@pytest.fixture
def settings_for(database_url: str) -> Callable[..., Settings]:
    def make(forms: Path = DEMO_FORMS, **overrides: Any) -> Settings:
        # The daily purge runs where a test asks for it (test_retention), not at every
        # start of an app beside what a test does.
        return Settings(
            forms_dir=forms, database_url=database_url,
            secret_key="test-secret-key-" + "x" * 32, **({"daily_jobs": False} | overrides),
        )

    return make


@pytest.fixture
def make_client(settings_for: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    """Start the app (lifespan included) on a forms folder; stopped after the test.

    Starting another app stops the previous one first, as a redeploy would (the ORM
    keeps one global connection set per process).
    """
    running: list[ExitStack] = []

    def make(forms: Path = DEMO_FORMS, **overrides: Any) -> TestClient:
        while running:
            running.pop().close()
        stack = ExitStack()
        running.append(stack)
        return stack.enter_context(TestClient(create_app(settings_for(forms, **overrides))))

    yield make
    while running:
        running.pop().close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """The app serving the demo forms in ``forms/``."""
    return make_client()


@pytest.fixture
def rows(database: Database) -> Callable[..., list[tuple[Any, ...]]]:
    """Run SQL (``?`` placeholders) against the app's database, as an operator would."""
    return database.rows


class Citizen:
    """A person filling forms through the HTTP interface, one page at a time."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.hidden: dict[str, str] = {}
        self.page: Any = None

    def open(self, url: str) -> Any:
        response = self.client.get(url, follow_redirects=True)
        self._remember(response)
        return response

    def post(self, url: str, answers: dict[str, Any] | None = None,
             action: str | None = None, **extra: Any) -> Any:
        data: dict[str, Any] = {**self.hidden, **(answers or {})}
        if action is not None:
            data["_action"] = action
        data.update(extra)
        response = self.client.post(url, data=data, follow_redirects=False)
        self._remember(response)
        return response

    def follow(self, response: Any) -> Any:
        assert response.status_code == 303, (response.status_code, errors(response))
        return self.open(response.headers["location"])

    def _remember(self, response: Any) -> None:
        self.page = response
        for name in ("csrf_token", "_token"):
            match = re.search(rf'name="{name}" value="([^"]*)"', response.text)
            if match:
                self.hidden[name] = match.group(1)


@pytest.fixture
def citizen(client: TestClient) -> Citizen:
    return Citizen(client)


def errors(response: Any) -> list[str]:
    """The inline error messages on a page, as the citizen reads them."""
    found = re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', response.text, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", m)).replace("Error:", "").replace(
        "Lỗi:", "").strip() for m in found]


def summary_links(response: Any) -> list[tuple[str, str]]:
    """(target id, message) of each link in the error summary."""
    block = re.search(r'class="error-summary".*?</ul>', response.text, re.S)
    if not block:
        return []
    return [(target, html.unescape(text)) for target, text in
            re.findall(r'<a href="#([^"]+)">(.*?)</a>', block.group(0))]


TRIAL_URL = "/f/thu"
#: The head of a form that collects personal data (/f/lien-he): its notice says why,
#: who is responsible and for how long (30 days); the questions follow.
PERSONAL_FORM_HEAD = """
id: lien-he
title: {vi: Liên hệ lại, en: Contact}
agency: so-thu
languages: [vi, en]
purpose: {vi: Liên hệ lại về hồ sơ., en: To contact you about your application.}
controller: {vi: Sở Thu, en: Department}
retention_days: 30
questions:
"""

TRIAL_HEAD = """\
id: thu
title: {vi: Biểu mẫu thử, en: Test form}
agency: so-thu
languages: [vi, en]
"""


@pytest.fixture
def start(write_form, forms_dir, make_client) -> Callable[..., Citizen]:
    """Serve a one-page form made of *questions* (YAML list) at /f/thu, open it in *lang*."""

    def open_form(questions: str, lang: str = "en", extra: str = "") -> Citizen:
        text = TRIAL_HEAD + extra + "questions:\n" + textwrap.indent(
            textwrap.dedent(questions).strip("\n"), "  ") + "\n"
        loaded = load_text(text)
        assert loaded.spec is not None, [str(p) for p in loaded.problems]
        write_form(text)
        citizen = Citizen(make_client(forms_dir))
        page = citizen.open(f"{TRIAL_URL}?lang={lang}")
        assert page.status_code == 200, page.status_code
        return citizen

    return open_form


@pytest.fixture
def stored(rows) -> Callable[[], list[tuple[Any, ...]]]:
    """(question, value, number, text) of every stored answer, in storage order."""
    return lambda: rows("select question, value, number, text from answer order by id")


PASSWORD = "Cà phê sữa đá mỗi sáng 7 giờ"


@pytest.fixture(autouse=True)
def quick_password_hashing(request: pytest.FixtureRequest,
                           monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Real argon2id, but with its smallest parameters, outside the tests of hashing itself:
    the production parameters cost about 0.1 s per hash, several times per sign-in test."""
    from argon2 import PasswordHasher

    from vnform import passwords

    if request.node.path.name != "test_passwords.py":
        monkeypatch.setattr(passwords, "_HASHER",
                            PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    passwords.dummy_hash.cache_clear()
    yield
    passwords.dummy_hash.cache_clear()


@pytest.fixture
def add_official(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Create an official's account with the CLI, before the app starts (as an operator
    would); returns the email. Agencies of the demo forms: so-tttt-ha-noi and
    ubnd-phuong-ba-dinh."""
    import io

    from vnform.cli import main

    def add(email: str, role: str = "admin", *agencies: str,
            password: str = PASSWORD) -> str:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        args = ["user", "add", email, "--role", role, "--password-stdin",
                "--db", database_url]
        for agency in agencies:
            args += ["--agency", agency]
        assert main(args) == 0
        return email

    return add


def sign_in(client: TestClient, email: str, password: str = PASSWORD,
            next_url: str = "/admin") -> Any:
    """Sign in through the sign-in page, as a browser would; returns the POST response."""
    page = client.get("/admin/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return client.post(f"/admin/login?next={next_url}", follow_redirects=False,
                       data={"csrf_token": token.group(1), "email": email,
                             "password": password})


def csrf_of(client: TestClient, url: str = "/admin") -> str:
    """The CSRF token the pages of *url* carry for this client's session."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert match
    return match.group(1)


@pytest.fixture
def api_token(database_url: str, forms_dir: Path,
              capsys: pytest.CaptureFixture[str]) -> Callable[..., str]:
    """Create an API token with the CLI, before the app starts (as an operator would);
    returns the secret it printed."""
    from vnform.cli import main

    def add(name: str, *agencies: str, forms: Path = forms_dir) -> str:
        capsys.readouterr()
        args = ["token", "add", "--name", name, "--db", database_url,
                "--forms", str(forms)]
        for agency in agencies:
            args += ["--agency", agency]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert out.count("\n") == 1, out
        return out.strip()

    return add


@pytest.fixture
def seed(database: Database) -> Callable[..., int]:
    """Store one response straight into the database, as the app stores it:
    ``seed(form id, {question: value}, at=datetime, case=code)``; returns its id. Quicker
    than a citizen's visit when a test needs dozens, and possible before the app starts.
    The form's tallies are counted again after each (``Database.retally``)."""
    import datetime as dt
    import secrets

    def add(form_id: str, answers: dict[str, str], at: dt.datetime | None = None,
            case: str | None = None, texts: dict[str, str] | None = None) -> int:
        moment = database.moment(at or dt.datetime.now(dt.UTC))
        with database.connect() as db:
            response_id = insert(
                db, "insert into response (form_id, form_version, token, language,"
                " submitted_at, case_code) values (?, 'seeded', ?, 'vi', ?, ?)",
                form_id, secrets.token_urlsafe(24), moment, case)
            for question, value in answers.items():
                number = float(value) if re.fullmatch(r"-?\d+", value) else None
                db.execute("insert into answer (response_id, form_id, question, value, number)"
                           " values (?, ?, ?, ?, ?)", (response_id, form_id, question, value,
                                                       number))
            for question, text in (texts or {}).items():
                db.execute("insert into answer (response_id, form_id, question, text)"
                           " values (?, ?, ?, ?)", (response_id, form_id, question, text))
        database.retally(form_id)
        return response_id

    return add


# --- PostgreSQL and real servers ------------------------------------------------------

POSTGRES_SERVER = os.environ.get("VNFORM_TEST_POSTGRES_URL",
                                 "postgres://postgres@127.0.0.1:5432/test")


def postgres_url(database: str) -> str:
    """The URL of *database* on the test server."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(POSTGRES_SERVER)._replace(path=f"/{database}"))


def postgres_connect(url: str = POSTGRES_SERVER, autocommit: bool = False) -> Any:
    """A psycopg connection to *url* (a vnform ``postgres://`` URL)."""
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1),
                           autocommit=autocommit, connect_timeout=3)


def postgres_admin() -> Any:
    """A connection for creating databases; skips the test when no server answers,
    except in CI (``CI=true``), where PostgreSQL is required and its absence fails."""
    try:
        return postgres_connect(autocommit=True)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means no server
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and unreachable at {POSTGRES_SERVER}: "
                        f"{exc}")
        pytest.skip(f"no PostgreSQL server at {POSTGRES_SERVER} ({exc.__class__.__name__})")


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """A new database on the test server (empty, or a copy of *template*), dropped after;
    yields its name. Tortoise caches INSERT statements per connection *name*, not per
    engine, so the cache is emptied around it: this run switches engines, servers never
    do."""
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    name = f"vnform_{uuid.uuid4().hex[:16]}"
    with postgres_admin() as admin:
        copy = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
        EXECUTOR_CACHE.clear()
        try:
            yield name
        finally:
            EXECUTOR_CACHE.clear()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`vnform serve` in its own process."""

    def __init__(self, database_url: str, workers: int = 1, forms: Path = DEMO_FORMS,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "VNFORM_SECRET_KEY": "k" * 40, **(env or {})}
        args = [sys.executable, "-m", "vnform", "serve", "--port", str(self.port),
                "--forms", str(forms), "--db", database_url, "--workers", str(workers)]
        if not database_url.startswith("sqlite://"):
            args.append("--migrate")
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("vnform serve did not start")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no flush (a crash)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


@contextmanager
def running_server(app: Any) -> Iterator[str]:
    """*app* behind a real uvicorn on a free port, in a thread; yields its base URL."""
    import threading

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(),
                                           log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# --- a real browser ---------------------------------------------------------------------

#: Debian's Chromium, as CI runs it (never a browser downloaded by Playwright).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """Debian's Chromium; without it the browser tests are skipped with the reason,
    except in CI (``CI=true``), where `.ci/run` installs it and its absence fails."""
    import shutil

    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI: apt-get install -y chromium")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium driven by Playwright, shared by the tests of one module."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable,
                                              args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


CLOSED_FORM = """\
id: da-dong
title: {vi: Khảo sát đã kết thúc, en: A survey that has ended}
agency: so-tttt-ha-noi
status: closed
languages: [vi, en]
questions:
  - id: danh_gia
    type: rating
    label: {vi: Đánh giá, en: Rating}
"""


#: Markup where a form's author or a citizen could put it: it must stay text.
HOSTILE = "<img src=x onerror='window.pwned=1'><script>window.pwned=1</script>"
HOSTILE_FORM = f"""\
id: the-markup
title: {{vi: "Tiêu đề {HOSTILE}", en: "Title {HOSTILE}"}}
description: {{vi: "Mô tả {HOSTILE}", en: "About {HOSTILE}"}}
agency: so-tttt-ha-noi
languages: [vi, en]
questions:
  - id: chon
    type: single_choice
    label: {{vi: "Chọn {HOSTILE}", en: "Choose {HOSTILE}"}}
    hint: {{vi: "Gợi ý {HOSTILE}", en: "Hint {HOSTILE}"}}
    choices:
      - {{value: a, label: {{vi: "A {HOSTILE}", en: "A {HOSTILE}"}}}}
      - {{value: b, label: {{vi: "B", en: "B"}}}}
  - id: y_kien
    type: textarea
    label: {{vi: Ý kiến, en: Comment}}
"""


#: A consultation that has closed, its synthesis published, with the revised draft.
CLOSED_CONSULTATION_ID = "du-thao-da-dong"
CLOSED_CONSULTATION = """\
id: du-thao-da-dong
kind: consultation
title: {vi: Dự thảo đã lấy ý kiến xong, en: A consultation that has closed}
agency: so-tttt-ha-noi
languages: [vi, en]
closes_at: 2026-01-31
public_comments: true
document: |
  ### Điều 1. Phạm vi

  Nghị định này quy định thời hạn cấp phiếu.

  ### Điều 2. Thời hạn

  1. Không quá 10 ngày.
revised_document: |
  ### Điều 1. Phạm vi

  Nghị định này quy định thời hạn cấp phiếu.

  ### Điều 2. Thời hạn

  1. Không quá 5 ngày làm việc.

  ### Điều 3. Hiệu lực

  Nghị định có hiệu lực từ ngày 01/7/2027.
"""


def _publish_closed_consultation(database: Path) -> None:
    """A comment on the closed consultation, answered, and its synthesis published (as
    the officials' pages would leave them)."""
    now = "2026-01-15 08:00:00+00:00"
    with sqlite3.connect(database) as db:
        response = db.execute(
            "insert into response (form_id, form_version, token, language, submitted_at) "
            "values (?, 'x', ?, 'vi', ?)", (CLOSED_CONSULTATION_ID, "t" * 32, now)).lastrowid
        db.execute(
            "insert into comment (response_id, form_id, article, stance, commenter_type, "
            "text, proposal, submitted_at, fingerprint, status, answer, answer_text) values "
            "(?, ?, 'dieu-2', 'amend', 'organisation', 'Nên rút ngắn.', 'Không quá 5 ngày.', "
            "?, 'f', 'approved', 'accepted', 'Đã rút còn 5 ngày làm việc.')",
            (response, CLOSED_CONSULTATION_ID, now))
        db.execute("insert into synthesis_publication (form_id, published_at, published_by) "
                   "values (?, ?, ?)", (CLOSED_CONSULTATION_ID, now, BROWSER_OFFICIAL))
    db.close()


@dataclass
class Site:
    """`vnform serve` in its own process, on its own SQLite file, serving the demo forms
    and a closed one (/f/da-dong); an official's account (BROWSER_OFFICIAL, PASSWORD)
    exists."""

    url: str
    database: Path
    process: Any

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as db:
            found = db.execute(sql, params).fetchall()
        db.close()
        return found

    def answers(self, response_id: int) -> dict[str, str]:
        return {q: value if value is not None else text for q, value, text in self.rows(
            "select question, value, text from answer where response_id = ? order by id",
            response_id)}


BROWSER_OFFICIAL = "admin@so.gov.vn"
#: A form of the browser tests' site kept in the database: published, then changed in a
#: draft (its history has two revisions).
DESIGNED_FORM_ID = "thiet-ke"
DESIGNED_FORM = """\
# Designed in the browser.
id: thiet-ke
title: {vi: Biểu mẫu thiết kế, en: A designed form}
agency: so-tttt-ha-noi
languages: [vi, en]
questions:
  - id: danh_gia
    type: rating
    label: {vi: Đánh giá của Ông/Bà, en: Your rating}
"""


def _vnform(*args: str, stdin: str = "") -> None:
    subprocess.run([sys.executable, "-m", "vnform", *args], input=stdin.encode(),
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import shutil

    folder = tmp_path_factory.mktemp("site")
    forms = folder / "forms"
    shutil.copytree(DEMO_FORMS, forms)
    (forms / "da-dong.yaml").write_text(CLOSED_FORM, encoding="utf-8")
    (forms / "the-markup.yaml").write_text(HOSTILE_FORM, encoding="utf-8")
    (forms / f"{CLOSED_CONSULTATION_ID}.yaml").write_text(CLOSED_CONSULTATION,
                                                         encoding="utf-8")
    database = folder / "vnform.sqlite3"
    url = f"sqlite://{database}"
    _vnform("migrate", "--db", url)
    _publish_closed_consultation(database)
    _vnform("user", "add", BROWSER_OFFICIAL, "--role", "admin", "--password-stdin",
            "--db", url, stdin=PASSWORD + "\n")
    designed = folder / f"{DESIGNED_FORM_ID}.yaml"  # a form kept in the database
    designed.write_text(DESIGNED_FORM, encoding="utf-8")
    _vnform("forms", "push", str(designed), "--publish", "--db", url, "--forms", str(forms))
    designed.write_text(DESIGNED_FORM.replace("Your rating", "Your own rating"),
                        encoding="utf-8")
    _vnform("forms", "push", str(designed), "--db", url, "--forms", str(forms))
    server = Server(url, forms=forms)
    try:
        yield Site(server.url, database, server.process)
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A new browser visit (no cookies), JavaScript on, a phone-sized window."""
    context = browser.new_context(base_url=site.url, viewport={"width": 360, "height": 800},
                                  accept_downloads=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(base_url=site.url, java_script_enabled=False,
                                  viewport={"width": 360, "height": 800})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_in_browser(page: Any, lang: str = "en") -> None:
    """Sign the browser in as BROWSER_OFFICIAL, through the sign-in page in *lang*."""
    page.goto(f"/admin/login?lang={lang}")
    page.locator("input[name=email]").fill(BROWSER_OFFICIAL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/?(\?.*)?$"))
