"""loss-oscillating: the loss swings from step to step without a downward trend."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve

MIN_POINTS_FINAL = 80
MIN_POINTS_LIVE = 200
#: No trend: across the recent window the loss falls by less than this share of its level
#: (robust Theil-Sen slope times the window's length) ...
MAX_TREND = 0.3
#: A loss that climbs by more than this share of its level is diverging, not oscillating.
MAX_RISE = 0.5
#: ... or whatever the downward trend, it stays near the constant-predictor loss (it has learned
#: almost nothing) while swinging far beyond batch noise.
NEAR_BASELINE = 0.8
#: Not converged: the recent level is at least this share of the reference level (the
#: constant-predictor loss, else the starting loss). Converged runs swing in relative terms
#: (a loss of 0.01 that jumps to 0.05) but that is noise at the floor, not oscillation.
MIN_LEVEL_SHARE = 0.2
#: Swing beyond batch noise: step-to-step noise over the standard error of a batch loss
#: implied by the spread of per-sample losses (about 1.0-1.3 for healthy unconverged runs) ...
STRONG_EXCESS = 2.5
MIN_SWING_STRONG = 0.3
#: ... or a moderate excess with typical swings as large as the level itself (a learning rate
#: so high that every few steps some samples get confidently wrong predictions); swings that
#: big dwarf a slow drift, so a trend up to MAX_TREND_VIOLENT of the level is tolerated.
MILD_EXCESS = 1.2
MIN_SWING_MILD = 1.0
MAX_TREND_VIOLENT = 1.0
#: Updates that undo each other move the loss by about what one update can: to first order at
#: most |gradient| x |update|. Swings beyond this multiple of that bound come from the batches
#: themselves (mixup/cutmix with one mixing weight per batch, per-batch augmentation strength,
#: batches of different lengths or tasks), not from the optimizer. Measured: 0.3-0.7 on a too
#: high learning rate and on unshuffled sorted batches, 45 on healthy mixup; the margin allows
#: for the curvature term of overshooting updates.
MAX_SWING_OVER_UPDATE = 5.0


@register
class LossOscillating(Rule):
    """The loss swings up and down without a downward trend.

    What it detects:
        Over the second half of the run the loss neither falls (less than 30% of its level
        across that window, by a robust slope) nor has converged (it stays above 20% of the constant-predictor
        or starting loss), while it jumps from step to step far more than batch sampling
        explains: the step-to-step noise is compared with the standard error of a batch loss
        computed from the spread of per-sample losses, so the ordinary noise of small batches
        is not accused; nor are swings far larger than one update can cause (the gradient norm
        times the update norm), which come from batches that differ on purpose (mixup).
    Why it matters:
        Each update undoes the previous one. The usual causes are a learning rate too high
        for the loss surface (but not high enough to diverge) and data that is not shuffled
        (sorted by class or by target), so consecutive batches pull the model different ways.
    Fix:
        Lower the learning rate (3-10x) and shuffle the training data every epoch.
    """

    id = "loss-oscillating"
    severity = Severity.WARNING
    title = "The loss oscillates without improving"
    requires = frozenset({"loss", "param_stats", "grad_norm"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def check(self, view):
        if _curve.adversarial(view):
            return
        for name, curve in _curve.fn_curves(view).items():
            finding = self._judge(view, curve.finite_prefix(), _curve.baseline(view, name))
            if finding is not None:
                yield finding
                return

    def _judge(self, view, curve, base):
        n = len(curve)
        if n < (MIN_POINTS_FINAL if view.final else MIN_POINTS_LIVE):
            return None
        recent = curve.y[n // 2 :]
        since = curve.x[n // 2]
        level = _curve.median(recent)
        start = _curve.median(curve.y[: max(3, n // 20)])
        reference = base if base is not None else start
        if not (level > 0 and reference > 0) or level < MIN_LEVEL_SHARE * reference:
            return None
        trend = _curve.relative_drop(recent)
        noise = _curve.batch_noise(view, curve.name, since if curve.unit == "step" else -1)
        if noise is None or noise <= 0:
            return None  # batch noise unknown (batches of 1-3, custom loss): no verdict
        step_noise = _curve.robust_step_noise(recent)
        excess, swing = step_noise / noise, step_noise / level
        strong = excess >= STRONG_EXCESS and swing >= MIN_SWING_STRONG
        mild = excess >= MILD_EXCESS and swing >= MIN_SWING_MILD
        near_baseline = base is not None and level >= NEAR_BASELINE * base
        strong = strong and (trend < MAX_TREND or near_baseline)
        mild = mild and trend < MAX_TREND_VIOLENT
        if trend < -MAX_RISE or not (strong or mild):
            return None
        if curve.unit == "step" and _curve.lr_cycles(view, since):
            return None  # a cyclic / restarting schedule moves the loss on purpose
        reach = None
        if curve.unit == "step":
            # Too few sampled steps in the window yet (a live check early in a long run): the
            # whole run's typical reach; without any, wait while updates are being measured.
            reach = _curve.update_loss_change(view, since) or _curve.update_loss_change(view)
            if reach is None and view.keys("update_ratio") and not view.final:
                return None
        if reach is not None and step_noise > MAX_SWING_OVER_UPDATE * reach:
            return None  # far more than any update can move it: the batches differ, the updates do not undo each other
        evidence = {
            "loss_function": curve.name,
            "recent_loss_median": level,
            "recent_loss_min": float(recent.min()),
            "recent_loss_max": float(recent.max()),
            "step_to_step_noise": step_noise,
            "batch_noise": noise,
            "noise_over_batch_noise": excess,
            "trend_in_recent_window": trend,
            "reference_loss": reference,
        }
        if reach is not None:
            evidence["loss_change_one_update_can_make"] = reach
        message = (
            f"The {curve.name} loss has swung between {recent.min():.3g} and {recent.max():.3g} (median {level:.3g}) "
            f"since {curve.unit} {int(since)} without improving: it moves {step_noise:.3g} from one {curve.unit} to the "
            f"next, {excess:.1f}x what batch sampling explains ({noise:.3g}). Updates undo each other: the learning "
            "rate is too high or consecutive batches are not shuffled."
        )
        fix = (
            "Lower the learning rate and shuffle the data every epoch:\n```\n"
            "loader = DataLoader(dataset, batch_size=64, shuffle=True)   # and lr = lr / 3\n```"
        )
        return self.finding(message, fix, step=curve.step_at(n // 2), evidence=evidence)
