"""Validation loss that never beats a constant prediction while the training loss falls.

Two silent bugs leave this trace, and the training loss tells them apart:

- ``distribution-shift``: the model fits its training batches well (the training loss far
  below what the best constant prediction scores), yet every validation loss is worse than that
  constant: the validation inputs are not what the model trained on (standardised for training,
  fed raw for validation; another preprocessing path).
- ``labels-uninformative``: the training loss only creeps below the constant prediction's, and
  validation never gets there: the labels do not follow from the inputs (``X`` and ``y`` split or
  shuffled separately), so all the model can do is memorise the training pairs.

Overfitting is a U shape (validation improves, then rises: see ``overfitting``); here validation
never improved on knowing nothing at all.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve

#: Evaluation phases needed before judging.
MIN_EVALS = 5
#: The training loss must have left the constant predictor's level: at most this share of it ...
TRAINED_SHARE = 0.9
#: ... and of its own start (measured in a probe: labels split apart from their inputs, the
#: training loss memorised its way from 2.29 to 1.89, 82% of ln 10's constant, in 800 steps) ...
TRAINED_DROP = 0.9
#: ... while validation is not on its way down either (rank correlation with time above this:
#: a slow learner's validation loss falls towards the constant's and past it).
MAX_VAL_SPEARMAN = -0.5
#: Training at or below this share of the constant predictor's loss fits the training data well:
#: a validation set it cannot beat that constant on is different data.
FITS_WELL = 0.3


def never_generalises(view: Any) -> dict[str, Any] | None:
    """The numbers, when every validation loss is at or above the constant predictor's while the
    training loss fell well below it; else None. Needs one training loss function (the constant
    predictor is that function's) and ``MIN_EVALS`` evaluations."""
    val = view.series("val_loss")
    v = val.values[np.isfinite(val.values)]
    keys = view.keys("loss_fn_value")
    if len(v) < MIN_EVALS or len(keys) != 1:
        return None
    base = _curve.baseline(view, keys[0])
    curve = _curve.fn_curves(view).get(keys[0])
    if base is None or curve is None:
        return None
    curve = curve.finite_prefix()
    n = len(curve)
    if n < 20:
        return None
    start = _curve.median(curve.y[: max(3, n // 10)])
    now = _curve.median(curve.y[-max(3, n // 4) :])
    if not (now <= TRAINED_SHARE * base and now <= TRAINED_DROP * start) or float(v.min()) < base:
        return None
    if _curve.spearman(v) <= MAX_VAL_SPEARMAN:
        return None  # validation still falls: it may yet get there
    return {
        "loss_function": keys[0],
        "constant_predictor_loss": base,
        "best_val_loss": float(v.min()),
        "latest_val_loss": float(v[-1]),
        "evaluations": int(len(v)),
        "train_loss_start": start,
        "train_loss_now": now,
        "train_share_of_constant": now / base,
    }


#: Validation answers right at most this share of what chance would get right (and three standard
#: deviations below it) are wrong on purpose: the model answers another class consistently.
BELOW_CHANCE = 0.5
#: Examples a validation pass needs, and right answers chance must expect, before that is judged.
MIN_EXAMPLES, MIN_EXPECTED = 30, 5.0


def below_chance(view: Any) -> dict[str, Any] | None:
    """The latest evaluation's right answers, when far fewer than answering its predicted classes
    at random would get (sum over classes of labels x predictions / n); else None."""
    for e in reversed(view.events("val_class_counts")):
        correct, labels, preds = e.data.get("correct"), e.data.get("class_counts"), e.data.get("pred_class_counts")
        if not isinstance(correct, int) or not labels or not preds or len(labels) != len(preds):
            continue
        n = int(sum(labels))
        expected = float(sum(a * b for a, b in zip(labels, preds, strict=True))) / n if n else 0.0
        if n < MIN_EXAMPLES or len(labels) < 2 or expected < MIN_EXPECTED:
            return None
        if correct > BELOW_CHANCE * expected or correct > expected - 3 * np.sqrt(expected):
            return None
        return {"val_correct": correct, "val_examples": n, "val_correct_by_chance": expected}
    return None


class _NeverGeneralises(Rule):
    severity = Severity.WARNING
    requires = frozenset({"loss", "val_loss"})
    retractable = True  # a state: withdrawn if validation later beats the constant predictor
    #: Which side of FITS_WELL the training loss sits on for this rule's reading.
    fits_well: bool

    def check(self, view):
        found = never_generalises(view)
        if found is None or (found["train_share_of_constant"] <= FITS_WELL) != self.fits_well:
            return
        message, fix, title = self.explain(found, view)
        yield self.finding(message, fix, step=view.last_step, evidence=found, title=title)

    def explain(self, found: dict[str, Any], view: Any) -> tuple[str, str, str | None]:
        """The message, the fix, and a title other than the rule's (or None); may add to ``found``."""
        raise NotImplementedError


def _numbers(found: dict[str, Any]) -> str:
    return (
        f"In {found['evaluations']} evaluations the validation loss never got below {found['constant_predictor_loss']:.4g}, "
        f"what predicting a constant scores (best {found['best_val_loss']:.4g}, latest {found['latest_val_loss']:.4g}), "
        f"while the training loss fell from {found['train_loss_start']:.4g} to {found['train_loss_now']:.4g}"
    )


@register
class ValidationInputsDiffer(_NeverGeneralises):
    """The model fits its training data, but every validation loss is worse than a constant's.

    What it detects:
        Five or more evaluations (loss calls under ``no_grad``/eval mode) all at or above the loss
        of the best constant prediction of the training targets, while the training loss fell to
        30% of that constant's or less (and 10% below its start), and validation is not falling.
    Why it matters:
        A model that fits its training batches but does worse than knowing nothing on the
        validation set is not overfitting (that starts by generalising): the validation inputs
        are not prepared like the training ones (standardised for training and fed raw for
        validation, another scaling or channel order, another feature order).
    Fix:
        Apply the same preprocessing, with the training statistics, to every split.
    """

    id = "distribution-shift"
    title = "Validation data is not prepared like the training data"
    fits_well = True

    def explain(self, found, view):
        wrong = below_chance(view)
        if wrong is not None:
            found.update(wrong)
            message = (
                _numbers(found)
                + f" ({found['train_share_of_constant']:.0%} of the constant's). On the latest evaluation it answered "
                f"{wrong['val_correct']} of {wrong['val_examples']} validation examples right, where answering its "
                f"predicted classes at random would get {wrong['val_correct_by_chance']:.0f} right: it is wrong far more "
                "often than chance, so it answers consistently, but with another class than the validation label. The "
                "validation labels are not numbered like the training targets (labels shifted by one, one-hot "
                "targets built from shifted labels, another class order or label encoder for one split)."
            )
            fix = (
                "Build the targets of every split with one function, from the same label encoding:\n"
                "```\ny_train, y_val = encoder.transform(labels_train), encoder.transform(labels_val)   # one encoder, fit once\n```"
            )
            return message, fix, "Validation labels are not encoded like the training targets"
        message = (
            _numbers(found)
            + f" ({found['train_share_of_constant']:.0%} of the constant's): the model fits its training batches but "
            "knows less than nothing about the validation ones. Validation inputs prepared differently from the "
            "training inputs (not standardised, other statistics, another scale) look like this."
        )
        fix = (
            "Standardise every split with the training statistics, in one function used for both:\n"
            "```\nmean, std = X_train.mean(0), X_train.std(0) + 1e-8; X_val = (X_val - mean) / std\n```"
        )
        return message, fix, None


@register
class LabelsDoNotFollowInputs(_NeverGeneralises):
    """The training loss creeps below a constant prediction's; validation never gets there.

    What it detects:
        Five or more evaluations all at or above the loss of the best constant prediction of
        the training targets and not falling, while the training loss fell below 90% of that
        constant's (and of its start) but stayed above 30% of it.
    Why it matters:
        When the labels do not follow from the inputs (``X`` and ``y`` split or shuffled with
        different seeds, labels of another file), a model can only memorise the training
        pairs: the training loss falls slowly and nothing carries over to new data.
    Fix:
        Split and shuffle inputs and labels together (one index, one ``train_test_split`` call).
    """

    id = "labels-uninformative"
    title = "Labels do not follow from the inputs"
    fits_well = False

    def explain(self, found, view):
        message = (
            _numbers(found)
            + ": the model memorises training pairs and learns nothing that carries over. Labels that do not match "
            "their inputs (X and y split or shuffled separately) look like this."
        )
        fix = (
            "Split inputs and labels in one call (or with one index):\n"
            "```\nX_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)\n```"
        )
        return message, fix, None
