"""The ``vnform`` command: serve, check, export, migrate."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from vnform import __version__
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
    _common(serve)
    serve.set_defaults(run=_serve)

    check = commands.add_parser("check", help="check form files; print file:line:col problems")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: forms/)")
    check.add_argument("--strict", action="store_true", help="warnings also fail the check")
    check.set_defaults(run=_check)

    export = commands.add_parser("export", help="export a form's responses")
    export.add_argument("form_id")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.add_argument("--excel", action="store_true",
                        help="start with a byte-order mark so Excel reads UTF-8")
    _common(export)
    export.set_defaults(run=_export)

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
    names = ("forms_dir", "database_url", "host", "port")
    return Settings.from_env(**{n: getattr(args, n, None) for n in names})


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from vnform.app import create_app
    from vnform.registry import Registry

    settings = _settings(args)
    registry = Registry.load(settings.forms_dir)
    for problem in registry.problems:
        print(problem, file=sys.stderr)
    if not settings.forms_dir.exists():
        print(f"vnform: no forms folder at {settings.forms_dir}", file=sys.stderr)
    print(f"vnform: serving {len(registry.forms)} form(s) at "
          f"http://{settings.host}:{settings.port}", file=sys.stderr)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="info", proxy_headers=False)
    return 0


def _check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from vnform.registry import form_files, load_all

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


def _export(args: argparse.Namespace) -> int:
    return asyncio.run(_export_async(args))


async def _export_async(args: argparse.Namespace) -> int:
    from vnform import store
    from vnform.export import answer_columns, csv_stream
    from vnform.loader import build_from_definition
    from vnform.registry import Registry

    settings = _settings(args)
    current = Registry.load(settings.forms_dir).forms.get(args.form_id)
    async with store.opened(settings.database_url):
        stored = await store.stored_versions(args.form_id)
        older = [build_from_definition(d) for v, d in reversed(stored)
                 if current is None or v != current.version]
        if current is None:
            if not older:
                print(f"vnform: no form '{args.form_id}' in {settings.forms_dir} or the "
                      "database", file=sys.stderr)
                return 1
            current, older = older[0], older[1:]
        columns = answer_columns(current, older)
        out = args.output.open("w", encoding="utf-8", newline="") if args.output else None
        target = out or sys.stdout
        try:
            async for chunk in csv_stream(columns, store.iter_responses(args.form_id),
                                          excel=args.excel):
                target.write(chunk)
        finally:
            if out:
                out.close()
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from vnform import store

    settings = Settings.from_env(database_url=args.database_url)
    asyncio.run(store.prepare(settings.database_url))
    print(f"vnform: database ready at {settings.database_url}", file=sys.stderr)
    return 0
