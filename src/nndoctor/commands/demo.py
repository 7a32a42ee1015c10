"""``nndoctor demo``: the built-in demo on bundled data (no network, under a minute).

1. ``examine`` a deliberately buggy digits classifier (examples/buggy_digits_recipe.py): the
   pre-flight experiments find the bugs before any long training;
2. ``examine`` the fixed recipe (examples/fixed_digits_recipe.py): no problems;
3. ``run`` the buggy training script examples/buggy_digits.py under the live monitor.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nndoctor.trace.record import DEFAULT_LOG_DIR

HELP = "the built-in demo: examine a buggy model, then its fix, then watch a buggy script train (bundled data)"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-dir", default=DEFAULT_LOG_DIR, help=f"where the run record goes (default: {DEFAULT_LOG_DIR})")
    p.add_argument("--full", action="store_true", help="full-length experiments instead of --quick ones")


def main(args: argparse.Namespace) -> int:
    from nndoctor.commands import run
    from nndoctor.experiments.display import RichProgress, outcomes_renderable
    from nndoctor.experiments.runner import examine
    from nndoctor.recipe import load_recipe
    from nndoctor.report.terminal import make_console, print_summary

    console = make_console()
    steps = (
        ("buggy_digits_recipe.py", "a buggy MLP on digits: raw pixels, a missing activation, softmax before the loss"),
        ("fixed_digits_recipe.py", "the same recipe, fixed"),
    )
    for i, (name, what) in enumerate(steps, 1):
        console.rule(f"[bold]{i}/3  nndoctor examine {name}[/bold]: {what}")
        progress = RichProgress(console)
        try:
            result = examine(load_recipe(EXAMPLES / name), quick=not args.full, progress=progress)
        finally:
            progress.close()
        console.print(outcomes_renderable(result.outcomes, result.seconds))
        print_summary(console, result.findings, details=i == 1, headline=f"nndoctor examine: {name}")
    console.rule("[bold]3/3  nndoctor run buggy_digits.py[/bold]: the live monitor on a buggy training script")
    parser = argparse.ArgumentParser(add_help=False)
    run.add_arguments(parser)
    ns = parser.parse_args(["--log-dir", args.log_dir, str(EXAMPLES / "buggy_digits.py")])
    return run.main(ns)
