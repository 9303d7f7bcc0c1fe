"""``vnform export``: a form's responses as CSV, XLSX or JSON lines, or its data
dictionary."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from vnform.cli.common import (
    cli_actor,
    iso_date,
    served_forms_now,
    settings_from_args,
    write_output,
)


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    export = commands.add_parser("export", help="export a form's responses")
    export.add_argument("form_id")
    export.add_argument("--format", choices=["csv", "xlsx", "jsonl"], default="csv")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.add_argument("--excel", action="store_true",
                        help="CSV: start with a byte-order mark so Excel reads UTF-8")
    export.add_argument("--since", type=iso_date, help="first day (YYYY-MM-DD, local time)")
    export.add_argument("--until", type=iso_date, help="last day, included (YYYY-MM-DD)")
    export.add_argument("--version", dest="form_version", help="only this form version")
    export.add_argument("--labels", action="store_true",
                        help="choice labels (in the form's first language) instead of codes")
    export.add_argument("--dictionary", action="store_true",
                        help="write the data dictionary (CSV) instead of the responses")
    export.add_argument("--include-personal-data", action="store_true",
                        help="with the personal-data columns (left out by default); the "
                             "audit log records it")
    common(export)
    export.set_defaults(run=_export)


def _export(args: argparse.Namespace) -> int:
    from vnform.store import NoDatabase

    try:
        return asyncio.run(_export_async(args))
    except NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 1


async def _export_async(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from vnform import export, masking, store
    from vnform.datasets import export_columns, form_versions
    from vnform.dictionary import dictionary_csv, dictionary_rows
    from vnform.filters import Filters

    settings = settings_from_args(args)
    filters = Filters(since=args.since, until=args.until, version=args.form_version)
    tz = ZoneInfo(settings.timezone)
    async with store.opened(settings.database_url, must_exist=True):
        current = (await served_forms_now(settings)).forms.get(args.form_id)
        found = await export_columns(args.form_id, current)
        if found is None:
            print(f"vnform: no form '{args.form_id}' in {settings.forms_dir} or the "
                  "database", file=sys.stderr)
            return 1
        spec, cols = found
        if args.dictionary:
            versions = await store.version_days(args.form_id, tz)
            write_output(args.output, dictionary_csv(cols, versions, excel=args.excel))
            return 0
        if not args.include_personal_data:
            versions_seen = await form_versions(args.form_id, current)
            personal = masking.personal_keys(versions_seen[0], *versions_seen[1]) \
                if versions_seen else frozenset()
            cols = [column for column in cols if column.key not in personal]
        labels = spec.languages[0] if args.labels else None
        rows = 0

        def count(n: int) -> None:
            nonlocal rows
            rows += n

        batches = store.iter_responses(args.form_id, filters, tz)
        if spec.consultation is not None:  # one row per comment
            from vnform.consultation.exports import comment_columns, comment_rows

            cols = [*comment_columns(), *cols]
            batches = comment_rows(args.form_id, batches)
        if args.format == "xlsx" and args.output is None:
            print("vnform: XLSX needs --output FILE", file=sys.stderr)
            return 2
        stream: AsyncIterator[str | bytes]
        if args.format == "xlsx":
            versions = await store.version_days(args.form_id, tz)
            stream = export.xlsx_stream(cols, batches, labels=labels, counted=count,
                                        dictionary=dictionary_rows(cols, versions))
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
        await store.audit("export", actor=cli_actor(), form_id=args.form_id,
                          format=args.format, rows=rows, via="cli",
                          **({"personal_data": "shown"} if args.include_personal_data
                             else {}), **filters.describe())
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
