"""``vnform purge [--dry-run]``: erase what is kept past its time (personal-data answers
past their form's retention, automated submissions, expired sessions, old sign-in
failures), as the daily job of ``vnform serve`` does; for a cron job when
``VNFORM_DAILY_JOBS`` is off, or to see what the next run would erase."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

from vnform.cli.common import cli_actor, served_forms_now, settings_from_args


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    purge = commands.add_parser(
        "purge", help="erase personal data past its form's retention, and other data "
                      "kept past its time")
    purge.add_argument("--dry-run", action="store_true",
                       help="count what would be erased, erase nothing")
    common(purge)
    purge.set_defaults(run=_purge)


def _purge(args: argparse.Namespace) -> int:
    from vnform import retention, store

    settings = settings_from_args(args)

    async def run() -> retention.Purged:
        async with store.opened(settings.database_url, must_exist=True):
            served = (await served_forms_now(settings)).forms
            purged = await retention.purge(served, settings, dry_run=args.dry_run)
            if not args.dry_run:
                await store.audit("purged", actor=cli_actor(), via="cli",
                                  responses=sum(purged.personal.values()))
            return purged

    try:
        purged = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 2
    verb = "would erase" if args.dry_run else "erased"
    print("FORM  PERSONAL_DATA_RESPONSES  AUTOMATED_SUBMISSIONS")
    for form_id in sorted(set(purged.personal) | set(purged.flagged)):
        print(f"{form_id}  {purged.personal.get(form_id, 0)}  {purged.flagged.get(form_id, 0)}")
    print(f"vnform: {verb} the personal data of {sum(purged.personal.values())} "
          f"response(s), {sum(purged.flagged.values())} automated submission(s), "
          f"{purged.sessions} expired session(s) and {purged.login_failures} old "
          "sign-in failure(s)", file=sys.stderr)
    return 0
