"""``vnform tallies verify|rebuild``: check the counters results read against the raw
answers, and count them again (after a time-zone change or a restore)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from vnform.cli.common import served_forms_now, settings_from_args
from vnform.forms.spec import FormSpec
from vnform.settings import Settings

#: Differences printed before "... and N more".
SHOWN = 50


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    tallies = commands.add_parser(
        "tallies", help="check or rebuild the counts that results and indicators read")
    verbs = tallies.add_subparsers(title="tallies commands", required=True)
    verify = verbs.add_parser(
        "verify", help="recount from the raw answers; report any difference (exit 1)")
    rebuild = verbs.add_parser(
        "rebuild", help="count again from the raw answers (after a change of VNFORM_TIMEZONE "
                        "or a restore); submissions to a form wait while it is recounted")
    for parser, run in ((verify, _verify), (rebuild, _rebuild)):
        parser.add_argument("--form", dest="form_ids", action="append", metavar="ID",
                            help="only this form (repeat for several; default: every form "
                                 "with responses or counts)")
        common(parser)
        parser.set_defaults(run=run)


async def _specs(settings: Settings) -> dict[str, FormSpec]:
    """The forms served (the database already open)."""
    return dict((await served_forms_now(settings)).forms)


def _verify(args: argparse.Namespace) -> int:
    from vnform import store

    settings = settings_from_args(args)
    tz = ZoneInfo(settings.timezone)

    async def run() -> list[store.Difference]:
        async with store.opened(settings.database_url, must_exist=True):
            return await store.verify(tz, args.form_ids, await _specs(settings))

    try:
        found = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 2
    for difference in found[:SHOWN]:
        print(difference)
    if len(found) > SHOWN:
        print(f"... and {len(found) - SHOWN} more")
    if found:
        print(f"vnform: {len(found)} difference(s) between the counts and the raw answers; "
              "`vnform tallies rebuild` counts them again", file=sys.stderr)
        return 1
    print("vnform: the counts match the raw answers", file=sys.stderr)
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from vnform import store

    settings = settings_from_args(args)
    tz = ZoneInfo(settings.timezone)
    started = time.monotonic()

    async def run() -> list[str]:
        async with store.opened(settings.database_url, must_exist=True):
            done = await store.rebuild(tz, args.form_ids, await _specs(settings))
            await store.analyze()
            return done

    try:
        done = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 2
    print(f"vnform: counted {len(done)} form(s) again, by day in {tz.key}, in "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0
