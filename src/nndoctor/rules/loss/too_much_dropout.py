"""too-much-regularization (live): dropout so heavy that the model learns nothing."""

from __future__ import annotations

import math

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import layers
from nndoctor.rules.loss import _curve

#: A single dropout layer dropping at least this share of its inputs is heavy by itself ...
HEAVY_P = 0.8
#: ... and so is a stack whose keep probabilities multiply to at most this (0.5 in three layers:
#: 0.125, usual; 0.9 in three: 0.001).
MIN_KEEP = 0.05
MIN_STEPS = 50


def dropout_layers(view) -> dict[str, list[tuple[str, float]]]:
    """Per model, its dropout layers in execution order with their drop rate ``p``."""
    out = {}
    for model, layer_list in layers(view).items():
        drops = [(d["name"], float(d["p"])) for d in layer_list if isinstance(d.get("p"), (int, float))]
        if drops:
            out[model] = drops
    return out


@register
class TooMuchDropout(Rule):
    """Dropout drops so much of the signal that the model learns nothing.

    What it detects:
        A model with a dropout layer of ``p`` 0.8 or more, or dropout layers whose keep
        probabilities ``1 - p`` multiply to 5% or less, while it learns nothing: the training
        loss at 90% or more of what a constant prediction scores, or outputs that do not vary
        across the batch.
    Why it matters:
        Dropout zeroes a share ``p`` of the units at each training step. At ``p=0.9`` (often
        meant as a keep probability of 0.9) only a tenth of each layer passes its signal on, and
        over three such layers a thousandth of the paths through the network survive a step:
        the gradient is mostly noise and the model underfits, down to learning nothing at all.
    Fix:
        Use ``p`` of 0.1-0.5 (``p`` is the share dropped, not kept); add dropout only where the
        model overfits.
    """

    id = "too-much-regularization"
    severity = Severity.ERROR
    title = "Dropout drops most of the signal"
    requires = frozenset({"structure", "loss", "outputs"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def check(self, view):
        if view.last_step < MIN_STEPS:
            return
        for model, drops in dropout_layers(view).items():
            keep = math.prod(1.0 - p for _, p in drops)
            heaviest = max(p for _, p in drops)
            if heaviest < HEAVY_P and keep > MIN_KEEP:
                continue
            stuck = _curve.learned_nothing(view)
            if stuck is None:
                return
            heavy = [(name, p) for name, p in drops if p >= 0.5] or drops
            listed = ", ".join(f"{name} (p={p:g})" for name, p in heavy[:4]) + (" ..." if len(heavy) > 4 else "")
            learned = _curve.learned_nothing_text(stuck)
            message = (
                f"{model} drops most of its signal at every training step: {listed}; together only "
                f"{keep:.2g} of the paths through its dropout layers survive a step, and {learned}. "
                "`p` is the share of units dropped, not kept: the model cannot learn through that much noise."
            )
            evidence = {
                "model": model,
                "dropout_p": {name: p for name, p in drops},
                "keep_probability_product": keep,
                "max_dropout_p": heaviest,
                **stuck,
            }
            fix = (
                "Lower the dropout rate (`p` is the share dropped: 0.1-0.5 is usual), and add dropout only where "
                "the model overfits:\n```\nnn.Dropout(p=0.2)\n```"
            )
            yield self.finding(message, fix, where=heavy[0][0], step=view.last_step, evidence=evidence)
