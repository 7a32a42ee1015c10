"""``nndoctor demo``: the built-in demo on bundled data (no network)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nndoctor.trace.record import DEFAULT_LOG_DIR

HELP = "the built-in demo: watch a buggy training script on bundled data (no network)"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-dir", default=DEFAULT_LOG_DIR)


def main(args: argparse.Namespace) -> int:
    from nndoctor.commands import run

    ns = argparse.Namespace(
        script=str(EXAMPLES / "buggy_digits.py"), args=[], log_dir=args.log_dir, no_record=False,
        ignore=[], json=None, html=None,
    )
    return run.main(ns)
