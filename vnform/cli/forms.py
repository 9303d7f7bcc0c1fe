"""``vnform check``: check form files and print their problems as file:line:col."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    check = commands.add_parser("check", help="check form files; print file:line:col problems")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders (default: forms/)")
    check.add_argument("--strict", action="store_true", help="warnings also fail the check")
    check.set_defaults(run=_check)


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
