"""``vnform privacy report [--form ID] [--format md|json]``: the record of processing of
personal data, for the impact assessment dossier (:mod:`vnform.privacy_report`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from vnform.cli.common import served_forms_now, settings_from_args, write_output


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    privacy = commands.add_parser("privacy", help="personal data: the record of processing")
    verbs = privacy.add_subparsers(title="privacy commands", required=True)
    report = verbs.add_parser(
        "report", help="per form: purpose, controller, each personal-data field and its "
                       "category, retention, counts held, who sees them, who receives data, "
                       "safeguards")
    report.add_argument("--form", dest="form_ids", action="append", metavar="ID",
                        help="only this form (repeat for several; default: every form "
                             "that collects personal data)")
    report.add_argument("--format", choices=["md", "json"], default="md")
    report.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    common(report)
    report.set_defaults(run=_report)


def _report(args: argparse.Namespace) -> int:
    from vnform import masking, privacy_report, store

    settings = settings_from_args(args)

    async def run() -> list[privacy_report.FormRecord] | str:
        async with store.opened(settings.database_url, must_exist=True):
            served = (await served_forms_now(settings)).forms
            wanted = args.form_ids or sorted(served)
            unknown = [form_id for form_id in wanted if form_id not in served]
            if unknown:
                return f"no form {unknown[0]!r} is served"
            accounts = await store.list_users()
            tokens = [client for client, _used in await store.list_api_tokens()]
            records = []
            for form_id in wanted:
                spec = served[form_id]
                if not spec.personal_questions:
                    continue
                held = await store.personal_held(form_id, sorted(masking.personal_keys(spec)))
                records.append(privacy_report.form_record(spec, held, accounts, tokens,
                                                          settings.daily_jobs))
            return records

    try:
        found = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 2
    if isinstance(found, str):
        print(f"vnform: {found}", file=sys.stderr)
        return 1
    text = privacy_report.as_json(found) if args.format == "json" \
        else privacy_report.as_markdown(found)
    write_output(args.output, text)
    return 0
