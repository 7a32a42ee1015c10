"""``nndoctor examine [--json F] [--html F] [--quick] RECIPE.py``: pre-flight experiments."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from nndoctor.commands._common import add_output_options, write_outputs

HELP = "examine a recipe before a long run: overfit a tiny subset, check the initial loss, the LR, the data..."


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_output_options(p)
    p.add_argument("--quick", action="store_true", help="shorter experiments (about 3x faster)")
    p.add_argument(
        "--only",
        metavar="EXPERIMENT",
        action="append",
        default=None,
        help="run only this experiment (repeatable), e.g. overfit, learning-rate, baselines",
    )
    p.add_argument("recipe", help="a Python file defining recipe() -> dict (see CONTRACT.md)")


def main(args: argparse.Namespace) -> int:
    import torch

    from nndoctor.experiments.display import RichProgress, outcomes_renderable
    from nndoctor.experiments.runner import examine
    from nndoctor.recipe import load_recipe
    from nndoctor.report.terminal import make_console, print_summary

    console = make_console()
    started = time.time()
    recipe = load_recipe(args.recipe)
    progress = RichProgress(console)
    try:
        result = examine(recipe, quick=args.quick, only=args.only, ignore=args.ignore, progress=progress)
    finally:
        progress.close()
    console.print()
    console.print(outcomes_renderable(result.outcomes, result.seconds))
    name = Path(args.recipe).name
    print_summary(console, result.findings, details=True, headline=f"nndoctor examine: {name}")
    meta = {
        "script": str(Path(args.recipe).resolve()),
        "torch": torch.__version__,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
    }
    write_outputs(args, result.findings, title=f"nndoctor examine {name}", trace=result.trace, meta=meta)
    return 0
