"""``vnform serve`` and ``vnform migrate``: run the web application, and create or
upgrade its database schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

from vnform.cli.common import settings_from_args
from vnform.cli.users import first_account_command, invoked_as, no_account_hint
from vnform.settings import Settings


def add_serve(commands: argparse._SubParsersAction,
              common: Callable[[argparse.ArgumentParser], None]) -> None:
    serve = commands.add_parser("serve", help="serve the forms to citizens")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=None,
                       help="worker processes (more than one needs PostgreSQL)")
    serve.add_argument("--migrate", action="store_true", default=None,
                       help="apply pending migrations to a PostgreSQL database first")
    common(serve)
    serve.set_defaults(run=_serve)


def add_migrate(commands: argparse._SubParsersAction) -> None:
    # Only --db: the schema does not depend on the forms.
    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument("--db", dest="database_url", help="database URL")
    migrate.set_defaults(run=_migrate)


def _serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from vnform.app import create_app
    from vnform.forms.registry import Registry
    from vnform.settings import environment
    from vnform.store import is_sqlite

    settings = settings_from_args(args)
    workers = args.workers or 1
    if workers > 1 and is_sqlite(settings.database_url):
        # Several processes writing one SQLite file contend for its single write lock;
        # one process (which serialises its own writes) is the safe configuration.
        print("vnform: --workers needs PostgreSQL (--db postgres://...); with SQLite, run "
              "one worker: it serialises its writes, so none fails with 'database is "
              "locked'", file=sys.stderr)
        return 2
    registry = Registry.load(settings.forms_dir)
    for problem in registry.problems:
        print(problem, file=sys.stderr)
    if not settings.forms_dir.exists():
        print(f"vnform: no forms folder at {settings.forms_dir}", file=sys.stderr)
    officials = asyncio.run(_count_officials(settings))
    for line in startup_lines(settings, len(registry.forms), workers, officials, invoked_as()):
        print(line, file=sys.stderr)
    # Behind a proxy, the client's address (for sign-in throttling and the audit log)
    # comes from X-Forwarded-For, but only when the proxy is listed.
    proxies = [ip.strip() for ip in settings.forwarded_allow_ips.split(",") if ip.strip()]
    options: dict[str, object] = {
        "host": settings.host, "port": settings.port, "log_level": "info",
        "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None,
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        return 0
    if settings.migrate:  # once, here: workers starting together must not race on it
        from dataclasses import replace as replaced

        from vnform.store import prepare

        asyncio.run(prepare(settings.database_url))
        settings = replaced(settings, migrate=False)
    # Worker processes build their own app from the environment: hand the settings
    # over that way (with the signing key, so every worker verifies every cookie).
    os.environ.update(environment(settings.with_secret()))
    uvicorn.run("vnform.app:create_app", factory=True, workers=workers,
                **options)  # type: ignore[arg-type]
    return 0


def startup_lines(settings: Settings, forms: int, workers: int, officials: int | None,
                  program: str) -> list[str]:
    """What ``vnform serve`` says as it starts: what it serves where, the addresses of
    citizens' and officials' pages, and, while the database holds no official's account
    (*officials* is 0; None: not known), the command that creates the first one."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host  # IPv6
    listening = f"http://{host}:{settings.port}"
    # Behind a proxy, people reach the public address, not the one listened on.
    base = settings.public_url.rstrip("/") or listening
    lines = [f"vnform: serving {forms} form(s) at {listening} with {workers} worker(s)",
             f"vnform: citizens:  {base}/",
             f"vnform: officials: {base}/admin"]
    if officials == 0:
        lines += no_account_hint(first_account_command(program, settings.database_url),
                                 f"{base}/admin").splitlines()
    return lines


async def _count_officials(settings: Settings) -> int | None:
    """How many officials' accounts the database holds; None when that cannot be known
    before the server starts."""
    from vnform import store

    try:
        if not (store.is_sqlite(settings.database_url) or settings.migrate) \
                and await store.pending_migrations(settings.database_url):
            # The server refuses to start, saying why; migrating here would defeat that.
            return None
        # On SQLite, or with --migrate, the server migrates at start anyway.
        async with store.opened(settings.database_url):
            return len(await store.list_users())
    except Exception:  # a hint must not stop the server: its own start reports the database
        return None


def _migrate(args: argparse.Namespace) -> int:
    from vnform import store

    settings = Settings.from_env(database_url=args.database_url)
    asyncio.run(store.prepare(settings.database_url))
    print(f"vnform: database ready at {settings.database_url}", file=sys.stderr)
    return 0
