"""The ``vnform`` command: :func:`main` and the parser, assembled from one module per
command group, each with an ``add_commands`` that registers its commands:

- :mod:`vnform.cli.server`: serve, migrate
- :mod:`vnform.cli.forms`: check
- :mod:`vnform.cli.exports`: export
- :mod:`vnform.cli.users`: user add|list|disable|enable|set-password
- :mod:`vnform.cli.indicators`: indicators
- :mod:`vnform.cli.invitations`: invite
- :mod:`vnform.cli.tokens`: token add|list|revoke
- :mod:`vnform.cli.demo`: demo
- :mod:`vnform.cli.tallies`: tallies verify|rebuild
- :mod:`vnform.cli.common`: the options and helpers several of them share
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vnform import __version__
from vnform.cli import (
    demo,
    exports,
    forms,
    indicators,
    invitations,
    privacy,
    purge,
    server,
    subjects,
    tallies,
    tokens,
    users,
)
from vnform.cli.common import add_common_options


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
    # Registered in the order `vnform --help` lists them: serve first, migrate last.
    server.add_serve(commands, add_common_options)
    forms.add_commands(commands, add_common_options)
    exports.add_commands(commands, add_common_options)
    users.add_commands(commands, add_common_options)
    indicators.add_commands(commands, add_common_options)
    invitations.add_commands(commands, add_common_options)
    tokens.add_commands(commands, add_common_options)
    demo.add_commands(commands, add_common_options)
    tallies.add_commands(commands, add_common_options)
    subjects.add_commands(commands, add_common_options)
    purge.add_commands(commands, add_common_options)
    privacy.add_commands(commands, add_common_options)
    server.add_migrate(commands)
    return parser
