"""What several commands share: the --forms/--db options, settings from the arguments,
the date argument type, writing output, and the actor the audit log records."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vnform.settings import Settings

if TYPE_CHECKING:
    from vnform.forms.registry import Registry


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add --forms and --db to a command that reads forms or the database."""
    parser.add_argument("--forms", dest="forms_dir", type=Path,
                        help="folder of form files (default forms/)")
    parser.add_argument("--db", dest="database_url",
                        help="database URL (default sqlite://var/vnform.sqlite3)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The environment's settings, overridden by whichever options the command has."""
    names = ("forms_dir", "database_url", "host", "port", "migrate")
    return Settings.from_env(**{n: getattr(args, n, None) for n in names})


def iso_date(text: str) -> dt.date:
    """Argument type for a day given as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def write_output(path: Path | None, text: str) -> None:
    """Write *text* as UTF-8 to *path*, or to stdout when it is None."""
    if path is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    else:
        path.write_text(text, encoding="utf-8", newline="")


def cli_actor() -> str:
    """Who the audit log says acted: ``cli:<login name>``, or ``cli`` when unknown."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def served_forms(settings: Settings) -> Registry:
    """The forms a server of *settings* serves: the forms folder's, and those published
    in the database (when it exists)."""
    import asyncio

    from vnform import store

    async def stored() -> Registry:
        try:
            async with store.opened(settings.database_url, must_exist=True):
                return await served_forms_now(settings)
        except store.NoDatabase:
            return _files(settings)

    return asyncio.run(stored())


async def served_forms_now(settings: Settings) -> Registry:
    """:func:`served_forms`, with the database already open."""
    from vnform import store

    return _files(settings).merged(await store.served_sources())


def _files(settings: Settings) -> Registry:
    from vnform.forms.registry import Registry

    return Registry.load(settings.forms_dir)


def warn_unknown_agencies(settings: Settings, agencies: list[str]) -> None:
    """Warn about each of *agencies* that no form served belongs to (a typo, most
    likely): the command goes on."""
    known = {spec.agency for spec in served_forms(settings).forms.values()}
    for agency in sorted(set(agencies) - known):
        print(f"vnform: warning: no form in {settings.forms_dir} belongs to agency "
              f"'{agency}'", file=sys.stderr)
