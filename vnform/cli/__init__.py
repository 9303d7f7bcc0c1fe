"""The ``vnform`` command: serve, check, migrate, export, indicators, invite, user, token,
demo, tallies (:mod:`vnform.cli.tallies`)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from vnform import __version__
from vnform.accounts import ROLES
from vnform.cli import tallies
from vnform.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ValueError as exc:  # bad settings from the environment
        print(f"vnform: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vnform", description="Citizen-feedback surveys for public services."
    )
    parser.add_argument("--version", action="version", version=f"vnform {__version__}")
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser("serve", help="serve the forms to citizens")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=None,
                       help="worker processes (more than one needs PostgreSQL)")
    serve.add_argument("--migrate", action="store_true", default=None,
                       help="apply pending migrations to a PostgreSQL database first")
    _common(serve)
    serve.set_defaults(run=_serve)

    check = commands.add_parser("check", help="check form files; print file:line:col problems")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: forms/)")
    check.add_argument("--strict", action="store_true", help="warnings also fail the check")
    check.set_defaults(run=_check)

    export = commands.add_parser("export", help="export a form's responses")
    export.add_argument("form_id")
    export.add_argument("--format", choices=["csv", "xlsx", "jsonl"], default="csv")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.add_argument("--excel", action="store_true",
                        help="CSV: start with a byte-order mark so Excel reads UTF-8")
    export.add_argument("--since", type=_date, help="first day (YYYY-MM-DD, local time)")
    export.add_argument("--until", type=_date, help="last day, included (YYYY-MM-DD)")
    export.add_argument("--version", dest="form_version", help="only this form version")
    export.add_argument("--labels", action="store_true",
                        help="choice labels (in the form's first language) instead of codes")
    export.add_argument("--dictionary", action="store_true",
                        help="write the data dictionary (CSV) instead of the responses")
    _common(export)
    export.set_defaults(run=_export)

    user = commands.add_parser("user", help="manage officials' accounts")
    users = user.add_subparsers(title="user commands", required=True)
    add = users.add_parser("add", help="create an account")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--agency", dest="agencies", action="append", default=[],
                     help="agency code the account may see (repeat for several)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of prompting")
    _common(add)
    add.set_defaults(run=_user_add)
    listing = users.add_parser("list", help="list accounts")
    _common(listing)
    listing.set_defaults(run=_user_list)
    for name, helptext, run in (("disable", "disable an account and end its sessions",
                                 _user_disable),
                                ("enable", "enable a disabled account", _user_enable)):
        sub = users.add_parser(name, help=helptext)
        sub.add_argument("email")
        _common(sub)
        sub.set_defaults(run=run)
    password = users.add_parser("set-password", help="set a new password; ends sessions")
    password.add_argument("email")
    password.add_argument("--password-stdin", action="store_true")
    _common(password)
    password.set_defaults(run=_user_set_password)

    indicators = commands.add_parser("indicators", help="satisfaction indicators for a period")
    indicators.add_argument("--period", required=True,
                            help="a month (2026-11), a quarter (2026-Q4) or a year (2026)")
    indicators.add_argument("--by", choices=["form", "service", "agency"], default="form")
    indicators.add_argument("--format", choices=["json", "csv"], default="json")
    indicators.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    indicators.add_argument("--min-n", type=int, dest="min_n",
                            help="fewest valid answers for a figure (default 30)")
    _common(indicators)
    indicators.set_defaults(run=_indicators)

    invite = commands.add_parser("invite", help="single-use links to rate case files")
    invite.add_argument("form_id")
    invite.add_argument("--case", dest="cases", action="append", default=[], metavar="CODE",
                        help="case code (mã hồ sơ) to invite for (repeat for several)")
    invite.add_argument("--case-file", type=Path, metavar="FILE",
                        help="CSV file with case codes in its first column (UTF-8; a header "
                             "row 'case' or 'ma_ho_so' is skipped)")
    invite.add_argument("--base-url", dest="public_url", metavar="URL",
                        help="where citizens reach vnform (default http://127.0.0.1:8000)")
    _common(invite)
    invite.set_defaults(run=_invite)

    token = commands.add_parser("token", help="manage API tokens of other systems")
    tokens = token.add_subparsers(title="token commands", required=True)
    token_add = tokens.add_parser("add", help="create a token; prints its secret once")
    token_add.add_argument("--name", required=True,
                           help="who uses it (letters, digits, '.', '_', '-'), e.g. emc")
    token_add.add_argument("--agency", dest="agencies", action="append", default=[],
                           help="agency code whose forms it may read (repeat for several; "
                                "none: every form)")
    _common(token_add)
    token_add.set_defaults(run=_token_add)
    token_list = tokens.add_parser("list", help="list tokens (never their secrets)")
    _common(token_list)
    token_list.set_defaults(run=_token_list)
    token_revoke = tokens.add_parser("revoke", help="revoke a token at once")
    token_revoke.add_argument("name")
    _common(token_revoke)
    token_revoke.set_defaults(run=_token_revoke)

    demo = commands.add_parser("demo", help="fill the database with generated responses "
                                             "(for demonstrations and benchmarks)")
    demo.add_argument("--form", dest="form_id", required=True, metavar="ID",
                      help="the form to answer")
    demo.add_argument("--responses", type=int, required=True, metavar="N",
                      help="how many responses to add")
    demo.add_argument("--seed", type=int, help="same seed, same answers (default: random)")
    demo.add_argument("--batch", type=int, default=5000, metavar="B",
                      help="responses per transaction (default 5000)")
    demo.add_argument("--days", type=float, default=30.0,
                      help="spread the submission times over this many days up to now "
                           "(default 30)")
    _common(demo)
    demo.set_defaults(run=_demo)

    tallies.add_commands(commands, _common)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument("--db", dest="database_url", help="database URL")
    migrate.set_defaults(run=_migrate)
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--forms", dest="forms_dir", type=Path,
                        help="folder of form files (default forms/)")
    parser.add_argument("--db", dest="database_url",
                        help="database URL (default sqlite://var/vnform.sqlite3)")


def _settings(args: argparse.Namespace) -> Settings:
    names = ("forms_dir", "database_url", "host", "port", "migrate")
    return Settings.from_env(**{n: getattr(args, n, None) for n in names})


def _serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from vnform.app import create_app
    from vnform.forms.registry import Registry
    from vnform.settings import environment
    from vnform.store import is_sqlite

    settings = _settings(args)
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
    print(f"vnform: serving {len(registry.forms)} form(s) at "
          f"http://{settings.host}:{settings.port} with {workers} worker(s)", file=sys.stderr)
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


def _check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from vnform.forms.registry import form_files, load_all

    out = out or sys.stdout
    paths = args.paths or [Path("forms")]
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=out)
    results = load_all([p for p in paths if p.exists()])
    problems = sorted(p for r in results for p in r.problems)
    for problem in problems:
        print(problem, file=out)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    files = len(form_files([p for p in paths if p.exists()]))
    print(f"{files} file(s) checked: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    failed = errors or missing or (args.strict and warnings)
    return 1 if failed else 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _export(args: argparse.Namespace) -> int:
    from vnform.store import NoDatabase

    try:
        return asyncio.run(_export_async(args))
    except NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 1


async def _export_async(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from vnform import export, store
    from vnform.datasets import export_columns
    from vnform.filters import Filters
    from vnform.forms.registry import Registry

    settings = _settings(args)
    current = Registry.load(settings.forms_dir).forms.get(args.form_id)
    filters = Filters(since=args.since, until=args.until, version=args.form_version)
    tz = ZoneInfo(settings.timezone)
    async with store.opened(settings.database_url, must_exist=True):
        found = await export_columns(args.form_id, current)
        if found is None:
            print(f"vnform: no form '{args.form_id}' in {settings.forms_dir} or the "
                  "database", file=sys.stderr)
            return 1
        spec, cols = found
        if args.dictionary:
            _write(args.output, export.dictionary_csv(cols, excel=args.excel))
            return 0
        labels = spec.languages[0] if args.labels else None
        rows = 0

        def count(n: int) -> None:
            nonlocal rows
            rows += n

        batches = store.iter_responses(args.form_id, filters, tz)
        if args.format == "xlsx" and args.output is None:
            print("vnform: XLSX needs --output FILE", file=sys.stderr)
            return 2
        stream: AsyncIterator[str | bytes]
        if args.format == "xlsx":
            stream = export.xlsx_stream(cols, batches, labels=labels, counted=count)
        elif args.format == "csv":
            stream = export.csv_stream(cols, batches, excel=args.excel, labels=labels,
                                       counted=count)
        else:
            stream = export.jsonl_stream(cols, batches, labels=labels, counted=count)
        try:
            await _write_stream(stream, args.output)
        except Exception as exc:  # noqa: BLE001 - reported, never a half file posing as whole
            print(f"vnform: the export failed and was not written: {exc!r}", file=sys.stderr)
            return 1
        await store.audit("export", actor=_cli_actor(), form_id=args.form_id,
                          format=args.format, rows=rows, via="cli", **filters.describe())
    return 0


async def _write_stream(stream: AsyncIterator[str | bytes], path: Path | None) -> None:
    """Write an export as bytes (exact UTF-8 and CRLF whatever the console). A file is
    written beside its target and renamed only when complete, so a failure half-way
    never leaves a file that looks whole; on stdout the failure is reported instead."""
    if path is None:
        async for chunk in stream:
            sys.stdout.buffer.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        sys.stdout.buffer.flush()
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as out:
            async for chunk in stream:
                out.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _write(path: Path | None, text: str) -> None:
    if path is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        path.write_text(text, encoding="utf-8", newline="")


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _read_password(args: argparse.Namespace, email: str) -> str | None:
    """The new password, from stdin or two prompts; None (with a message) when unusable."""
    import getpass

    from vnform.passwords import password_problems

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            print("vnform: the passwords do not match", file=sys.stderr)
            return None
    problems = password_problems(password, email)
    for problem in problems:
        print(f"vnform: {problem}", file=sys.stderr)
    return None if problems else password


def _user_add(args: argparse.Namespace) -> int:
    from vnform.accounts import normalise_email, valid_email
    from vnform.forms.registry import Registry

    email = normalise_email(args.email)
    if not valid_email(email):
        print(f"vnform: not an email address: {args.email!r}", file=sys.stderr)
        return 2
    if args.role == "analyst" and not args.agencies:
        print("vnform: an analyst needs at least one --agency", file=sys.stderr)
        return 2
    settings = _settings(args)
    known = {spec.agency for spec in Registry.load(settings.forms_dir).forms.values()}
    for agency in sorted(set(args.agencies) - known):
        print(f"vnform: warning: no form in {settings.forms_dir} belongs to agency "
              f"'{agency}'", file=sys.stderr)
    password = _read_password(args, email)
    if password is None:
        return 1
    return asyncio.run(_user_add_async(settings, email, args.role, args.agencies, password))


async def _user_add_async(settings: Settings, email: str, role: str, agencies: list[str],
                          password: str) -> int:
    from vnform import store
    from vnform.passwords import hash_password_async

    password_hash = await hash_password_async(password)
    async with store.opened(settings.database_url):
        try:
            await store.create_user(email, password_hash, role, agencies)
        except store.UserExists:
            print(f"vnform: an account for {email} exists already", file=sys.stderr)
            return 1
        await store.audit("user_added", actor=_cli_actor(), email=email, role=role,
                          agencies=sorted(set(agencies)))
    print(f"vnform: added {role} {email}", file=sys.stderr)
    return 0


def _user_list(args: argparse.Namespace) -> int:
    from vnform import store

    async def run() -> list:
        async with store.opened(_settings(args).database_url):
            return await store.list_users()

    for official in asyncio.run(run()):
        state = "disabled" if official.disabled else "active"
        agencies = ",".join(official.agencies) or "-"
        print(f"{official.email}\t{official.role}\t{agencies}\t{state}")
    return 0


def _user_disable(args: argparse.Namespace) -> int:
    return _user_toggle(args, disabled=True)


def _user_enable(args: argparse.Namespace) -> int:
    return _user_toggle(args, disabled=False)


def _user_toggle(args: argparse.Namespace, disabled: bool) -> int:
    from vnform import store
    from vnform.accounts import normalise_email

    email = normalise_email(args.email)

    async def change() -> bool:
        return await store.set_disabled(email, disabled)

    return _change_account(args, email, change, "user_disabled" if disabled else "user_enabled",
                           f"{'disabled' if disabled else 'enabled'} {email}")


def _user_set_password(args: argparse.Namespace) -> int:
    from vnform import store
    from vnform.accounts import normalise_email
    from vnform.passwords import hash_password_async

    email = normalise_email(args.email)
    password = _read_password(args, email)
    if password is None:
        return 1

    async def change() -> bool:
        return await store.set_password(email, await hash_password_async(password))

    return _change_account(args, email, change, "password_changed",
                           f"password changed for {email}; its sessions have ended")


def _change_account(args: argparse.Namespace, email: str,
                    change: Callable[[], Awaitable[bool]], action: str, done: str) -> int:
    """Apply *change* to an existing account and audit it as *action*."""
    from vnform import store

    async def run() -> bool:
        async with store.opened(_settings(args).database_url):
            changed = await change()
            if changed:
                await store.audit(action, actor=_cli_actor(), email=email)
            return changed

    if not asyncio.run(run()):
        print(f"vnform: no account for {email}", file=sys.stderr)
        return 1
    print(f"vnform: {done}", file=sys.stderr)
    return 0


def _indicators(args: argparse.Namespace) -> int:
    import json

    from vnform import reports, store
    from vnform.forms.registry import Registry
    from vnform.indicators import parse_period

    try:
        period = parse_period(args.period)
    except ValueError as exc:
        print(f"vnform: {exc}", file=sys.stderr)
        return 2
    settings = _settings(args)
    specs = list(Registry.load(settings.forms_dir).forms.values())
    minimum = args.min_n if args.min_n is not None else settings.indicator_min_n

    async def run() -> list[dict[str, object]]:
        async with store.opened(settings.database_url, must_exist=True):
            return await reports.indicator_records(specs, period, minimum, args.by)

    try:
        records = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 1
    text = (json.dumps(reports.as_json(records), ensure_ascii=False, indent=2) + "\n"
            if args.format == "json" else reports.as_csv(records))
    _write(args.output, text)
    return 0


def _invite(args: argparse.Namespace) -> int:
    """Print ``<case>\\t<link>`` per case; each link rates its case once."""
    from urllib.parse import urlsplit

    from vnform import cases, store
    from vnform.forms.registry import Registry
    from vnform.links import invitation_url

    # The key must be the server's: a link signed with another key opens nothing.
    settings = Settings.from_env(forms_dir=args.forms_dir, database_url=args.database_url,
                                 public_url=args.public_url).with_secret()
    if not settings.public_url:
        settings = replace(settings, public_url="http://127.0.0.1:8000")
    base = urlsplit(settings.public_url)
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        print(f"vnform: not a base URL (http[s]://host[/path]): {settings.public_url!r}",
              file=sys.stderr)
        return 2
    spec = Registry.load(settings.forms_dir).forms.get(args.form_id)
    if spec is None:
        print(f"vnform: no form '{args.form_id}' in {settings.forms_dir}", file=sys.stderr)
        return 1
    if spec.status != "open":
        print(f"vnform: warning: form '{spec.id}' is {spec.status}: its links open "
              "nothing until it is open", file=sys.stderr)
    try:
        codes = [cases.clean_case_code(code) for code in args.cases]
    except cases.CaseCodeError as exc:
        print(f"vnform: --case: {exc}", file=sys.stderr)
        return 2
    if args.case_file is not None:
        try:
            codes += cases.read_case_csv(args.case_file.read_bytes().decode("utf-8"))
        except OSError as exc:
            print(f"vnform: cannot read {args.case_file}: {exc.strerror}", file=sys.stderr)
            return 1
        except UnicodeDecodeError:
            print(f"vnform: {args.case_file}: not UTF-8 text (save it as CSV UTF-8)",
                  file=sys.stderr)
            return 2
        except cases.CaseCodeError as exc:
            print(f"vnform: {args.case_file}: {exc}", file=sys.stderr)
            return 2
    codes = cases.unique(codes)
    if not codes:
        print("vnform: no case codes: give --case CODE or --case-file FILE", file=sys.stderr)
        return 2
    actor = _cli_actor()

    async def run() -> list[tuple[str, str]]:
        async with store.opened(settings.database_url, must_exist=True):
            made = await store.create_invitations(spec.id, codes, actor)
            await store.audit("invitations_created", actor=actor, form_id=spec.id,
                              count=len(made), via="cli")
            return made

    try:
        made = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing} (run `vnform migrate` first)",
              file=sys.stderr)
        return 1
    for case, secret in made:
        url = invitation_url(settings.public_url, spec.id, secret, settings.secret_key)
        print(f"{case}\t{url}")
    print(f"vnform: {len(made)} invitation(s) for {spec.id}; each link works once",
          file=sys.stderr)
    return 0


TOKEN_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}"


def _token_add(args: argparse.Namespace) -> int:
    import re

    from vnform import store
    from vnform.forms.registry import Registry

    if not re.fullmatch(TOKEN_NAME, args.name):
        print(f"vnform: a token name is 1 to 80 letters, digits, '.', '_' or '-', not "
              f"{args.name!r}", file=sys.stderr)
        return 2
    settings = _settings(args)
    known = {spec.agency for spec in Registry.load(settings.forms_dir).forms.values()}
    for agency in sorted(set(args.agencies) - known):
        print(f"vnform: warning: no form in {settings.forms_dir} belongs to agency "
              f"'{agency}'", file=sys.stderr)

    async def run() -> str | None:
        async with store.opened(settings.database_url):
            try:
                secret = await store.create_api_token(args.name, args.agencies)
            except store.TokenExists:
                return None
            await store.audit("api_token_added", actor=_cli_actor(), token=args.name,
                              agencies=sorted(set(args.agencies)))
            return secret

    secret = asyncio.run(run())
    if secret is None:
        print(f"vnform: a token named {args.name} exists already", file=sys.stderr)
        return 1
    scope = ", ".join(sorted(set(args.agencies))) or "every agency"
    print(f"vnform: added token {args.name} ({scope}); its secret follows and is not "
          "shown again", file=sys.stderr)
    print(secret)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from vnform import store

    settings = _settings(args)

    async def run() -> list:
        async with store.opened(settings.database_url):
            return await store.list_api_tokens()

    tz = ZoneInfo(settings.timezone)
    for client, last_used in asyncio.run(run()):
        agencies = ",".join(client.agencies) or "all"
        state = "revoked" if client.revoked else "active"
        used = last_used.astimezone(tz).strftime("%Y-%m-%d %H:%M") if last_used else "never"
        print(f"{client.name}\t{agencies}\t{state}\t{used}")
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from vnform import store

    async def run() -> bool:
        async with store.opened(_settings(args).database_url):
            found = await store.revoke_api_token(args.name)
            if found:
                await store.audit("api_token_revoked", actor=_cli_actor(), token=args.name)
            return found

    if not asyncio.run(run()):
        print(f"vnform: no token named {args.name}", file=sys.stderr)
        return 1
    print(f"vnform: revoked token {args.name}; it is refused from now on", file=sys.stderr)
    return 0


def _demo(args: argparse.Namespace) -> int:
    """Add generated responses that pass the form's rules, in batched transactions."""
    import time
    from zoneinfo import ZoneInfo

    from vnform import demo, store
    from vnform.forms.registry import Registry

    if args.responses < 1:
        print(f"vnform: --responses must be 1 or more, not {args.responses}", file=sys.stderr)
        return 2
    if args.batch < 1:
        print(f"vnform: --batch must be 1 or more, not {args.batch}", file=sys.stderr)
        return 2
    if not args.days > 0:
        print(f"vnform: --days must be more than 0, not {args.days}", file=sys.stderr)
        return 2
    settings = _settings(args)
    spec = Registry.load(settings.forms_dir).forms.get(args.form_id)
    if spec is None:
        print(f"vnform: no form '{args.form_id}' in {settings.forms_dir}", file=sys.stderr)
        return 1
    try:
        demo.plan(spec, dt.date.today())
    except demo.DemoError as exc:
        print(f"vnform: {exc}", file=sys.stderr)
        return 1
    started = time.monotonic()

    def progress(done: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-9)
        print(f"vnform: {done}/{args.responses} responses ({rate:.0f}/s)", file=sys.stderr)

    generated = ((g.submitted_at, g.language, g.answers) for g in demo.generate(
        spec, args.responses, seed=args.seed, days=args.days))

    async def run() -> int:
        async with store.opened(settings.database_url):
            return await store.insert_responses(spec, generated, ZoneInfo(settings.timezone),
                                                args.batch, progress)

    stored = asyncio.run(run())
    print(f"vnform: added {stored} generated response(s) to {spec.id} in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from vnform import store

    settings = Settings.from_env(database_url=args.database_url)
    asyncio.run(store.prepare(settings.database_url))
    print(f"vnform: database ready at {settings.database_url}", file=sys.stderr)
    return 0
