"""Shared numbers for the bias-variance rules: errors and the margins that make a gap real."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nndoctor.rules.experiments.base import data_of


def is_rate(metric: str) -> bool:
    """An error rate (plain or balanced), not a mean squared error."""
    return metric in ("error", "balanced error")


def val_examples(b: dict) -> int:
    """The validation examples that set the noise of the baselines' error rates: with imbalanced
    classes (balanced error), the harmonic count of the classes (the rare class dominates it)."""
    return max(int(b.get("n_val_effective") or b.get("n_val", 1)), 1)


def trivial_margin(b: dict) -> float:
    """How far below the majority-class baseline's error rate the model's must be to have
    learned something: 3 standard errors of the baseline's, or with imbalanced classes of the
    balanced error of a model that ignores its input (``model_val_chance_se``)."""
    se = b.get("model_val_chance_se")
    if se is None:
        p = b["trivial"]
        se = math.sqrt(max(p * (1 - p), 0.01) / val_examples(b))
    return 3 * max(float(se), 0.005)


@dataclass(frozen=True)
class Errors:
    """Train, validation and baseline error of the short training (error rate or MSE)."""

    metric: str
    train: float
    val: float
    baseline: float
    n_val: int

    def margin(self, *errors: float) -> float:
        """How far apart two errors must be to count: for error rates 10 points or 3 standard
        errors of their difference on the validation set, whichever is larger; for MSE, 50 % of
        the first (the reference)."""
        if is_rate(self.metric):
            var = sum(max(e * (1 - e), 0.01) for e in errors) / max(self.n_val, 1)
            return max(0.1, 3 * math.sqrt(var))
        return 0.5 * errors[0]

    def evidence(self) -> dict:
        return {
            "metric": self.metric,
            "train_error": self.train,
            "val_error": self.val,
            "baseline_error": self.baseline,
            "gap": self.val - self.train,
            "val_examples": self.n_val,
        }


#: The training loss fell by this share over the last half of the short training: still improving...
STILL_IMPROVING = 0.2
#: ...and that fall is this many standard errors from zero (not mini-batch noise).
SIGNIFICANT = 3.0


def still_improving(b: dict) -> float | None:
    """The training loss's relative fall over the last half of the short training, when it is
    still falling steeply and clearly (a significant slope), else None."""
    late, t = b.get("late_drop"), b.get("late_drop_t")
    if late is None or t is None:
        return None
    return late if late > STILL_IMPROVING and t > SIGNIFICANT else None


def too_short(b: dict) -> bool:
    """The short training was cut by the wall-clock safety net before a quarter of its steps."""
    return bool(b.get("time_limited")) and b.get("steps", 0) < 0.25 * b.get("planned_steps", 0)


def errors(view) -> Errors | None:
    """The short training's errors, or None when it did not run or diverged."""
    bv = data_of(view, "bias_variance")
    b = data_of(view, "baselines")
    if not bv or not b or b.get("diverged") or too_short(b):
        return None
    if not all(math.isfinite(float(bv[k])) for k in ("train_error", "val_error", "baseline_error")):
        return None  # NaN in the data (nonfinite-input says so)
    return Errors(b["metric"], bv["train_error"], bv["val_error"], bv["baseline_error"], val_examples(b))
