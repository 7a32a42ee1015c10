"""overfitting: validation loss rises while training loss falls."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve

#: Evaluation phases needed before judging, and after the best one.
MIN_EVALS = 5
MIN_AFTER_BEST = 3
#: The latest validation losses are this far above the best one (relative) ...
MIN_RISE = 0.15
#: ... every one of the last MIN_AFTER_BEST at least this far above it ...
MIN_EACH = 0.05
#: ... the climb is steady (rank correlation with time from the best point on) ...
MIN_SPEARMAN = 0.5
#: ... validation did improve before (a U shape, not a model that never generalised) ...
MIN_IMPROVEMENT = 0.1
#: ... and the training loss kept falling meanwhile.
MIN_TRAIN_DROP = 0.1


@register
class Overfitting(Rule):
    """Validation loss rises while training loss keeps falling.

    What it detects:
        The validation loss (loss calls under ``no_grad``/eval mode between steps) first fell,
        reached its best value, then climbed steadily: the last three evaluations all above the
        best, the latest 15% or more above it, while the training loss fell by 10% or more over
        the same steps. Judged only with five or more evaluations.
    Why it matters:
        The model is memorising the training set: every further epoch makes it worse on new
        data. The weights from the best epoch generalise better than the final ones.
    Fix:
        Keep the checkpoint with the best validation loss (early stopping) and regularise:
        weight decay, dropout, data augmentation, more data or a smaller model.
    """

    id = "overfitting"
    severity = Severity.WARNING
    title = "Validation loss rises while training loss falls"
    requires = frozenset({"loss", "val_loss"})
    #: A state of the run: withdrawn when the evaluations at its end are back near the best (a
    #: noisy rise mid-run is not overfitting; found in a probe: a tanh RNN at 0.2 % of its baseline).
    retractable = True

    def check(self, view):
        val = view.series("val_loss")
        if len(val) < MIN_EVALS:
            return
        v, steps = val.values, val.steps
        ok = np.isfinite(v)
        v, steps = v[ok], steps[ok]
        if len(v) < MIN_EVALS:
            return
        b = int(np.argmin(v))
        best = float(v[b])
        if best <= 0 or len(v) - b - 1 < MIN_AFTER_BEST or v[0] < best * (1 + MIN_IMPROVEMENT):
            return
        latest = float(np.median(v[-MIN_AFTER_BEST:]))
        rise = latest / best - 1
        if rise < MIN_RISE or np.any(v[-MIN_AFTER_BEST:] < best * (1 + MIN_EACH)):
            return
        rho = _curve.spearman(v[b:])
        if rho < MIN_SPEARMAN:
            return
        train = _train_levels(view, int(steps[b]), int(steps[-1]))
        if train is None:
            return
        train_best, train_now = train
        if not (train_best > 0 and train_now <= train_best * (1 - MIN_TRAIN_DROP)):
            return
        evidence = {
            "best_val_loss": best,
            "best_step": int(steps[b]),
            "latest_val_loss": latest,
            "val_rise": rise,
            "train_loss_at_best": train_best,
            "train_loss_now": train_now,
            "evaluations": len(v),
            "evaluations_since_best": len(v) - b - 1,
        }
        message = (
            f"Validation loss bottomed out at {best:.4g} (step {int(steps[b])}) and has risen {rise:.0%} since, to "
            f"{latest:.4g} over {len(v) - b - 1} evaluations, while training loss fell from {train_best:.4g} to "
            f"{train_now:.4g}: the model is memorising the training set."
        )
        fix = (
            "Keep the weights from the best validation epoch (early stopping) and regularise, e.g. weight decay:\n```\n"
            "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)\n```"
        )
        yield self.finding(message, fix, step=int(steps[b]), evidence=evidence)


def _train_levels(view, best_step: int, last_step: int) -> tuple[float, float] | None:
    """Median training loss in the stretch before the best evaluation and before the latest."""
    curve = _curve.loss_curve(view)
    if curve is None or curve.unit != "step":
        return None
    x, y = curve.x, curve.y
    span = max(3, (last_step - best_step) // 4)
    at_best = y[(x <= best_step) & (x > best_step - span)]
    now = y[(x <= last_step) & (x > last_step - span)]
    if len(at_best) == 0 or len(now) == 0:
        return None
    return _curve.median(at_best), _curve.median(now)
