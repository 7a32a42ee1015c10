"""The ``nndoctor`` command line (see CONTRACT.md). Each subcommand lives in ``nndoctor.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from nndoctor.errors import BadInput

#: Subcommands, in the order ``--help`` lists them; a missing module is skipped.
COMMANDS = ("run", "examine", "demo", "report")


def _command_modules() -> dict:
    mods = {}
    for name in COMMANDS:
        try:
            mods[name] = importlib.import_module(f"nndoctor.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"nndoctor.commands.{name}":
                raise
    return mods


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    parser = argparse.ArgumentParser(
        prog="nndoctor", description="Troubleshoot PyTorch training: find what is wrong, where, and how to fix it."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    mods = _command_modules()
    for name, mod in mods.items():
        mod.add_arguments(sub.add_parser(name, help=mod.HELP, description=mod.HELP))
    return parser, mods


def main(argv: Sequence[str] | None = None) -> int:
    parser, mods = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return mods[args.command].main(args)
    except BadInput as exc:
        print(f"nndoctor: error: {exc}", file=sys.stderr)
        return 2


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
