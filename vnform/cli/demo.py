"""``vnform demo``: fill the database with generated responses that pass a form's rules
(for demonstrations and benchmarks)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections.abc import Callable

from vnform.cli.common import served_forms, settings_from_args


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
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
    common(demo)
    demo.set_defaults(run=_demo)


def _demo(args: argparse.Namespace) -> int:
    """Add generated responses that pass the form's rules, in batched transactions."""
    import time
    from zoneinfo import ZoneInfo

    from vnform import demo, store

    if args.responses < 1:
        print(f"vnform: --responses must be 1 or more, not {args.responses}", file=sys.stderr)
        return 2
    if args.batch < 1:
        print(f"vnform: --batch must be 1 or more, not {args.batch}", file=sys.stderr)
        return 2
    if not args.days > 0:
        print(f"vnform: --days must be more than 0, not {args.days}", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
    spec = served_forms(settings).forms.get(args.form_id)
    if spec is None:
        print(f"vnform: no form '{args.form_id}' in {settings.forms_dir} or published in "
              "the database", file=sys.stderr)
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
