"""too-much-regularization (live): weight decay pulls the weights to zero and the model learns nothing."""

from __future__ import annotations

import math

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import optimizer_configs, weight_norm_curves
from nndoctor.rules.loss import _curve

#: Weight decay below this is never accused (1e-4 - 5e-4 is the usual SGD setting).
MIN_DECAY = 1e-3
#: Adaptive optimizers with a coupled (L2) decay: Adam's update is normalised, so how fast the
#: decay shrinks the weights cannot be read off ``lr * weight_decay``; only this much is accused.
MIN_ADAPTIVE_DECAY = 1e-2
#: The typical weight matrix ended at most this share of its first measured norm ...
SHRUNK = 0.25
#: ... and the decay alone could shrink it at least this much over the run (SGD, AdamW:
#: ``exp(-lr * weight_decay * steps / (1 - momentum))``), so it can be the cause.
DECAY_CAN_SHRINK = 0.5
MIN_STEPS = 50
MIN_POINTS = 4
#: Optimizers whose ``weight_decay`` is decoupled from the gradient (shrinks by lr * wd a step).
DECOUPLED = frozenset({"AdamW"})
#: Plain-gradient optimizers, whose L2 decay also shrinks the weights by lr * wd a step.
PLAIN = frozenset({"SGD"})


def weight_decays(view) -> list[tuple[str, str, float, float, float]]:
    """(optimizer label, type, weight decay, lr, momentum) of each group with decay >= MIN_DECAY."""
    out = []
    for label, config in optimizer_configs(view).items():
        kind = str(config.get("type") or "")
        for group in config.get("groups") or []:
            wd = group.get("weight_decay")
            if isinstance(wd, (int, float)) and wd >= MIN_DECAY:
                lr = group.get("lr")
                momentum = group.get("momentum")
                out.append(
                    (
                        label,
                        kind,
                        float(wd),
                        float(lr) if isinstance(lr, (int, float)) else math.nan,
                        float(momentum) if isinstance(momentum, (int, float)) else 0.0,
                    )
                )
    return out


def _shrink(view) -> tuple[float, int, int] | None:
    """Median over weight matrices of their last norm over their first, how many there are,
    and the first step at which that median was at most ``SHRUNK``."""
    curves = weight_norm_curves(view, MIN_POINTS)
    if not curves:
        return None
    ratio = float(np.median([c[1][-1] for c in curves]))
    common = curves[0][0]
    for steps, _ in curves[1:]:
        common = np.intersect1d(common, steps)
    since = int(common[-1]) if len(common) else int(view.last_step)
    for step in common:
        at = np.median([c[1][np.searchsorted(c[0], step)] for c in curves])
        if at <= SHRUNK:
            since = int(step)
            break
    return ratio, len(curves), since


def _can_explain(kind: str, wd: float, lr: float, momentum: float, steps: int) -> bool:
    """Whether a decay this strong can shrink the weights by itself over ``steps`` steps."""
    if kind in DECOUPLED or kind in PLAIN:
        if not math.isfinite(lr) or lr <= 0:
            return False
        per_step = lr * wd / max(1e-3, 1.0 - momentum) if kind in PLAIN else lr * wd
        return math.exp(-per_step * steps) <= DECAY_CAN_SHRINK
    return wd >= MIN_ADAPTIVE_DECAY


@register
class TooMuchWeightDecay(Rule):
    """Weight decay is so strong that it pulls the weights to zero and the model learns nothing.

    What it detects:
        An optimizer group with ``weight_decay`` of at least 1e-3, the typical weight matrix
        shrunk to a quarter of its first norm or less, and the model learning nothing: the
        loss at 90% or more of what a constant prediction scores, or outputs that do not vary
        across the batch. The decay must be able to do it: for SGD and AdamW, whose decay
        shrinks the weights by ``lr * weight_decay`` a step, that factor compounded over the
        run must halve them at least; Adam and other adaptive optimizers with a coupled (L2)
        decay are accused from a decay of 1e-2.
    Why it matters:
        Weight decay trades a little training fit for generalisation. A value meant as 1e-4
        written as 1 (or Adam's L2 ``weight_decay`` used like AdamW's) makes the penalty
        outweigh the data term: the weights decay to ~0, every input gets the same output, and
        the loss sits where predicting the label frequencies would.
    Fix:
        Lower ``weight_decay`` (1e-4 - 5e-4 with SGD, 1e-2 - 1e-1 with AdamW, which decouples
        it from the gradient); add regularization back only once the model fits.
    """

    id = "too-much-regularization"
    severity = Severity.ERROR
    title = "Weight decay pulls the weights to zero"
    requires = frozenset({"param_stats", "loss", "outputs"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def check(self, view):
        if view.last_step < MIN_STEPS:
            return
        steps = view.last_step
        decays = [d for d in weight_decays(view) if _can_explain(d[1], d[2], d[3], d[4], steps)]
        if not decays:
            return
        shrink = _shrink(view)
        if shrink is None or shrink[0] > SHRUNK:
            return
        stuck = _curve.learned_nothing(view)
        if stuck is None:
            return
        label, kind, wd, lr, momentum = max(decays, key=lambda d: d[2])
        ratio, matrices, since = shrink
        evidence = {
            "optimizer": kind or label,
            "weight_decay": wd,
            "lr": lr if math.isfinite(lr) else None,
            "weight_norm_ratio": ratio,
            "weight_matrices": matrices,
            "steps": steps,
            "shrunk_by_step": since,
            **stuck,
        }
        coupled = kind not in DECOUPLED
        how = (
            " (an L2 term added to the gradient)"
            if coupled
            else " (decoupled: the weights shrink by lr x decay each step)"
        )
        learned = _curve.learned_nothing_text(stuck)
        message = (
            f"{kind or 'The optimizer'} has weight_decay={wd:g}{how}: the weight matrices shrank to "
            f"{ratio:.2g}x their initial norm (median of {matrices}) over {steps} steps, and {learned}. "
            "The penalty outweighs the data term: the weights decay towards zero and the model learns nothing."
        )
        if kind in PLAIN:
            usual, typical = 5e-4, "1e-4 to 5e-4 with SGD"
        elif kind in DECOUPLED:
            usual, typical = 1e-2, "1e-2 to 1e-1 with AdamW"
        else:
            usual, typical = 1e-4, "1e-5 to 1e-4 as an L2 term; or AdamW, which decouples it, with 1e-2"
        extra = f", momentum={momentum:g}" if kind in PLAIN and momentum else ""
        lr_text = f"{lr:.2g}" if math.isfinite(lr) else "lr"
        fix = (
            f"Lower the weight decay ({typical}), and add regularization back only once the model fits:\n```\n"
            f"optimizer = torch.optim.{kind or 'SGD'}(model.parameters(), lr={lr_text}{extra}, weight_decay={usual:g})\n```"
        )
        yield self.finding(message, fix, step=since, evidence=evidence)
