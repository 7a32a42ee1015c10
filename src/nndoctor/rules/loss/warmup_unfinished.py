"""lr-too-low (live): a learning-rate warm-up longer than the run, which ends before reaching its rate."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import primary_lr, primary_lr_key
from nndoctor.rules.loss import _curve

#: The rate at the end of the run, as a share of the rate the schedule scales (``initial_lr``),
#: at or below which the warm-up is far from done ...
FAR_BELOW = 0.1
#: ... while the loss is still at least this share of the constant predictor's (it learned little).
LEARNED_LITTLE = 0.5
MIN_POINTS = 3


@register
class WarmupUnfinished(Rule):
    """The learning-rate warm-up is longer than the run: the rate never reaches its value.

    What it detects:
        At the end of the run, the scheduler was still raising the learning rate (the last rate
        the highest so far, well above the first), the rate had reached 10% or less of the rate
        the schedule scales (the optimizer's ``lr``, which the scheduler keeps as
        ``initial_lr``), and the loss is still at half or more of what a constant prediction
        scores.
    Why it matters:
        A warm-up configured in steps for a much longer run (20000 steps copied from a big
        config, or counted in batches instead of epochs) keeps the whole run at a fraction of
        its learning rate: the model barely trains, and the run looks like one that needs more
        epochs.
    Fix:
        Make the warm-up a small part of the run (5-10% of the steps), counted in the unit the
        scheduler is stepped in.
    """

    id = "lr-too-low"
    severity = Severity.WARNING
    title = "The warm-up is longer than the run"
    requires = frozenset({"learning_rate", "loss"})

    def check(self, view):
        if not view.final:
            return  # (while it trains, a warm-up still rising is what a warm-up does)
        lr = primary_lr(view)
        base = view.series("lr_initial", primary_lr_key(view))
        if len(lr) < MIN_POINTS or base.empty:
            return
        target, last, first = float(base.values[-1]), float(lr.values[-1]), float(lr.values[0])
        if not (target > 0 and last >= float(lr.values.max()) and last > 2 * first and last <= FAR_BELOW * target):
            return
        stuck = _curve.learned_nothing(view, share=LEARNED_LITTLE)
        if stuck is None or "recent_loss" not in stuck:
            return
        steps = max(1, int(lr.steps[-1]))
        needed = int(steps * target / last)
        evidence = {
            "lr_at_end": last,
            "lr_target": target,
            "share_of_target": last / target,
            "steps": steps,
            "estimated_warmup_steps": needed,
            **stuck,
        }
        message = (
            f"The learning-rate warm-up was still raising the rate when the run ended: after {steps} steps it had "
            f"reached {last:.2g}, {last / target:.1%} of the {target:g} it warms up to (at that pace the warm-up "
            f"takes ~{needed} steps). The whole run trained at a fraction of its rate, and "
            f"{_curve.learned_nothing_text(stuck).replace('stays', 'is still')}."
        )
        fix = (
            "Make the warm-up a small part of the run, counted in the unit the scheduler is stepped in:\n"
            "```\nwarmup_steps = int(0.05 * epochs * len(loader))   # 5% of the optimizer steps\n```"
        )
        yield self.finding(message, fix, step=steps, evidence=evidence)
