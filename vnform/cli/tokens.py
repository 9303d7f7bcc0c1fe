"""``vnform token add|list|revoke``: API tokens of other systems."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

from vnform.cli.common import cli_actor, settings_from_args, warn_unknown_agencies

TOKEN_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}"


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    token = commands.add_parser("token", help="manage API tokens of other systems")
    tokens = token.add_subparsers(title="token commands", required=True)
    token_add = tokens.add_parser("add", help="create a token; prints its secret once")
    token_add.add_argument("--name", required=True,
                           help="who uses it (letters, digits, '.', '_', '-'), e.g. emc")
    token_add.add_argument("--agency", dest="agencies", action="append", default=[],
                           help="agency code whose forms it may read (repeat for several; "
                                "none: every form)")
    common(token_add)
    token_add.set_defaults(run=_token_add)
    token_list = tokens.add_parser("list", help="list tokens (never their secrets)")
    common(token_list)
    token_list.set_defaults(run=_token_list)
    token_revoke = tokens.add_parser("revoke", help="revoke a token at once")
    token_revoke.add_argument("name")
    common(token_revoke)
    token_revoke.set_defaults(run=_token_revoke)


def _token_add(args: argparse.Namespace) -> int:
    import re

    from vnform import store

    if not re.fullmatch(TOKEN_NAME, args.name):
        print(f"vnform: a token name is 1 to 80 letters, digits, '.', '_' or '-', not "
              f"{args.name!r}", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
    warn_unknown_agencies(settings, args.agencies)

    async def run() -> str | None:
        async with store.opened(settings.database_url):
            try:
                secret = await store.create_api_token(args.name, args.agencies)
            except store.TokenExists:
                return None
            await store.audit("api_token_added", actor=cli_actor(), token=args.name,
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

    settings = settings_from_args(args)

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
        async with store.opened(settings_from_args(args).database_url):
            found = await store.revoke_api_token(args.name)
            if found:
                await store.audit("api_token_revoked", actor=cli_actor(), token=args.name)
            return found

    if not asyncio.run(run()):
        print(f"vnform: no token named {args.name}", file=sys.stderr)
        return 1
    print(f"vnform: revoked token {args.name}; it is refused from now on", file=sys.stderr)
    return 0
