"""loss-increasing: the loss rises steadily from the start (ascent instead of descent)."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve
from nndoctor.rules.loss._curve import Curve

#: Points (steps or backward calls) needed before judging a trend.
MIN_POINTS = 25
#: Rank correlation of loss with time: a steady, not a noisy, rise.
MIN_SPEARMAN = 0.7
#: The recent loss must be this many times the starting loss ...
MIN_RISE = 1.5
#: ... and, when the loss has a constant-predictor baseline, this many times the baseline
#: (a model doing worse than predicting the label frequencies is being pushed the wrong way).
MIN_OVER_BASELINE = 1.2
#: Without a baseline (custom losses) the evidence must be stronger.
MIN_RISE_NO_BASELINE = 2.0
MIN_SPEARMAN_NO_BASELINE = 0.8
#: "From the start": the smoothed loss never dropped this far below its starting level.
MAX_EARLY_DIP = 0.1


@register
class LossIncreasing(Rule):
    """The loss rises steadily from the start of training.

    What it detects:
        The training loss (each loss function's value, or the backward value for custom
        losses) climbs from the first steps on: rank correlation with time of 0.7 or more,
        the recent level at least 1.5 times the starting level and, when the loss has a
        constant-predictor baseline, above it (worse than predicting the label frequencies).
        A minus sign in front of the loss is recognised from the backward value being the
        negative of the loss function's. Also: the backward value falls steadily to below -1000
        times its starting scale (``_curve.unbounded_fall``): no correctly minimised loss has
        that far to fall, an objective that should be maximised (a log-likelihood) does.
    Why it matters:
        Training is maximising the loss: a flipped sign (``loss = -criterion(...)``), a
        hand-written ``p += lr * p.grad``, ``maximize=True``, or a step size so large that
        every update overshoots. The model gets worse with every step.
    Fix:
        Minimise the loss: step against the gradient (``p -= lr * p.grad``), drop the minus
        sign or ``maximize=True``; if the sign is right, lower the learning rate.
    """

    id = "loss-increasing"
    severity = Severity.ERROR
    title = "The loss rises steadily from the start"
    requires = frozenset({"loss", "grad_norm", "param_stats"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def check(self, view):
        if _curve.adversarial(view):
            return
        loss = _curve.loss_curve(view)
        if loss is None:
            return
        fns = _curve.fn_curves(view)
        flipped = {name: c for name, c in fns.items() if _ratio_to(loss, c) is not None and _ratio_to(loss, c) < -0.5}
        if flipped:
            # loss = -criterion(...): the optimizer climbs the criterion; judge the criterion
            name, curve = next(iter(flipped.items()))
            candidates = [(curve, _curve.baseline(view, name), True)]
        else:
            # One loss function that *is* the backward value (up to a constant factor such as
            # 1/accumulation steps) can be judged against its constant-predictor baseline; a
            # single term of a sum cannot (a distillation KL may rise while the total falls).
            base = None
            if len(fns) == 1:
                name, curve = next(iter(fns.items()))
                ratio = _ratio_to(loss, curve)
                if ratio is not None and ratio > 0:
                    loss, base = curve, _curve.baseline(view, name)
            candidates = [(loss, base, False)]
        for curve, base, is_flipped in candidates:
            verdict = _rising(curve.finite_prefix(), base)
            if verdict is not None:
                yield self._finding(curve, base, verdict, is_flipped)
                return
        # (also when the backward value looked like a negated criterion: a sum whose other term
        # runs to -inf, a VAE's KL with the wrong sign, makes the ratio negative too)
        fall = _curve.unbounded_fall(view)
        if fall is not None:
            yield self._unbounded(fall)

    def _unbounded(self, fall: dict):
        unit = "steps" if "steps" in fall else "backward calls"
        message = (
            f"The value passed to backward() fell steadily from {fall['start_value']:.4g} to "
            f"{fall['lowest_value']:.4g} over {fall[unit]} {unit}"
            + (", then became NaN/Inf" if fall["went_nonfinite"] else "")
            + ": a loss that is minimised correctly has a lower bound (0 for a cross-entropy or a squared "
            "error). This one has none: a log-likelihood, an accuracy or a reward minimised without a minus "
            "sign, or one term of a sum with the wrong sign (a VAE's KL divergence written as "
            "+0.5 * sum(1 + logvar - mu^2 - exp(logvar))), so training makes the model worse at every step."
        )
        fix = (
            "Minimise the negative of what should be maximised, and check the sign of every term of the loss:\n```\n"
            "loss = -log_likelihood.mean()   # e.g. -dist.log_prob(y).mean(), or F.nll_loss(log_probs, y)\n"
            "kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(x)   # a VAE's KL term is >= 0\n```"
        )
        evidence = {"loss_function": None, **fall}
        return self.finding(message, fix, step=0, evidence=evidence, title="The minimised value falls without bound")

    def _finding(self, curve: Curve, base, verdict, flipped: bool):
        start, end, rho, n = verdict
        evidence = {
            "loss_function": curve.name if curve.name != "loss" else None,
            "start_loss": start,
            "recent_loss": end,
            "rise_factor": end / start if start > 0 else None,
            "rank_correlation_with_time": rho,
            f"{curve.unit}s": n,
        }
        if base is not None:
            evidence["constant_predictor_loss"] = base
        if flipped:
            evidence["backward_value_is_negated_loss"] = True
        what = f"{curve.name} loss" if curve.name != "loss" else "loss"
        message = (
            f"The {what} rose steadily from {start:.4g} to {end:.4g} over {n} {curve.unit}s "
            f"(rank correlation with time {rho:.2f})"
        )
        if base is not None:
            message += f", above the {base:.4g} a constant prediction would score"
        message += ": training is climbing the loss instead of descending it."
        if flipped:
            message += " The value passed to backward() is the negative of the loss, so the optimizer maximises it."
            fix = "Minimise the loss itself, without the minus sign:\n```\nloss = criterion(output, target)\n```"
        elif curve.unit == "backward call":
            fix = (
                "A hand-written update must step against the gradient:\n```\n"
                "with torch.no_grad(): p -= lr * p.grad\n```"
            )
        else:
            fix = (
                "Check the update direction (no minus sign on the loss, no maximize=True); if it is right, "
                "lower the learning rate:\n```\noptimizer = torch.optim.SGD(model.parameters(), lr=lr / 10)\n```"
            )
        return self.finding(message, fix, step=curve.step_at(0), evidence=evidence)


def _rising(curve: Curve, base: float | None) -> tuple[float, float, float, int] | None:
    y = curve.y
    n = len(y)
    if n < MIN_POINTS:
        return None
    k = max(3, n // 10)
    start, end = _curve.median(y[:k]), _curve.median(y[-k:])
    if not (start > 0 and end > 0):
        return None
    if _curve.window_median_below(y, k, start * (1 - MAX_EARLY_DIP)):
        return None  # it went down first: not a rise from the start
    rho = _curve.spearman(y)
    if base is not None:
        ok = rho >= MIN_SPEARMAN and end >= MIN_RISE * start and end >= MIN_OVER_BASELINE * base
    else:
        ok = rho >= MIN_SPEARMAN_NO_BASELINE and end >= MIN_RISE_NO_BASELINE * start
    return (start, end, rho, n) if ok else None


def _ratio_to(loss: Curve, fn: Curve) -> float | None:
    """Median of backward value / loss-function value over their common steps: 1 when the
    loss function is the loss, 1/k under accumulation, -1 for ``loss = -criterion(...)``."""
    if loss.unit != fn.unit or len(loss) < 5:
        return None
    _, i, j = np.intersect1d(loss.x, fn.x, return_indices=True)
    a, b = loss.y[i], fn.y[j]
    ok = np.isfinite(a) & np.isfinite(b) & (np.abs(b) > 1e-12)
    if ok.sum() < 5:
        return None
    return float(np.median(a[ok] / b[ok]))
