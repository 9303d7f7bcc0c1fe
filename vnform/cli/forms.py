"""``vnform check``: check form files and print their problems as file:line:col;
``vnform forms list|pull|push``: move forms between files and the database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from vnform.cli.common import cli_actor, served_forms_now, settings_from_args, write_output


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    check = commands.add_parser("check", help="check form files; print file:line:col problems")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: forms/)")
    check.add_argument("--strict", action="store_true", help="warnings also fail the check")
    check.set_defaults(run=_check)

    forms = commands.add_parser(
        "forms", help="list the forms served; move forms between files and the database")
    verbs = forms.add_subparsers(title="forms commands", required=True)
    listing = verbs.add_parser("list", help="every form: id, where it is kept, state, "
                                            "version, agency")
    common(listing)
    listing.set_defaults(run=_list)
    pull = verbs.add_parser("pull", help="print a form's YAML (from the database: its draft, "
                                         "else its live version)")
    pull.add_argument("form_id", metavar="ID")
    pull.add_argument("--live", action="store_true",
                      help="the live version, even when there is a draft")
    common(pull)
    pull.set_defaults(run=_pull)
    push = verbs.add_parser("push", help="save a YAML file as the draft of its form in the "
                                         "database (a new form when the id is new)")
    push.add_argument("file", type=Path, metavar="FILE")
    push.add_argument("--publish", action="store_true",
                      help="then publish it: every server serves it within seconds")
    push.add_argument("--agency", metavar="CODE",
                      help="the agency of a form imported from an XLSForm (.xlsx, .xls)")
    common(push)
    push.set_defaults(run=_push)


def _check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from vnform.forms.registry import form_files, load_all

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


def _list(args: argparse.Namespace) -> int:
    import asyncio

    from vnform import store
    from vnform.forms.registry import Registry

    settings = settings_from_args(args)

    async def stored() -> tuple[list[store.Design], Registry]:
        async with store.opened(settings.database_url, must_exist=True):
            return await store.designs(), await served_forms_now(settings)

    try:
        designs, served = asyncio.run(stored())
    except store.NoDatabase:
        designs, served = [], Registry.load(settings.forms_dir)
    rows = [(spec.id, spec.source, spec.status, spec.version, spec.agency)
            for form_id, spec in served.forms.items() if form_id in served.from_files]
    for design in designs:
        spec = served.forms.get(design.form_id)
        state = design.state + (" + draft" if design.draft_revision and design.live_revision
                                else "")
        rows.append((design.form_id, "database", state, spec.version if spec else "-",
                     design.agency))
    for row in sorted(rows):
        print("\t".join(row))
    print(f"{len(rows)} form(s): {len(served.from_files)} in {settings.forms_dir}, "
          f"{len(designs)} in the database", file=sys.stderr)
    return 0


def _pull(args: argparse.Namespace) -> int:
    import asyncio

    from vnform import store
    from vnform.forms.registry import Registry

    settings = settings_from_args(args)
    files = Registry.load(settings.forms_dir)
    if args.form_id in files.forms:
        source = Path(files.forms[args.form_id].source).read_text(encoding="utf-8")
        write_output(None, source)
        return 0

    async def text() -> str | None:
        async with store.opened(settings.database_url, must_exist=True):
            design = await store.design(args.form_id)
            if design is None:
                return None
            chosen = design.live_revision if args.live else design.head
            found = await store.design_revision(chosen) if chosen else None
            return found.source if found else None

    try:
        source = asyncio.run(text())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 1
    if source is None:
        what = "published form" if args.live else "form"
        print(f"vnform: no {what} '{args.form_id}' in {settings.forms_dir} or the database",
              file=sys.stderr)
        return 1
    write_output(None, source)
    return 0


def _source_of(path: Path, agency: str | None) -> str:
    """The YAML text of *path*: as written, or converted from an XLSForm (its report on
    stderr, and kept as comments at the top)."""
    if path.suffix.lower() not in (".xlsx", ".xls"):
        return path.read_text(encoding="utf-8")
    from vnform.forms import xlsform

    if not agency:
        raise ValueError("an XLSForm names no agency: add --agency CODE")
    try:
        converted = xlsform.convert(path.read_bytes(), path.name, agency)
    except xlsform.XLSFormError as exc:
        raise ValueError(str(exc)) from None
    for line in converted.report:
        print(f"{path}: not converted as it was: {line}", file=sys.stderr)
    return converted.source


def _push(args: argparse.Namespace) -> int:
    import asyncio

    from vnform import publishing, store
    from vnform.forms.registry import Registry

    settings = settings_from_args(args)
    try:
        source = _source_of(args.file, args.agency)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        print(f"vnform: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    files = Registry.load(settings.forms_dir)
    checked = publishing.check(source, files, path=str(args.file))
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    if checked.spec is None:
        print(f"vnform: {args.file} has errors: nothing was saved", file=sys.stderr)
        return 1
    spec = checked.spec
    actor = cli_actor()

    async def run() -> tuple[store.Revision, store.Revision | None]:
        async with store.opened(settings.database_url, must_exist=True):
            design = await store.design(spec.id)
            saved = await publishing.save(checked, actor, design.head if design else None)
            published = await publishing.publish(spec.id, actor, saved.id) \
                if args.publish else None
            return saved, published

    try:
        saved, published = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing} (run vnform migrate)", file=sys.stderr)
        return 1
    except store.DesignError as exc:
        print(f"vnform: {exc}", file=sys.stderr)
        return 1
    done = "published" if published else "saved as the draft"
    print(f"vnform: form '{spec.id}' {done} (revision {saved.id}, version {spec.version})",
          file=sys.stderr)
    return 0

