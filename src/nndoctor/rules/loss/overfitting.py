"""overfitting: validation loss rises while training loss falls."""

from __future__ import annotations

import math

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve
from nndoctor.rules.loss.too_much_weight_decay import weight_decays

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
        the same steps. Judged only with five or more evaluations. Where the evaluations count
        right answers (a classification loss, one label per example), a validation error that
        has not risen beyond its noise since the best loss (two standard errors of the
        difference, at least half an example) and is within ten points (and three standard
        errors) of the error on the sampled training batches makes it an info: the loss climbs
        on the few examples the model gets wrong, ever more confidently, while its answers stay
        as good (probe 8: 45 wine examples, accuracy 95.6% throughout, loss +27%; probe 10: 300
        digits, 4.9% -> 5.8% wrong of 899, 1.3% on the training batches, loss +39% in an SGD
        run whose loss came back later). A validation error far above the training batches'
        stays a warning however it moves (probe 9: one batch trained on at every step, 0% wrong
        there, 26% on validation).
    Why it matters:
        The model is memorising the training set: every further epoch makes it worse on new
        data. The weights from the best epoch generalise better than the final ones. With the
        accuracy holding, only its probabilities get worse (which matters for thresholds and
        calibration).
    Fix:
        Keep the checkpoint with the best validation loss (early stopping) and regularise:
        weight decay (more than the optimizer has, where it has some), dropout, data
        augmentation, more data or a smaller model. For probabilities: label smoothing.
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
        rise_text = (
            f"Validation loss bottomed out at {best:.4g} (step {int(steps[b])}) and has risen {rise:.0%} since, to "
            f"{latest:.4g} over {len(v) - b - 1} evaluations, while training loss fell from {train_best:.4g} to "
            f"{train_now:.4g}"
        )
        errors = validation_errors(view, int(steps[b]), [int(t) for t in steps[-MIN_AFTER_BEST:]])
        gap_text = ""
        if errors is not None:
            evidence["val_error_at_best"], evidence["val_error_now"], evidence["val_examples"] = errors
            err_best, err_now, n = errors
            train_err = training_error(view, int(steps[b]))
            if train_err is not None:
                evidence["train_batch_error"] = train_err
            risen = err_now - err_best > max(ERROR_SLACK / n, _rise_noise(err_now, n))
            gap = err_now - train_err if train_err is not None else 0.0
            memorised = gap > max(_gap_noise(err_now, n), MIN_GAP)
            on_train = f", {train_err:.1%} on the training batches" if train_err is not None else ""
            if risen:
                gap_text = f" (validation error up from {err_best:.1%} to {err_now:.1%}{on_train})"
            elif memorised:
                gap_text = f" (validation error {err_now:.1%}{on_train})"
            if not (memorised or risen):
                message = (
                    f"{rise_text}, but the validation error has not risen beyond its noise ({err_best:.1%} then, "
                    f"{err_now:.1%} now, {n} examples"
                    + (f"; {train_err:.1%} on the training batches" if train_err is not None else "")
                    + "): the model grows more confident on the examples it gets wrong, so their loss climbs while "
                    "its answers stay as good. Its probabilities overfit, not yet its decisions."
                )
                fix = (
                    "Where the probabilities matter (a threshold, a ranking, calibration), keep the weights with the "
                    "best validation loss, or soften the targets:\n"
                    "```\ncriterion = nn.CrossEntropyLoss(label_smoothing=0.1)\n```"
                )
                yield self.finding(
                    message,
                    fix,
                    step=int(steps[b]),
                    evidence=evidence,
                    severity=Severity.INFO,
                    title="Validation loss rises while validation accuracy holds",
                )
                return
        message = f"{rise_text}{gap_text}: the model is memorising the training set."
        yield self.finding(message, _regularise_fix(view), step=int(steps[b]), evidence=evidence)


#: Validation examples the error may rise by and still count as not risen (half an example).
ERROR_SLACK = 0.5
#: A validation error this far above the error on the training batches (ten points) is
#: memorising whether or not it rose since the best epoch (one batch trained on at every step:
#: 0% on it, 26% on validation); a few points are the gap any model fitted to a finite set shows
#: (300 digits: 1.3% on the training batches, 5.8% on validation).
MIN_GAP = 0.10
#: Weight decay at or above this is already strong (AdamW's usual 1e-2): a fix suggests more of
#: it only by a factor.
STRONG_DECAY = 1e-2


def validation_errors(view, best_step: int, last_steps: list[int]) -> tuple[float, float, int] | None:
    """The validation error (share of wrong answers, from ``val_class_counts``) at the evaluation
    with the best loss and the median of the last evaluations', and the number of examples; None
    where the evaluations did not count answers (not one class per example) or counted a varying
    number of examples (a sampled validation set)."""
    by_step: dict[int, tuple[int, int]] = {}
    fns = set()
    for e in view.events("val_class_counts"):
        correct, counts = e.data.get("correct"), e.data.get("class_counts")
        if not isinstance(correct, int) or not counts:
            continue
        fns.add(e.data.get("fn"))
        by_step[e.step] = (correct, int(sum(counts)))
    if len(fns) != 1 or best_step not in by_step or not all(t in by_step for t in last_steps):
        return None
    sizes = {by_step[t][1] for t in [best_step, *last_steps]}
    if len(sizes) != 1 or not next(iter(sizes)):
        return None
    n = sizes.pop()
    err_best = 1 - by_step[best_step][0] / n
    err_now = float(np.median([1 - by_step[t][0] / n for t in last_steps]))
    return err_best, err_now, n


def training_error(view, since: int) -> float | None:
    """The share of wrong answers on the sampled training batches from ``since`` on (``loss_call``
    events that count them: a classification loss, one label per example; in train mode, so with
    dropout on: if anything, above the model's training error), or None where none counted."""
    correct = total = 0
    for e in view.events("loss_call"):
        if e.step >= since and isinstance(e.data.get("correct"), int) and e.data.get("class_counts"):
            correct += e.data["correct"]
            total += int(sum(e.data["class_counts"]))
    return 1 - correct / total if total else None


def _rise_noise(err: float, n: int) -> float:
    """Two standard errors of the difference of two validation errors near ``err`` on the same
    ``n`` examples (taken as independent: an upper bound, so a rise beyond it is real)."""
    return 2 * math.sqrt(2 * max(err * (1 - err), 1 / n) / n)


def _gap_noise(err: float, n: int) -> float:
    """Three standard errors of a validation error ``err`` measured on ``n`` examples (never less
    than one example's worth of noise): a gap to the training error beyond it is no chance."""
    return 3 * math.sqrt(max(err * (1 - err), 1 / n) / n)


def _regularise_fix(view) -> str:
    """Early stopping, and weight decay stronger than the optimizer's own where it has some."""
    wd = max((decay for _, _, decay, _, _ in weight_decays(view)), default=0.0)
    head = "Keep the weights from the best validation epoch (early stopping) and regularise"
    if wd >= STRONG_DECAY:
        return (
            f"{head}: the optimizer already has weight_decay={wd:g}, so try dropout, data augmentation, more data or "
            f"a smaller model, or a few times more decay:\n```\nnn.Dropout(p=0.3)   # between the hidden layers\n```"
        )
    return (
        f"{head}, e.g. weight decay:\n```\n"
        "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)\n```"
    )


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
