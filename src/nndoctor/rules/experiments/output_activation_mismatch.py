"""output-activation-mismatch: the final activation clashes with the loss or the targets."""

from __future__ import annotations

import math

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

REGRESSION = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")
#: Share of regression targets outside the final activation's range that makes it a mismatch.
OUT_OF_RANGE = 0.05


@register
class OutputActivationMismatch(ExamineRule):
    """The model's final activation clashes with the loss or the targets.

    What it detects:
        On the probe batch: ``nll_loss`` receiving something that is not log-probabilities
        (logits, or softmax probabilities); a softmax over a single output unit (always 1);
        ``cross_entropy`` receiving the output of a ReLU (logits that cannot be negative) or a
        logits loss receiving a Tanh's (logits bounded to [-1, 1]); a
        regression loss behind a bounded activation (sigmoid, tanh, ReLU, softmax) while more
        than 5 % of the targets lie outside its range.
    Why it matters:
        The model cannot express the right answer (a ReLU cannot output -1, a sigmoid cannot
        output 3) or the loss is computed on the wrong quantity (NLL of logits is unbounded
        below); training goes nowhere or optimises nonsense.
    Fix:
        Match the output to the loss: logits for CrossEntropyLoss, log_softmax for NLLLoss, a
        plain Linear output for regression.
    """

    id = "output-activation-mismatch"
    severity = Severity.ERROR
    title = "The final activation does not fit the loss or the targets"

    def check(self, view):
        p = data_of(view, "loss_probe")
        if not p or not p.get("pred_finite", True):
            return
        loss, act, where = p["loss"], p.get("producer_type"), p.get("producer")
        shape = p.get("output_shape") or []
        units = shape[1] if len(shape) > 1 else 1
        evidence = {
            "loss": loss,
            "final_module": where,
            "final_type": act,
            "pred_min": p.get("pred_min"),
            "pred_max": p.get("pred_max"),
            "output_units": units,
        }
        severity = None
        if act == "Softmax" and units == 1 and len(shape) > 1:
            message = f"{where} applies softmax over a single output unit: the output is always 1, whatever the input."
            fix = "For one output use a sigmoid (or logits with BCEWithLogitsLoss), not a softmax:\n```\nloss_fn = nn.BCEWithLogitsLoss()   # and drop nn.Softmax\n```"
        elif loss == "nll_loss" and not p.get("rows_are_log_probs"):
            kind = (
                "probabilities (softmax output)" if p.get("rows_sum_to_one") else "raw scores (not log-probabilities)"
            )
            message = (
                f"nll_loss receives {kind}, range [{g(p.get('pred_min'))}, {g(p.get('pred_max'))}]; it expects "
                "log-probabilities. On logits it is unbounded below and the loss runs to -infinity."
            )
            fix = "Apply log_softmax before NLLLoss, or give logits to CrossEntropyLoss:\n```\nloss = F.nll_loss(F.log_softmax(logits, dim=1), y)   # = F.cross_entropy(logits, y)\n```"
        elif loss == "cross_entropy" and act == "ReLU":
            severity = Severity.WARNING
            message = (
                f"cross_entropy receives the output of a ReLU ({where}): logits that can never be negative, so "
                "the model cannot express 'not this class' well, and dead units give constant scores."
            )
            fix = "Remove the final ReLU; the last layer should be a plain Linear producing logits:\n```\nmodel = nn.Sequential(..., nn.Linear(h, C))\n```"
        elif loss in ("cross_entropy", "binary_cross_entropy_with_logits") and act == "Tanh":
            severity = Severity.WARNING
            if loss == "cross_entropy" and units >= 2:
                floor = math.log1p((units - 1) * math.exp(-2.0))
            else:
                floor = math.log1p(math.exp(-1.0))
            evidence["min_reachable_loss"] = floor
            message = (
                f"{loss} expects raw scores (logits), but receives the output of a Tanh ({where}): every score lies "
                f"in [-1, 1], so even a perfect model's loss stays above {g(floor)} and the model can never be "
                "confident."
            )
            fix = "Remove the final Tanh; the last layer should be a plain Linear producing logits:\n```\nmodel = nn.Sequential(..., nn.Linear(h, C))\n```"
        elif loss in REGRESSION and act in ("Sigmoid", "Tanh", "ReLU", "Softmax", "Softplus"):
            share = {
                "Sigmoid": p.get("target_outside_unit_share"),
                "Softmax": p.get("target_outside_unit_share"),
                "Tanh": p.get("target_outside_pm1_share"),
                "ReLU": p.get("target_negative_share"),
                "Softplus": p.get("target_negative_share"),
            }[act]
            if share is None or share <= OUT_OF_RANGE:
                return
            rng = {
                "Sigmoid": "[0, 1]",
                "Softmax": "[0, 1]",
                "Tanh": "[-1, 1]",
                "ReLU": "[0, inf)",
                "Softplus": "(0, inf)",
            }[act]
            evidence.update(targets_out_of_range=share, target_min=p.get("target_min"), target_max=p.get("target_max"))
            message = (
                f"The model ends in {act} ({where}), whose outputs lie in {rng}, but {share:.0%} of the regression "
                f"targets are outside it (targets from {g(p.get('target_min'))} to {g(p.get('target_max'))}): "
                "those can never be predicted."
            )
            fix = "End a regression model with a plain Linear layer (or rescale the targets into the range):\n```\nmodel = nn.Sequential(..., nn.Linear(h, 1))   # no final activation\n```"
        else:
            return
        yield self.finding(message, fix, where=where, evidence=evidence, severity=severity)
