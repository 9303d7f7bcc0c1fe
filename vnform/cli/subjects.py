"""``vnform subject find|erase``: a citizen's request made at a counter. Find the
responses whose personal-data answers match what the citizen gives (their phone number,
their case code...), then erase them. Both are audited, never with the values."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from collections.abc import Callable

from vnform.cli.common import cli_actor, served_forms_now, settings_from_args


def add_commands(commands: argparse._SubParsersAction,
                 common: Callable[[argparse.ArgumentParser], None]) -> None:
    subject = commands.add_parser(
        "subject", help="find and erase a citizen's personal data, at their request")
    verbs = subject.add_subparsers(title="subject commands", required=True)
    find = verbs.add_parser(
        "find", help="list the responses whose personal-data answers equal a value")
    find.add_argument("--value", required=True, action="append", dest="values",
                      help="what the citizen gives: a phone number, an email, a case "
                           "code... (repeat for several; case and spaces in numbers "
                           "do not matter)")
    find.add_argument("--form", dest="form_ids", action="append", metavar="ID",
                      help="only this form (repeat for several; default: every form)")
    common(find)
    find.set_defaults(run=_find)
    erase = verbs.add_parser("erase", help="erase responses (found with 'subject find')")
    erase.add_argument("response_ids", nargs="+", type=int, metavar="RESPONSE_ID")
    erase.add_argument("--personal-only", action="store_true",
                       help="erase only their personal-data answers (default: the whole "
                            "responses); their counts stay counted either way")
    common(erase)
    erase.set_defaults(run=_erase)


def searched(value: str) -> list[str]:
    """What a value is looked up as (case aside): as typed, and its digits alone when it
    is a number typed with spaces, dots or dashes (0912 345 678)."""
    text = value.strip()
    forms = {text}
    if re.fullmatch(r"[+\d][\d .\-()]*", text):
        digits = re.sub(r"\D", "", text)
        forms.add(digits)
        # A Vietnamese number given with its country code is stored as 0...
        if text.startswith("+84") or (digits.startswith("84") and len(digits) in (11, 12)):
            forms.add("0" + digits[2:])
    return sorted(forms)


def _find(args: argparse.Namespace) -> int:
    from vnform import masking, store
    from vnform.datasets import form_versions

    settings = settings_from_args(args)
    values = sorted({form for value in args.values for form in searched(value)})

    async def run() -> list[store.SubjectMatch]:
        async with store.opened(settings.database_url, must_exist=True):
            served = (await served_forms_now(settings)).forms
            ids = args.form_ids or sorted(set(served) | set(await store.form_ids_stored()))
            personal = {}
            for form_id in ids:
                found = await form_versions(form_id, served.get(form_id))
                if found is not None:
                    personal[form_id] = sorted(masking.personal_keys(found[0], *found[1]))
            matches = await store.find_subject(personal, values)
            await store.audit("subject_searched", actor=cli_actor(), via="cli",
                              responses=len({m.response_id for m in matches}),
                              forms=sorted({m.form_id for m in matches}))
            return matches

    try:
        matches = asyncio.run(run())
    except store.NoDatabase as missing:
        print(f"vnform: no database at {missing}", file=sys.stderr)
        return 2
    print("RESPONSE_ID  FORM  SUBMITTED  REFERENCE  QUESTION")
    for match in matches:
        print(f"{match.response_id}  {match.form_id}  "
              f"{match.submitted_at.isoformat(timespec='seconds')}  "
              f"{match.reference or '-'}  {match.question}")
    print(f"vnform: {len({m.response_id for m in matches})} response(s) found; erase them "
          "with: vnform subject erase RESPONSE_ID ...", file=sys.stderr)
    return 0


def _erase(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from vnform import masking, store
    from vnform.datasets import form_versions

    settings = settings_from_args(args)
    tz = ZoneInfo(settings.timezone)

    async def run() -> tuple[int, list[int]]:
        async with store.opened(settings.database_url, must_exist=True):
            forms = await store.response_forms(args.response_ids)
            served = (await served_forms_now(settings)).forms
            done = 0
            for form_id in sorted(set(forms.values())):
                ids = sorted(rid for rid, form in forms.items() if form == form_id)
                found = await form_versions(form_id, served.get(form_id))
                specs = [found[0], *found[1]] if found else []
                fold = sorted(masking.value_keys(*specs))
                if args.personal_only:
                    keys = sorted(masking.personal_keys(*specs))
                    done += await store.erase_personal(form_id, ids, keys, tz, fold)
                else:
                    done += await store.delete_responses(form_id, ids, tz, fold)
                await store.audit("response_erased" if args.personal_only
                                  else "response_deleted", actor=cli_actor(), form_id=form_id,
                                  via="cli", responses=len(ids))
            return done, sorted(set(args.response_ids) - set(forms))

    try:
        done, missing = asyncio.run(run())
    except store.NoDatabase as absent:
        print(f"vnform: no database at {absent}", file=sys.stderr)
        return 2
    for response_id in missing:
        print(f"vnform: no response {response_id}", file=sys.stderr)
    what = "personal-data answers of" if args.personal_only else ""
    print(f"vnform: erased the {what} {done} response(s)".replace("  ", " "),
          file=sys.stderr)
    return 1 if missing else 0
