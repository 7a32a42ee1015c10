"""Helpers for the examine tests: load a zoo recipe, examine it once per session, read findings."""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path

from nndoctor.experiments import Budget, Examination, examine
from nndoctor.findings import Finding, Severity
from nndoctor.recipe import load_recipe

RECIPES = Path(__file__).resolve().parent.parent / "zoo" / "recipes"
if str(RECIPES) not in sys.path:
    sys.path.insert(0, str(RECIPES))  # the recipes import their data helpers (recipe_data.py)
#: Shorter than the quick preset (the suite has a time budget), and without the wall-clock safety
#: net, so results never depend on machine load.
BUDGET = dataclasses.replace(
    Budget.quick(),
    overfit_steps=150,
    overfit100_steps=100,
    lr_steps=50,
    lr_retries=4,
    range_steps=30,
    train_steps=250,
    train_seconds=float("inf"),
    sklearn_examples=600,
)


@functools.cache
def examined(name: str, only: tuple[str, ...] | None = None) -> Examination:
    """``tests/zoo/recipes/<name>.py`` examined once per session (``only``: a subset of experiments)."""
    return examine(load_recipe(RECIPES / f"{name}.py"), only=only, budget=BUDGET)


def found(result: Examination, rule_id: str) -> list[Finding]:
    return [f for f in result.findings if f.id == rule_id]


def problems(result: Examination) -> dict[str, list[str | None]]:
    """Error and warning findings by id (a healthy recipe has none)."""
    out: dict[str, list[str | None]] = {}
    for f in result.findings:
        if f.severity in (Severity.ERROR, Severity.WARNING):
            out.setdefault(f.id, []).append(f.where)
    return out
