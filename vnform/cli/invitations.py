"""``vnform invite``: single-use links that let a citizen rate one case file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from vnform.cli.common import cli_actor, served_forms
from vnform.settings import Settings


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    invite = commands.add_parser("invite", help="single-use links to rate case files")
    invite.add_argument("form_id")
    invite.add_argument("--case", dest="cases", action="append", default=[], metavar="CODE",
                        help="case code (mã hồ sơ) to invite for (repeat for several)")
    invite.add_argument("--case-file", type=Path, metavar="FILE",
                        help="CSV file with case codes in its first column (UTF-8; a header "
                             "row 'case' or 'ma_ho_so' is skipped)")
    invite.add_argument("--base-url", dest="public_url", metavar="URL",
                        help="where citizens reach vnform (default http://127.0.0.1:8000)")
    common(invite)
    invite.set_defaults(run=_invite)


def _invite(args: argparse.Namespace) -> int:
    """Print ``<case>\\t<link>`` per case; each link rates its case once."""
    from urllib.parse import urlsplit

    from vnform import cases, store
    from vnform.links import invitation_url

    # The key must be the server's: a link signed with another key opens nothing.
    settings = Settings.from_env(forms_dir=args.forms_dir, database_url=args.database_url,
                                 public_url=args.public_url).with_secret()
    if not settings.public_url:
        settings = replace(settings, public_url="http://127.0.0.1:8000")
    base = urlsplit(settings.public_url)
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        print(f"vnform: not a base URL (http[s]://host[/path]): {settings.public_url!r}",
              file=sys.stderr)
        return 2
    spec = served_forms(settings).forms.get(args.form_id)
    if spec is None:
        print(f"vnform: no form '{args.form_id}' in {settings.forms_dir} or published in "
              "the database", file=sys.stderr)
        return 1
    if spec.status != "open":
        print(f"vnform: warning: form '{spec.id}' is {spec.status}: its links open "
              "nothing until it is open", file=sys.stderr)
    try:
        codes = [cases.clean_case_code(code) for code in args.cases]
    except cases.CaseCodeError as exc:
        print(f"vnform: --case: {exc}", file=sys.stderr)
        return 2
    if args.case_file is not None:
        try:
            codes += cases.read_case_csv(args.case_file.read_bytes().decode("utf-8"))
        except OSError as exc:
            print(f"vnform: cannot read {args.case_file}: {exc.strerror}", file=sys.stderr)
            return 1
        except UnicodeDecodeError:
            print(f"vnform: {args.case_file}: not UTF-8 text (save it as CSV UTF-8)",
                  file=sys.stderr)
            return 2
        except cases.CaseCodeError as exc:
            print(f"vnform: {args.case_file}: {exc}", file=sys.stderr)
            return 2
    codes = cases.unique(codes)
    if not codes:
        print("vnform: no case codes: give --case CODE or --case-file FILE", file=sys.stderr)
        return 2
    actor = cli_actor()

    async def run() -> list[tuple[str, str]]:
        async with store.opened(settings.database_url, must_exist=True):
            made = await store.create_invitations(spec.id, codes, actor)
            await store.audit("invitations_created", actor=actor, form_id=spec.id,
                              count=len(made), via="cli")
            return made

    try:
        made = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing} (run `vnform migrate` first)",
              file=sys.stderr)
        return 1
    for case, secret in made:
        url = invitation_url(settings.public_url, spec.id, secret, settings.secret_key)
        print(f"{case}\t{url}")
    print(f"vnform: {len(made)} invitation(s) for {spec.id}; each link works once",
          file=sys.stderr)
    return 0
