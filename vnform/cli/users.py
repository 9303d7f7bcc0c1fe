"""``vnform user add|list|disable|enable|set-password|allow-personal-data|
deny-personal-data``: officials' accounts."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

from vnform.accounts import ROLES, Official
from vnform.cli.common import cli_actor, settings_from_args, warn_unknown_agencies
from vnform.settings import Settings

#: The columns of ``vnform user list``.
LIST_HEADER = ("EMAIL", "ROLE", "AGENCIES", "PERSONAL_DATA", "STATE")
#: What the AGENCIES column's two marks mean. An admin's own list (often empty) would read
#: as "sees nothing" when the role sees every agency: the table says what each account sees.
AGENCIES_LEGEND = "AGENCIES: whose forms the account sees (all: every agency, as an admin; " \
                  "-: none, so no form); PERSONAL_DATA: shown (or masked) to it"


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    user = commands.add_parser("user", help="manage officials' accounts")
    users = user.add_subparsers(title="user commands", required=True)
    add = users.add_parser("add", help="create an account")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--agency", dest="agencies", action="append", default=[],
                     help="agency code the account may see (repeat for several)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of prompting")
    add.add_argument("--personal-data", action="store_true",
                     help="let the account see personal-data answers unmasked (default: "
                          "masked)")
    common(add)
    add.set_defaults(run=_user_add)
    listing = users.add_parser(
        "list", help="list accounts",
        description="List the accounts: a header row, then one account a line, in aligned "
                    f"columns ({', '.join(LIST_HEADER)}; no cell holds a space). "
                    f"{AGENCIES_LEGEND}.")
    common(listing)
    listing.set_defaults(run=_user_list)
    for name, helptext, run in (("disable", "disable an account and end its sessions",
                                 _user_disable),
                                ("enable", "enable a disabled account", _user_enable),
                                ("allow-personal-data", "let an account see personal-data "
                                 "answers unmasked, and download them", _user_allow),
                                ("deny-personal-data", "mask personal-data answers for an "
                                 "account again", _user_deny)):
        sub = users.add_parser(name, help=helptext)
        sub.add_argument("email")
        common(sub)
        sub.set_defaults(run=run)
    password = users.add_parser("set-password", help="set a new password; ends sessions")
    password.add_argument("email")
    password.add_argument("--password-stdin", action="store_true")
    common(password)
    password.set_defaults(run=_user_set_password)


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

    email = normalise_email(args.email)
    if not valid_email(email):
        print(f"vnform: not an email address: {args.email!r}", file=sys.stderr)
        return 2
    if args.role != "admin" and not args.agencies:
        print(f"vnform: an {args.role} needs at least one --agency" if args.role[0] in "aeiou"
              else f"vnform: a {args.role} needs at least one --agency", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
    warn_unknown_agencies(settings, args.agencies)
    password = _read_password(args, email)
    if password is None:
        return 1
    return asyncio.run(_user_add_async(settings, email, args.role, args.agencies, password,
                                       args.personal_data))


async def _user_add_async(settings: Settings, email: str, role: str, agencies: list[str],
                          password: str, personal_data: bool = False) -> int:
    from vnform import store
    from vnform.passwords import hash_password_async

    password_hash = await hash_password_async(password)
    async with store.opened(settings.database_url):
        try:
            await store.create_user(email, password_hash, role, agencies, personal_data)
        except store.UserExists:
            print(f"vnform: an account for {email} exists already", file=sys.stderr)
            return 1
        await store.audit("user_added", actor=cli_actor(), email=email, role=role,
                          agencies=sorted(set(agencies)), personal_data=personal_data)
    print(f"vnform: added {role} {email}", file=sys.stderr)
    return 0


def _user_list(args: argparse.Namespace) -> int:
    from vnform import store

    settings = settings_from_args(args)

    async def run() -> list[Official]:
        async with store.opened(settings.database_url):
            return await store.list_users()

    officials = asyncio.run(run())
    for line in account_table(officials):
        print(line)
    if officials:
        print(f"vnform: {len(officials)} account(s); {AGENCIES_LEGEND}", file=sys.stderr)
    else:
        print(no_account_hint(first_account_command(invoked_as(), settings.database_url)),
              file=sys.stderr)
    return 0


def account_table(officials: Iterable[Official]) -> list[str]:
    """The lines of ``vnform user list``: a header, then one account a line, in aligned
    columns. No cell holds a space (emails have none, agency codes are joined by commas),
    so a script splits a line on whitespace, or cuts it at the header's offsets."""
    rows = [LIST_HEADER]
    for official in officials:
        agencies = "all" if official.is_admin else ",".join(official.agencies) or "-"
        rows.append((official.email, official.role, agencies,
                     "shown" if official.personal_data else "masked",
                     "disabled" if official.disabled else "active"))
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    # The last column is not padded: no line ends in spaces.
    return ["  ".join([*(cell.ljust(width) for cell, width in zip(row, widths[:-1],
                                                                  strict=False)), row[-1]])
            for row in rows]


def first_account_command(program: str, database_url: str) -> str:
    """The command that creates the first account: an administrator, who sees every
    agency and needs no ``--agency``. ``--db`` only when the database is not the default
    one, its password left out: the line is printed to logs."""
    command = f"{program} user add you@agency.gov.vn --role admin"
    if database_url != Settings().database_url:
        command += f" --db {shlex.quote(_without_password(database_url))}"
    return command


def no_account_hint(command: str, sign_in_at: str = "/admin") -> str:
    """What ``vnform serve`` and ``vnform user list`` say while nobody can sign in: the
    command on a line of its own, to copy."""
    return ("vnform: no official account yet: create the first one (an administrator) with\n"
            f"    {command}\n"
            f"vnform: then sign in at {sign_in_at}")


def _without_password(database_url: str) -> str:
    parts = urlsplit(database_url)
    if parts.password is None:
        return database_url
    netloc = parts.netloc.replace(f":{parts.password}@", ":PASSWORD@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def invoked_as() -> str:
    """This command as typed, so that a command it prints works when pasted:
    ``.venv/bin/vnform`` under ``make run``, ``vnform`` when on the PATH, else
    ``<python> -m vnform``."""
    import os
    import shutil

    path = sys.argv[0]
    if os.path.basename(path) != "vnform":
        return f"{shlex.quote(sys.executable)} -m vnform"
    on_path = shutil.which("vnform")
    if on_path and os.path.realpath(on_path) == os.path.realpath(path):
        return "vnform"
    return shlex.quote(path)


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


def _user_allow(args: argparse.Namespace) -> int:
    return _user_personal_data(args, allowed=True)


def _user_deny(args: argparse.Namespace) -> int:
    return _user_personal_data(args, allowed=False)


def _user_personal_data(args: argparse.Namespace, allowed: bool) -> int:
    from vnform import store
    from vnform.accounts import normalise_email

    email = normalise_email(args.email)

    async def change() -> bool:
        return await store.set_personal_data(email, allowed)

    return _change_account(
        args, email, change,
        "personal_data_allowed" if allowed else "personal_data_denied",
        f"{email} {'sees personal-data answers' if allowed else 'sees personal data masked'}")


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
        async with store.opened(settings_from_args(args).database_url):
            changed = await change()
            if changed:
                await store.audit(action, actor=cli_actor(), email=email)
            return changed

    if not asyncio.run(run()):
        print(f"vnform: no account for {email}", file=sys.stderr)
        return 1
    print(f"vnform: {done}", file=sys.stderr)
    return 0
