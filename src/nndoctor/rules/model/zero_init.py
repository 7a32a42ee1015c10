"""bad-init (live): weight matrices initialised to zero that never move (symmetry never broken)."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import held_throughout, stuck_zero_weights, weight_keys

#: Measurements, and steps between the first and the last, before identical rows are a finding.
MIN_POINTS = 3
MIN_STEPS = 20

FIX = (
    "Do not fill weight matrices with zeros (or any constant): keep PyTorch's default initialisation, or "
    "draw random values (Kaiming for ReLU, Xavier for tanh); zero biases are fine:\n"
    "```\nnn.init.kaiming_uniform_(layer.weight, nonlinearity='relu'); nn.init.zeros_(layer.bias)\n```"
)


@register
class ZeroInit(Rule):
    """Weight matrices that start at exactly zero and never move, or whose rows stay identical.

    What it detects:
        Weight matrices (2+ dims) whose norm is exactly 0 at every sampled step over 20 steps or
        more. A zero-initialised layer whose inputs are non-zero moves at its first update
        (its gradient is the error times its input); one that stays at exactly 0 gets no
        gradient at all, because the weights on both sides of it are zero too. And weight
        matrices filled with one non-zero constant whose rows stay exactly identical at three or
        more measurements over 20 steps or more (``weight_symmetry``): a zero-initialised
        output layer breaks that tie at its first update, a fully constant model never does.
    Why it matters:
        With every weight of a layer equal, every unit computes the same output and receives
        the same gradient, so the units stay identical forever (symmetry is never broken);
        with zeros around them, they get no gradient at all. The model is reduced to its
        biases: its output is the same for every input.
    Fix:
        Leave PyTorch's default initialisation, or use random Kaiming/Xavier values; never a
        zero or constant fill for the weight matrices.
    """

    id = "bad-init"
    severity = Severity.ERROR
    title = "Weights initialised to zero never move"
    requires = frozenset({"param_stats", "weight_symmetry"})

    def check(self, view):
        yield from self._constant_rows(view)
        names, first, last = stuck_zero_weights(view)
        if not names:
            return
        total = len(weight_keys(view, "param_norm"))
        shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
        message = (
            f"{len(names)} of {total} weight matrices ({shown}) are exactly zero at every sampled step from step "
            f"{first} to {last}: initialised to zero, every unit of such a layer computes the same output and gets "
            "the same gradient, here none at all (the weights around it are zero too), so they never move and the "
            "model's output cannot depend on its input."
        )
        evidence = {"zero_weights": names[:20], "count": len(names), "weight_matrices": total, "since_step": first}
        where = names[0].rsplit(".", 1)[0]
        yield self.finding(message, FIX, where=where, step=first, evidence=evidence)

    def _constant_rows(self, view):
        """Weight matrices whose rows stayed identical at every measurement over ``MIN_STEPS``."""
        keys = view.keys("identical_rows")
        names, first, last = held_throughout(
            view, "identical_rows", keys, lambda v: bool(np.all(v == 1.0)), MIN_STEPS, MIN_POINTS
        )
        if not names:
            return
        shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
        message = (
            f"{len(names)} weight matri{'x' if len(names) == 1 else 'ces'} ({shown}) kept every row identical at every "
            f"measurement from step {first} to {last}: initialised to one constant, every unit of such a layer "
            "computes the same output and gets the same gradient, so the units never become different and each "
            "layer is as good as one unit wide (symmetry is never broken)."
        )
        evidence = {"identical_row_weights": names[:20], "count": len(names), "since_step": first, "last_step": last}
        yield self.finding(
            message,
            FIX,
            where=names[0].rsplit(".", 1)[0],
            step=first,
            evidence=evidence,
            title="Weights initialised to a constant never break symmetry",
        )
