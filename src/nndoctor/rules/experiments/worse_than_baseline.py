"""worse-than-baseline: the model does worse than a simple baseline on validation."""

from __future__ import annotations

import math

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments._bias_variance import (
    is_rate,
    still_improving,
    too_short,
    trivial_margin,
    val_examples,
)
from nndoctor.rules.experiments.base import ExamineRule, data_of, g
from nndoctor.rules.loss.class_imbalance import CLASS_WEIGHT_CODE, POS_WEIGHT_CODE

#: With imbalanced classes, a model giving this share of its answers to the majority class has
#: collapsed onto it (the message says so: the imbalance is the likely cause).
COLLAPSED = 0.95


@register
class WorseThanBaseline(ExamineRule):
    """The model does worse on validation than a simple baseline.

    What it detects:
        After a short training with the recipe's optimizer, the model's validation error is
        not clearly below the majority-class / mean-prediction baseline (error), or it is
        worse than a logistic/ridge regression on the flattened inputs by 5 points or 3
        standard errors of the difference, and 1.5x (error rates), or by 50 % (MSE) (warning;
        advice only while the training loss was still falling steeply and the model did not yet
        fit its own training data as well as the linear model fits validation).
    Why it matters:
        A network that cannot beat "always predict the majority class" has learned nothing;
        one that loses clearly to a linear model is mis-trained (learning rate, inputs, loss)
        or wrong for the data.
    Fix:
        Find out why with the other findings; meanwhile the linear model is the number to beat.
    """

    id = "worse-than-baseline"
    severity = Severity.WARNING
    title = "The model does worse than a simple baseline"

    def check(self, view):
        b = data_of(view, "baselines")
        if not b or b.get("model_val") is None or b.get("diverged") or too_short(b):
            return
        model, trivial, linear = b["model_val"], b["trivial"], b.get("linear")
        if not (math.isfinite(model) and math.isfinite(trivial)):
            return  # NaN in the data (nonfinite-input says so)
        n = val_examples(b)
        error = is_rate(b["metric"])
        evidence = {
            "metric": b["metric"],
            "model_val": model,
            "model_train": b.get("model_train"),
            "majority_or_mean": trivial,
            "linear": linear,
            "training_steps": b.get("steps"),
            "val_source": b.get("val_source"),
        }
        if b.get("accuracy_error"):
            evidence["accuracy_error"] = b["accuracy_error"]
        majority_share = b.get("model_val_majority_share")
        if majority_share is not None:
            evidence["answers_majority"] = majority_share
        late = still_improving(b)
        if late is not None:
            evidence["late_drop"] = late
        note = (
            f" The training loss was still falling at the end ({late:.0%} over the last half of the steps): the "
            "model may need many more steps."
            if late is not None
            else ""
        )
        name = "majority-class" if error else "mean"
        balanced = b["metric"] == "balanced error"
        probe = data_of(view, "loss_probe") or {}
        weighted = bool(probe.get("class_weighted"))
        metric = (
            "balanced error (one minus the mean per-class recall: the classes are imbalanced)"
            if balanced
            else b["metric"]
        )
        if error and model >= trivial - trivial_margin(b) or (not error and model >= 0.9 * trivial):
            message = (
                f"After {b.get('steps')} training steps the model's validation {metric} is {g(model)}, no better "
                f"than the {name} baseline ({g(trivial)}): it has learned nothing that generalises.{note}"
            )
            if balanced and majority_share is not None and majority_share >= COLLAPSED and not weighted:
                message += (
                    f" It gives {majority_share:.0%} of the validation examples the majority class: with classes this "
                    "imbalanced an unweighted loss makes that its cheapest answer (see class-imbalance)."
                )
            binary = str(probe.get("loss", "")).startswith("binary_cross_entropy")
            if weighted:
                weigh = ""
            elif binary:
                weigh = f"# and weight the loss: the positives count as much\n{POS_WEIGHT_CODE}"
            else:
                weigh = f"# and weight the loss: the rare classes count as much\n{CLASS_WEIGHT_CODE}"
            answers = "(model(X_val).squeeze(1) > 0).long()" if binary else "model(X_val).argmax(1)"
            baseline = (
                "from sklearn.metrics import balanced_accuracy_score\n"
                f"balanced_accuracy_score(y_val, {answers})   # 1/k for a constant answer\n{weigh}"
                if balanced
                else "baseline = (y_val != y_train.mode().values).float().mean()"
            )
            fix = f"Start from the other findings (learning rate, inputs, loss); the model must beat this first:\n```\n{baseline}\n```"
            yield self.finding(message, fix, evidence=evidence, severity=Severity.ERROR)
            return
        if linear is None:
            return
        if error:  # 3 standard errors of the difference of two error rates on n validation examples
            var = (max(linear * (1 - linear), 0.01) + max(model * (1 - model), 0.01)) / n
            margin = max(0.05, 3 * math.sqrt(var))
        else:
            margin = 0.5 * linear
        if model > linear + margin and (not error or model > 1.5 * linear):
            kind = "logistic" if error else "ridge"
            message = (
                f"After {b.get('steps')} training steps the model's validation {metric} is {g(model)}, worse than a "
                f"{kind} regression on the flattened inputs ({g(linear)}).{note}"
            )
            fix = (
                "Check the learning rate, the input scaling and the loss first; the linear model is the number to beat:\n"
                "```\nfrom sklearn.linear_model import LogisticRegression\nLogisticRegression(max_iter=1000).fit(X_tr.flatten(1), y_tr).score(X_va.flatten(1), y_va)\n```"
            )
            # Still learning, and not yet fitting even its training data as well as the linear model
            # does validation: the short training was too short to tell; only advice.
            unfinished = late is not None and (b.get("model_train") is None or b["model_train"] > linear)
            yield self.finding(message, fix, evidence=evidence, severity=Severity.INFO if unfinished else None)
