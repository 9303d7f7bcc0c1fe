"""``vnform indicators``: satisfaction indicators for a period, as JSON or CSV."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from vnform.cli.common import served_forms, settings_from_args, write_output


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    indicators = commands.add_parser("indicators", help="satisfaction indicators for a period")
    indicators.add_argument("--period", required=True,
                            help="a month (2026-11), a quarter (2026-Q4) or a year (2026)")
    indicators.add_argument("--by", choices=["form", "service", "agency"], default="form")
    indicators.add_argument("--format", choices=["json", "csv"], default="json")
    indicators.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    indicators.add_argument("--min-n", type=int, dest="min_n",
                            help="fewest valid answers for a figure (default 30)")
    common(indicators)
    indicators.set_defaults(run=_indicators)


def _indicators(args: argparse.Namespace) -> int:
    import json

    from vnform import reports, store
    from vnform.indicators import parse_period

    try:
        period = parse_period(args.period)
    except ValueError as exc:
        print(f"vnform: {exc}", file=sys.stderr)
        return 2
    settings = settings_from_args(args)
    specs = list(served_forms(settings).forms.values())
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
    write_output(args.output, text)
    return 0
