"""``vnform user add|list|disable|enable|set-password``: officials' accounts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from vnform.accounts import ROLES
from vnform.cli.common import cli_actor, settings_from_args, warn_unknown_agencies
from vnform.settings import Settings


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
    common(add)
    add.set_defaults(run=_user_add)
    listing = users.add_parser("list", help="list accounts")
    common(listing)
    listing.set_defaults(run=_user_list)
    for name, helptext, run in (("disable", "disable an account and end its sessions",
                                 _user_disable),
                                ("enable", "enable a disabled account", _user_enable)):
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
        await store.audit("user_added", actor=cli_actor(), email=email, role=role,
                          agencies=sorted(set(agencies)))
    print(f"vnform: added {role} {email}", file=sys.stderr)
    return 0


def _user_list(args: argparse.Namespace) -> int:
    from vnform import store

    async def run() -> list:
        async with store.opened(settings_from_args(args).database_url):
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
