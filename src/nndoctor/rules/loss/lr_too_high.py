"""lr-too-high: the loss diverges or turns NaN early, or updates are huge while nothing improves."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import (
    clipping_suffices,
    gradient_spikes,
    layers,
    loss_improvement,
    momentum_of,
    optimizer_configs,
    primary_lr,
    summed_batch,
    update_ratios,
    weight_norm_curves,
)
from nndoctor.rules.loss import _curve

#: Causes of a non-finite value that no learning rate explains.
DATA_CAUSES = frozenset({"nonfinite-input", "nonfinite-target"})
#: Operations whose NaN comes from an argument outside their domain (log/sqrt of a negative number).
DOMAIN_CAUSES = frozenset({"log-of-nonpositive", "sqrt-of-negative"})
#: Operations that make NaN/Inf from finite, moderate values by themselves: a division by an
#: exact zero (0/0), a hand-written exp() that overflows (exp(x) is inf for x > 88 in float32,
#: reached by logits / temperature with no divergence at all).
OP_CAUSES = frozenset({"division-by-zero", "exp-overflow"})
#: The update/weight ratio a healthy early step reaches (measured: 0.005-0.05 on healthy runs;
#: the rule of thumb's 1e-3 is the settled value later in training).
HEALTHY_RATIO = 0.1
#: An update larger than the weight it changes; after one, a loss jump of HUGE_JUMP x is enough.
HUGE_RATIO = 1.0
HUGE_JUMP = 3.0
#: Weights whose norm fell below this share of its initial value were pulled to ~0 (weight
#: decay/L2 far too strong): their update/weight ratio is large because the weight is tiny, not
#: because the step is. Measured: Adam with L2 weight_decay=1.0 shrinks the norms 1000x within
#: 100 steps; a too-high rate keeps or grows them.
WEIGHTS_COLLAPSED = 0.1
#: Sampled steps before a loss jump whose update/weight ratios can explain it.
RECENT_SAMPLES = 5
#: ... and a typical weight norm already 3x below its start is being pulled there (live checks
#: come before the collapse completes: 1.0 -> 0.2 -> 0.1 -> 0.01 over 10, 30, 80 steps there).
SHRINKING = 0.3


@dataclass
class Verdict:
    """What made the rule accuse the learning rate, with the numbers."""

    kind: str  # "nan", "blowup", "stalled"
    step: int
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


def _trials(tried: list[dict[str, Any]]) -> list[str]:
    """The probe's attempts, one readable line each: ``lr=0.333: the loss spiked to 2.4x its start``."""
    out = []
    for t in tried:
        if t.get("clean"):
            out.append(
                f"lr={t['lr']:.3g}: clean, loss {t.get('loss_first', float('nan')):.3g} -> {t.get('loss_last', float('nan')):.3g}"
            )
        else:
            out.append(f"lr={t['lr']:.3g}: {t.get('why') or 'not clean'}")
    return out


def _with_baseline(probe: dict[str, Any]) -> list[dict[str, Any]]:
    """The probe's runs in order: the user's own rate first when it was re-trained too."""
    base = probe.get("baseline")
    return ([dict(base, lr=probe["lr"])] if base else []) + list(probe.get("tried") or [])


def suggested_lr(view, lr: float | None, at_step: int) -> tuple[float | None, dict[str, Any]]:
    """A learning rate that should train cleanly, and how it was derived.

    Preferred: the ``lr_probe`` measurement (the first steps re-trained from the initial weights
    on the recorded batches at lr/3, lr/9, ...: the largest clean rate). Otherwise an estimate:
    the number of divisions by 3 that bring the first step's update/weight ratio, scaled by
    1/(1 - momentum) for SGD (momentum multiplies the steady update), down to ~``HEALTHY_RATIO``.
    """
    probe = view.first_event("lr_probe")
    if probe is not None and probe.data.get("suggested_lr") and probe.data.get("mode") == "compare":
        d = probe.data
        best = next((t for t in d.get("tried") or [] if t.get("lr") == d["suggested_lr"]), {})
        info = {
            "suggested_lr_basis": (
                f"measured: re-trained {d.get('steps')} steps from the initial weights on the recorded batches; "
                f"lr={d['suggested_lr']:.3g} ended at loss {best.get('loss_last', float('nan')):.3g} against "
                f"{(d.get('baseline') or {}).get('loss_last', float('nan')):.3g} at lr={d['lr']:.3g}"
            ),
            "suggested_lr_verified": True,
            "probe": _trials(_with_baseline(d)),
            "loss_at_your_lr": (d.get("baseline") or {}).get("loss_last"),
            "loss_at_suggested_lr": best.get("loss_last"),
        }
        return float(d["suggested_lr"]), info
    if probe is not None and probe.data.get("suggested_lr"):
        d = probe.data
        info = {
            "suggested_lr_basis": (
                f"verified: re-trained {d.get('steps')} steps from the initial weights on the recorded batches at "
                f"lr/3^k; {d['suggested_lr']:.3g} was the largest rate without NaN or divergence"
            ),
            "suggested_lr_verified": True,
            "probe": _trials(_with_baseline(d)),
        }
        return float(d["suggested_lr"]), info
    if probe is not None and probe.data.get("mode") == "search" and probe.data.get("tried") and probe.data.get("lr"):
        d = probe.data
        k = len(d["tried"]) + 1  # every rate it could try failed: go one division further
        info = {
            "suggested_lr_basis": (
                f"re-trained the first {d.get('steps')} steps at lr/3 .. lr/3^{k - 1} and none was clean"
                f" (in {d.get('seconds')} s); lr/3^{k} is the next candidate, unverified"
            ),
            "suggested_lr_verified": False,
            "probe": _trials(d["tried"]),
        }
        return float(d["lr"]) / 3**k, info
    if lr is None or not lr > 0:
        return None, {}
    ratios = update_ratios(view)
    first = ratios.until(at_step)
    if len(first) == 0 or not math.isfinite(first.median[0]) or first.median[0] <= 0:
        k = 1
        basis = "estimate: one division by 3 (no update/weight ratio measured before the failure)"
        ratio0 = None
    else:
        ratio0 = float(first.median[0])
        kind, momentum = momentum_of(view)
        steady = ratio0 / (1.0 - momentum) if momentum < 1 else ratio0
        lr0 = primary_lr(view)
        moved = 1.0
        if len(lr0) and lr0.values[0] > 0:
            moved = lr / float(lr0.values[0])  # a schedule moved the rate since step 0
            steady *= moved
        k = max(1, math.ceil(math.log(steady / HEALTHY_RATIO) / math.log(3))) if steady > HEALTHY_RATIO else 1
        basis = (
            f"estimate: the first update moved the weights by {ratio0:.2g} of their norm"
            + (f" (x{1 / (1 - momentum):.3g} once SGD momentum {momentum:g} builds up)" if momentum else "")
            + (f" (x{moved:.3g} as the schedule raised the rate)" if moved > 1.5 else "")
            + (
                f"; dividing the rate by 3^{k} brings that to ~{HEALTHY_RATIO:g} or below"
                if steady > HEALTHY_RATIO
                else f"; that is ~{steady:.2g}, within ~{HEALTHY_RATIO:g}, yet the run did not train: one division by 3"
            )
        )
    info = {"suggested_lr_basis": basis, "suggested_lr_verified": False, "divisions_by_3": k}
    if ratio0 is not None:
        info["update_ratio_step0"] = ratio0
    if probe is not None and probe.data.get("skipped"):
        info["probe_skipped"] = probe.data["skipped"]
    return lr / 3**k, info


def growth_before(view, until: int) -> dict[str, float]:
    """How much the loss, the gradient norm and the update ratio grew up to step ``until``.

    ``loss_growth``: the largest loss after step 0 over the loss at step 0 (before any update);
    ``grad_norm_growth``: the same for the first optimizer's gradient norm; ``max_update_ratio``:
    the largest typical update/weight ratio of a sampled step; ``recent_update_ratio``: the
    largest of the last :data:`RECENT_SAMPLES` sampled steps up to ``until`` (what a jump at
    ``until`` can be blamed on: RMSprop's and Adagrad's first steps are large by construction,
    their running average of squared gradients starting at zero, and a rise of the loss
    hundreds of steps later is not their doing).
    """
    out: dict[str, float] = {}
    loss = view.loss.until(until)
    values = loss.values[np.isfinite(loss.values)]
    if len(values) >= 2 and values[0] > 0:
        out["loss_growth"] = float(values[1:].max() / values[0])
        out["initial_loss"] = float(values[0])
    for key in view.keys("grad_norm")[:1]:
        g = view.series("grad_norm", key).until(until)
        g = g.values[np.isfinite(g.values)]
        if len(g) >= 2 and g[0] > 0:
            out["grad_norm_growth"] = float(g[1:].max() / g[0])
    ratios = update_ratios(view).until(until)
    if len(ratios):
        out["max_update_ratio"] = float(ratios.median.max())
        out["recent_update_ratio"] = float(ratios.median[-RECENT_SAMPLES:].max())
    return out


def domain_error(view, step: int) -> bool:
    """The NaN at ``step`` came from log()/sqrt() of a negative number (a quantity meant to stay
    positive, such as a predicted variance taken raw from a linear layer, crossed zero), or
    from an operation that makes NaN/Inf by itself (``OP_CAUSES``: 0/0, an exp() overflow).

    Near that boundary the gradient of log(x) or sqrt(x) grows like 1/x, so a growing gradient
    norm is the symptom of the approach, not of a diverging learning rate; only a growing loss
    still tells divergence.
    """
    for e in view.events("nonfinite_op"):
        if e.step != step:
            continue
        for op in e.data.get("ops") or [e.data]:
            low = op.get("op_input_min")
            if op.get("cause") in DOMAIN_CAUSES and isinstance(low, (int, float)) and low < 0:
                return True
            if op.get("cause") in OP_CAUSES:
                return True
    return False


def fix_line(view, lr: float | None) -> str:
    """A code line that builds the user's optimizer type with the suggested rate."""
    configs = optimizer_configs(view)
    config = configs.get("optimizer") or (next(iter(configs.values())) if configs else {})
    kind = config.get("type") or "SGD"
    groups = config.get("groups") or [{}]
    extra = ""
    momentum = groups[0].get("momentum")
    if kind == "SGD" and isinstance(momentum, (int, float)) and momentum:
        extra = f", momentum={momentum:g}"
    value = f"{lr:.2g}" if lr else "lr / 10"
    return f"optimizer = torch.optim.{kind}(model.parameters(), lr={value}{extra})"


#: A schedule that has raised the rate this many times its first value and is still raising it.
RISING_SCHEDULE = 3.0


def rate_still_rising(view) -> dict[str, float] | None:
    """The primary rate's first and latest values when a schedule has multiplied it by
    :data:`RISING_SCHEDULE` or more and is still raising it at the latest measurement (a warm-up
    with no cap: ``LambdaLR(lambda s: (s + 1) / 10)`` without ``min(1.0, ...)``); else None. A
    capped warm-up levels off, a one-cycle schedule comes back down."""
    lr = primary_lr(view)
    if len(lr) < 10:
        return None
    values = lr.values
    first, last = float(values[0]), float(values[-1])
    tail = values[-max(4, len(values) // 4) :]
    rising = bool(np.all(np.diff(tail) >= 0)) and tail[-1] > 1.05 * tail[0]
    if not (first > 0 and last >= RISING_SCHEDULE * first and last >= float(values.max()) and rising):
        return None
    return {"lr_first": first, "lr_latest": last, "lr_latest_step": int(lr.steps[-1])}


@register
class LrTooHigh(Rule):
    """The learning rate is too high: divergence or NaN early, or huge updates and no progress.

    What it detects:
        Any of: (1) the loss or the gradient turns NaN/Inf after at least one update, within
        ``early_steps`` steps, or later after the loss or gradient norm grew (not when the
        cause is NaN in the data, nor for a log/sqrt of a negative value unless the loss grew:
        near that boundary the gradient grows like 1/x whatever the rate); (2) the loss jumps
        to ``blowup`` x its initial value while the update/weight ratio of one of the last five
        sampled steps before the jump reached ``high_ratio``, or the gradient norm grew 10x;
        (3) the typical update/weight ratio stays above ``high_ratio`` (100x the ~1e-3 rule of
        thumb) for five sampled steps while the loss improves by less than 10% (unless the
        weights themselves collapsed below 10% of their initial norm: a ratio over ~0 weights,
        from far too much weight decay, is not a large step); (4) at the end of
        the run, after a first update that moved the weights by 30% of their norm or more,
        re-training the first steps from the same initial weights on the same batches shows a
        smaller rate ending at half the loss or less (warning). A loss jump of only 3x counts
        for (2) right after an update larger than the weights themselves.
        ``evidence.suggested_lr`` is the largest rate lr/3^k that trained the first steps
        cleanly when nndoctor could re-train them, else an estimate from the update ratio.
    Why it matters:
        Updates larger than the weights they change overshoot: the loss explodes to inf/NaN,
        or ReLU units die and the network freezes at chance level.
    Fix:
        Divide the learning rate by 3 until the first 100 steps are clean; use a warm-up for
        large models and clip gradients for RNNs.
    """

    id = "lr-too-high"
    severity = Severity.ERROR
    title = "Learning rate too high"
    requires = frozenset({"loss", "grad_norm", "param_stats", "grad_clearing", "lr_probe"})
    #: Withdrawn when the probe at the end of the run shows that the rate was not the cause: a
    #: recurrent model that blew up trains cleanly at it once its gradients are clipped.
    retractable = True

    def __init__(self, early_steps: int = 100, blowup: float = 10.0, high_ratio: float = HEALTHY_RATIO) -> None:
        if early_steps < 1:
            raise ValueError(f"early_steps must be at least 1, got {early_steps}")
        if blowup <= 1:
            raise ValueError(f"blowup must be > 1 (a multiple of the initial loss), got {blowup}")
        if high_ratio <= 0:
            raise ValueError(f"high_ratio must be positive, got {high_ratio}")
        self.early_steps = early_steps
        self.blowup = blowup
        self.high_ratio = high_ratio

    def check(self, view):
        if self.gradients_pile_up(view):
            return  # updates grow because gradients are never cleared: missing-zero-grad
        if clipping_suffices(view):
            return  # clipped, the user's rate trains the recurrent model cleanly: exploding-gradients
        verdict = self._nan(view) or self._blowup(view) or self._stalled(view) or self._smaller_is_better(view)
        if verdict is None:
            return
        lr = self._lr_at(view, verdict.step)
        suggestion, how = suggested_lr(view, lr, verdict.step)
        evidence = {"lr": lr, "suggested_lr": suggestion, **how, **verdict.evidence}
        advice = f" Try lr={suggestion:.2g} ({how['suggested_lr_basis']})." if suggestion else ""
        recurrent = any(
            layer.get("type") in ("RNN", "LSTM", "GRU") for model in layers(view).values() for layer in model
        )
        fix = (
            "Divide the learning rate by 3 until the first 100 steps are clean (no NaN, the loss falls)"
            + (f"; about {suggestion:.2g} here" if suggestion else "")
            + ("; for this recurrent model also clip gradients (clip_grad_norm_)" if recurrent else "")
            + f":\n```\n{fix_line(view, suggestion)}\n```"
        )
        summed_by = summed_batch(view)
        if summed_by is not None:
            summed, fn = summed_by
            evidence["loss_reduction"], evidence["batch_size"] = "sum", summed
            advice += (
                f" The loss is summed over the batch (reduction='sum'), so its gradient is {summed}x that of the mean: "
                "a rate tuned for a mean-reduced loss is that much too large."
            )
            fix = (
                f"Average the loss over the batch (or divide the rate by the batch size, {summed}):\n"
                f"```\nloss = F.{fn}(pred, target)   # reduction='mean', the default\n```"
            )
        rising = rate_still_rising(view)
        if rising is not None:
            evidence.update(rising)
            advice += (
                f" The schedule keeps raising the rate: {rising['lr_first']:.3g} at the start, "
                f"{rising['lr_latest']:.3g} by step {rising['lr_latest_step']} "
                f"({rising['lr_latest'] / rising['lr_first']:.3g}x), and still rising: a warm-up with no cap (or one "
                "climbing to an unsafe peak), so no base rate is safe for long."
            )
            fix = (
                "Cap the warm-up so the rate stops at its base value (and keep that base rate at or below the "
                "suggested one):\n```\nscheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, "
                "lambda s: min(1.0, (s + 1) / warmup_steps))\n```"
            )
        severity = Severity.WARNING if verdict.kind == "compare" else None
        yield self.finding(verdict.message + advice, fix, step=verdict.step, evidence=evidence, severity=severity)

    @staticmethod
    def gradients_pile_up(view) -> bool:
        """Most measured steps found last step's gradients still there (no zero_grad)."""
        for key in view.keys("stale_grad"):
            s = view.series("stale_grad", key)
            if len(s) >= 3 and float(np.mean(s.values >= 0.5)) >= 0.5:
                return True
        return False

    @staticmethod
    def _lr_at(view, step: int) -> float | None:
        lr = primary_lr(view)
        if not len(lr):
            return None
        before = lr.until(step)
        return float(before.values[-1] if len(before) else lr.values[0])

    def _nan(self, view) -> Verdict | None:
        events = [e for e in view.events("nonfinite") if e.data.get("kind") in ("loss", "gradient")]
        if not events:
            return None
        e = events[0]
        cause = e.data.get("cause")
        if e.step < 1 or cause in DATA_CAUSES:
            return None  # no update happened yet, or the data itself is bad
        if (
            cause == "outside-model"
            and not view.final
            and not any(o.step == e.step for o in view.events("nonfinite_op"))
        ):
            return None  # the operation that made it is read from the graph just after: judge at the next check
        if _curve.unbounded_fall(view, e.step - 1) is not None:
            return None  # the objective has no lower bound (a sign): loss-increasing explains it
        growth = growth_before(view, e.step - 1)
        if domain_error(view, e.step) and growth.get("loss_growth", 0) < 3:
            return None  # a log/sqrt of a negative value, not a divergence: nonfinite-loss explains it
        diverging = growth.get("loss_growth", 0) >= 3 or growth.get("grad_norm_growth", 0) >= 10
        big_updates = growth.get("max_update_ratio", 0) >= self.high_ratio or cause == "update-overflow"
        if not (diverging or (big_updates and e.step <= self.early_steps)):
            return None
        what = "loss" if e.data.get("kind") == "loss" else "gradient"
        signs = []
        if "loss_growth" in growth and growth["loss_growth"] >= 1.5:
            signs.append(f"the loss grew {growth['loss_growth']:.3g}x from {growth['initial_loss']:.3g}")
        if growth.get("grad_norm_growth", 0) >= 3:
            signs.append(f"the gradient norm grew {growth['grad_norm_growth']:.3g}x")
        if growth.get("max_update_ratio", 0) >= self.high_ratio:
            signs.append(f"single updates moved the weights by up to {growth['max_update_ratio']:.2g} of their norm")
        if cause == "update-overflow":
            signs.append("the weights themselves became non-finite after an update")
        message = (
            f"The {what} became NaN/Inf at step {e.step}, after {e.step} update(s): "
            + ("; ".join(signs) if signs else "the updates diverged")
            + ". The learning rate is too high."
        )
        return Verdict("nan", e.step, message, {"nonfinite_step": e.step, "cause": cause, **growth})

    def _blowup(self, view) -> Verdict | None:
        loss = view.loss
        finite = np.isfinite(loss.values)
        steps, values = loss.steps[finite], loss.values[finite]
        if len(values) < 2 or not values[0] > 1e-8:
            return None
        over = np.flatnonzero(values[1:] >= self.blowup * values[0])
        jumps = np.flatnonzero(values[1:] >= HUGE_JUMP * values[0])
        if len(jumps) and (not len(over) or jumps[0] < over[0]):
            t = int(steps[jumps[0] + 1])
            if growth_before(view, t).get("recent_update_ratio", 0) >= HUGE_RATIO:
                over = jumps  # a smaller jump, but right after updates larger than the weights themselves
        if not len(over):
            return None
        t = int(steps[over[0] + 1])
        growth = growth_before(view, t)
        if growth.get("recent_update_ratio", 0) < self.high_ratio and growth.get("grad_norm_growth", 0) < 10:
            # The loss rose but the updates before the rise were small: not the step size (an
            # actor-critic's value loss grows with the returns as the policy improves).
            return None
        peak = float(values.max())
        improvement = loss_improvement(view)
        message = (
            f"The loss jumped from {values[0]:.3g} to {values[over[0] + 1]:.3g} at step {t} "
            f"({values[over[0] + 1] / values[0]:.3g}x; peak {peak:.3g})"
            + (
                f" while single updates moved the weights by up to {growth['recent_update_ratio']:.2g} of their norm"
                " (healthy: ~1e-3 to 1e-2)"
                if growth.get("recent_update_ratio", 0) >= self.high_ratio
                else f" while the gradient norm grew {growth.get('grad_norm_growth', 0):.3g}x"
            )
            + ": the steps overshoot."
            + (
                f" The loss now sits {-improvement:.0%} above where it started."
                if improvement is not None and improvement < 0
                else ""
            )
        )
        evidence = {
            "blowup_step": t,
            "loss_peak": peak,
            "blowup_factor": float(values[over[0] + 1] / values[0]),
            **growth,
        }
        if improvement is not None:
            evidence["loss_improvement"] = improvement
        return Verdict("blowup", t, message, evidence)

    @staticmethod
    def _smaller_is_better(view) -> Verdict | None:
        """After a huge first update, the probe re-trained the first steps: a smaller rate did better."""
        probe = view.first_event("lr_probe")
        if probe is None or not probe.data.get("verdict") or not probe.data.get("suggested_lr"):
            return None
        d = probe.data
        base = d.get("baseline") or {}
        best = next((t for t in d.get("tried") or [] if t.get("lr") == d["suggested_lr"]), {})
        head = (
            f"The first update moved the weights by {d.get('first_update_ratio', float('nan')):.2g} of their norm "
            f"(healthy: 1e-3 to 5e-2). Re-trained from the same initial weights on the same batches, "
        )
        if d.get("mode") == "compare":
            detail = (
                f"lr={d['suggested_lr']:.3g} ends at a loss of {best.get('loss_last', float('nan')):.3g} after "
                f"{d.get('steps')} steps where your lr={d['lr']:.3g} ends at {base.get('loss_last', float('nan')):.3g}"
            )
        else:
            detail = (
                f"your lr={d['lr']:.3g} is not clean ({base.get('why')}) while lr={d['suggested_lr']:.3g} trains "
                f"cleanly ({best.get('loss_first', float('nan')):.3g} -> {best.get('loss_last', float('nan')):.3g})"
            )
        evidence = {
            "first_update_ratio": d.get("first_update_ratio"),
            "loss_at_your_lr": base.get("loss_last"),
            "loss_at_suggested_lr": best.get("loss_last"),
        }
        return Verdict("compare", probe.step, head + detail + ": the rate is too high to settle.", evidence)

    @staticmethod
    def _weights_collapsed(view, step: int, share: float = WEIGHTS_COLLAPSED) -> bool:
        """The typical weight tensor's norm at ``step`` is below ``share`` of its first value."""
        shrink = []
        for steps, ratios in weight_norm_curves(view):
            at = ratios[steps <= step]
            if len(at):
                shrink.append(float(at[-1]))
        return bool(shrink) and float(np.median(shrink)) < share

    def _stalled(self, view, window: int = 5, min_steps: int = 30, max_improvement: float = 0.1) -> Verdict | None:
        if view.last_step < min_steps:
            return None
        ratios = update_ratios(view)
        if len(ratios) < window:
            return None
        medians = np.median(sliding_window_view(ratios.median, window), axis=1)
        i = int(np.argmax(medians))
        if medians[i] < self.high_ratio:
            return None
        improvement = loss_improvement(view)
        if improvement is None or improvement >= max_improvement:
            return None
        for key in view.keys("grad_norm"):
            spikes = gradient_spikes(view, key)
            if spikes.largest >= 100 or len(spikes.steps) >= 3:
                return None  # the large updates come from gradient spikes: exploding-gradients says so
        step = int(ratios.steps[i])
        if self._weights_collapsed(view, step) or self._weights_collapsed(view, view.last_step, SHRINKING):
            return None  # a large ratio over weights pulled (or being pulled) to ~0 (weight decay): not large steps
        message = (
            f"From step {step} on, a typical update moved the weights by {medians[i]:.2g} of their norm for "
            f"{window} sampled steps in a row (rule of thumb: ~1e-3), and the loss has "
            + (f"improved by only {improvement:.0%}" if improvement >= 0 else f"grown by {-improvement:.0%}")
            + " since the start: the steps are too large to make progress."
        )
        evidence = {"update_ratio": float(medians[i]), "window_start_step": step, "loss_improvement": improvement}
        return Verdict("stalled", step, message, evidence)
