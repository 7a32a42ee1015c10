"""output-activation-mismatch: the model's final activation clashes with the loss or the targets."""

from __future__ import annotations

import math
from typing import Any

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: Losses that take unnormalised scores.
LOGIT_LOSSES = {"cross_entropy", "binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"}
REGRESSION_LOSSES = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"}
#: nn module class -> activation name as recorded by ``loss_call.input_op``.
MODULE_ACTS = {
    "Softmax": "softmax",
    "LogSoftmax": "log_softmax",
    "Sigmoid": "sigmoid",
    "ReLU": "relu",
    "ReLU6": "relu",
    "Tanh": "tanh",
    "Softplus": "softplus",
}
ACTIVATIONS = {"softmax", "log_softmax", "sigmoid", "relu", "tanh", "softplus"}
#: Share of targets outside the activation's range that cannot be a few outliers.
OUT_OF_RANGE_SHARE = 0.05


def final_activation(d: dict[str, Any]) -> tuple[str | None, str | None, bool]:
    """(activation, where, functional) of the operation that produced a loss input."""
    module_act = MODULE_ACTS.get(d.get("producer_type") or "")
    if module_act is not None:
        return module_act, d.get("producer"), False
    op = d.get("input_op")
    if op in ACTIVATIONS and MODULE_ACTS.get(d.get("input_op_module_type") or "") == op:
        return op, d["input_op_module"], False  # an activation module's output, reshaped before the loss
    if op in ACTIVATIONS:
        return op, d.get("input_op_after") or d.get("producer"), True
    if "log_of_softmax_after" in d:  # torch.log(F.softmax(...)): the softmax's module
        return None, d["log_of_softmax_after"], True
    return None, d.get("producer"), False


def _normalised_dim(d: dict[str, Any]) -> int | None:
    """The dim the prediction was normalised over: a log_softmax's, or a softmax's under a log."""
    return d.get("input_op_dim", d.get("log_of_softmax_dim"))


def _code_for(fn: str) -> str:
    return {
        "cross_entropy": "loss = nn.CrossEntropyLoss()(logits, y)   # logits straight from the last Linear",
        "binary_cross_entropy_with_logits": "loss = nn.BCEWithLogitsLoss()(logits, y)   # no sigmoid in the model",
        "multilabel_soft_margin_loss": "loss = nn.MultiLabelSoftMarginLoss()(logits, y)   # no activation in the model",
    }.get(fn, "return self.fc(x)   # raw scores; the loss applies its own normalisation")


def _tanh_loss_floor(fn: str, shape: list) -> float | None:
    """The lowest loss reachable with every score in [-1, 1] (the right one at 1, the others at -1)."""
    if fn == "cross_entropy":
        classes = shape[1] if len(shape) >= 2 else None
        if not isinstance(classes, int) or classes < 2:
            return None
        return math.log1p((classes - 1) * math.exp(-2.0))
    return math.log1p(math.exp(-1.0))


@register
class OutputActivationMismatch(Rule):
    """The model's final activation clashes with the loss function or with the targets.

    What it detects:
        From what each loss call receives (the operation that made the prediction, module or
        functional, and the values): a softmax or log-softmax over a dimension of size 1 (the
        output is constantly 1, or 0); a ReLU, sigmoid or tanh in front of a loss that applies its own
        sigmoid/softmax (``CrossEntropyLoss``, ``BCEWithLogitsLoss``); ``NLLLoss``/``KLDivLoss``
        given something other than log-probabilities over the class dimension (probabilities,
        raw scores, or a log-softmax over the wrong dim); a bounded output (sigmoid, tanh, ReLU)
        for regression targets outside its range. A softmax in front of a logits loss is
        ``double-softmax``.
    Why it matters:
        A softmax over one unit makes the loss constant, so nothing is learned. A ReLU before a
        logits loss zeroes every negative score, so those classes get no gradient; a sigmoid
        before ``BCEWithLogitsLoss`` squashes twice, so the loss cannot go below ~0.31 and the
        gradients shrink; a tanh bounds the logits to [-1, 1] (10 classes: the loss stays above
        ~0.8 however well the model separates them). NLL on raw scores is unbounded below and diverges. A sigmoid cannot
        output 5, so a regression to such targets never fits.
    Fix:
        Feed logits to the logits losses, ``log_softmax(dim=1)`` to ``NLLLoss``, and give a
        regression model a linear output (or scale the targets into the activation's range).
    """

    id = "output-activation-mismatch"
    severity = Severity.WARNING
    title = "Final activation clashes with the loss or targets"
    requires = frozenset({"loss_inputs"})

    def check(self, view):
        found: dict[tuple[str, str | None], Any] = {}
        value_only: dict[tuple[str, str | None], list] = {}
        for e in view.events("loss_call"):
            d = e.data
            fn = d.get("fn") or ""
            act, where, functional = final_activation(d)
            verdict = self._judge(fn, act, d)
            if verdict is None:
                continue
            case, needs_repeat = verdict
            key = (case, where)
            if key in found:
                continue
            if needs_repeat:
                value_only.setdefault(key, []).append(e)
                if len(value_only[key]) < 2:
                    continue
            found[key] = self._finding(case, fn, act, where, functional, d, e.step)
        yield from found.values()

    @staticmethod
    def _judge(fn: str, act: str | None, d: dict[str, Any]) -> tuple[str, bool] | None:
        """The case this loss call shows, and whether it rests on values only (then it must repeat)."""
        if act in ("softmax", "log_softmax") and d.get("input_op_dim_size") == 1:
            return "softmax-one-unit", False
        if fn in LOGIT_LOSSES and act == "relu":
            return "relu-before-logits-loss", False
        if fn in LOGIT_LOSSES and act == "sigmoid":
            return "sigmoid-before-logits-loss", False
        if fn in LOGIT_LOSSES and act == "tanh":
            return "tanh-before-logits-loss", False
        if fn == "kl_div":
            ndim = len(d.get("input_shape") or [])
            if act == "softmax":
                return "probabilities-into-log-prob-loss", False
            if act is None and ndim == 2 and d.get("rows_sum_to_one"):
                return "probabilities-into-log-prob-loss", True
            return None
        if fn == "nll_loss" and d.get("finite", True):
            ndim = len(d.get("input_shape") or [])
            if act == "log_softmax" or (act is None and "log_of_softmax_dim" in d):
                dim = _normalised_dim(d)
                if isinstance(dim, int) and ndim >= 2 and dim % ndim != 1:
                    return "log-softmax-wrong-dim", False
                return None
            if d.get("rows_are_log_probs") or ndim < 2:
                return None
            if act == "softmax" or d.get("rows_sum_to_one"):
                return "probabilities-into-log-prob-loss", act != "softmax"
            if d.get("max", 0) > 0:
                return "scores-into-nll", True
            return None
        if fn in REGRESSION_LOSSES and act in ("sigmoid", "tanh", "relu", "softplus"):
            if act == "sigmoid":
                outside = d.get("target_frac_negative", 0) + d.get("target_frac_above_one", 0)
            elif act == "tanh":
                outside = d.get("target_frac_below_minus_one", 0) + d.get("target_frac_above_one", 0)
            else:
                outside = d.get("target_frac_negative", 0)
            if outside >= OUT_OF_RANGE_SHARE:
                return f"{act}-vs-targets", False
        return None

    def _finding(self, case, fn, act, where, functional, d, step):
        if functional and not d.get("producer"):  # no module returned the prediction: the loop applied it
            how = f"a {act} applied to its output after forward (torch.{act}(model(x)))"
        elif functional:
            how = f"a functional {act} in forward"
        else:
            kind = d.get("producer_type") if where == d.get("producer") else d.get("input_op_module_type")
            how = f"{where} ({kind})" if where and kind else where or act
        evidence: dict[str, Any] = {
            "loss_function": fn,
            "final_activation": act,
            "functional": functional,
            "input_shape": d.get("input_shape"),
            "prediction_min": d.get("min"),
            "prediction_max": d.get("max"),
        }
        severity = None
        if case == "softmax-one-unit":
            evidence["softmax_dim_size"] = 1
            message = (
                f"The model ends with {how} over a dimension of size 1 (shape {d.get('input_shape')}): its output is "
                f"always {'0' if act == 'log_softmax' else '1'}, whatever the input, so the loss is constant and "
                "nothing is learned."
            )
            fix = (
                "For one output unit use a sigmoid (or, better, raw logits with BCEWithLogitsLoss):\n"
                "```\nloss = nn.BCEWithLogitsLoss()(model(x).squeeze(1), y.float())   # no Softmax over one unit\n```"
            )
            severity = Severity.ERROR
        elif case == "relu-before-logits-loss":
            evidence["zero_share"] = d.get("zero_share")
            message = (
                f"{fn} expects raw scores (logits), but the model ends with {how}: every negative score is cut to 0 "
                f"({(d.get('zero_share') or 0):.0%} of this batch's outputs are exactly 0), and those outputs get no "
                "gradient, so the model cannot express low confidence."
            )
            fix = f"Remove the final ReLU; the last Linear layer's output is the logits:\n```\n{_code_for(fn)}\n```"
        elif case == "sigmoid-before-logits-loss":
            message = (
                f"{fn} applies its own sigmoid/softmax, but the model already ends with {how}: the outputs are squashed "
                "twice into a narrow range, the loss cannot get near 0 and its gradients shrink."
            )
            fix = f"Remove the final sigmoid and feed the logits to the loss:\n```\n{_code_for(fn)}\n```"
        elif case == "tanh-before-logits-loss":
            floor = _tanh_loss_floor(fn, d.get("input_shape") or [])
            evidence["min_reachable_loss"] = floor
            bound = f": even a perfect model's loss cannot go below {floor:.3g}" if floor is not None else ""
            message = (
                f"{fn} expects raw scores (logits), but the model ends with {how}: every score is squashed into "
                f"[-1, 1], so the model can never be confident{bound}, and the saturated tanh shrinks the gradients."
            )
            fix = f"Remove the final tanh and feed the logits to the loss:\n```\n{_code_for(fn)}\n```"
        elif case == "log-softmax-wrong-dim":
            dim = _normalised_dim(d)
            evidence["log_softmax_dim"] = dim
            op = "log_softmax" if act == "log_softmax" else "softmax under the log"
            message = (
                f"{fn} expects log-probabilities over dim 1 (the classes), but the {op} runs over dim "
                f"{dim} of a {d.get('input_shape')} prediction: it normalises across "
                f"{'the batch' if dim == 0 else 'the wrong axis'}, so each sample's prediction "
                "depends on the others and the class scores are not a distribution."
            )
            fix = "Normalise over the class dimension:\n```\nlog_probs = F.log_softmax(logits, dim=1)\n```"
            severity = Severity.ERROR
        elif case == "probabilities-into-log-prob-loss":
            evidence["rows_sum_to_one"] = d.get("rows_sum_to_one")
            message = (
                f"{fn} expects log-probabilities, but it receives probabilities (values in [0, 1] that sum to 1 over "
                f"the classes, from {how}): the loss becomes -p instead of -log p, which barely penalises confident "
                "mistakes."
            )
            fix = (
                "Give kl_div log-probabilities as its input (the target stays a distribution):\n```\n"
                "loss = F.kl_div(F.log_softmax(logits, dim=1), target_probs, reduction='batchmean')\n```"
                if fn == "kl_div"
                else "Use log_softmax instead of softmax (or CrossEntropyLoss on the logits):\n```\n"
                "loss = F.nll_loss(F.log_softmax(logits, dim=1), y)\n```"
            )
        elif case == "scores-into-nll":
            evidence["rows_logsumexp_dev"] = d.get("rows_logsumexp_dev")
            message = (
                f"{fn} expects log-probabilities (all <= 0, logsumexp over the classes = 0), but it receives raw "
                f"scores (max {d.get('max', 0):.3g}): the loss is unbounded below and drives the target score to "
                "infinity instead of learning."
            )
            fix = "Add a log_softmax over the classes (or use CrossEntropyLoss, which includes it):\n```\nloss = F.cross_entropy(logits, y)\n```"
            severity = Severity.ERROR
        else:  # bounded output vs targets
            lo_hi = {"sigmoid": "(0, 1)", "tanh": "(-1, 1)", "relu": "[0, inf)", "softplus": "(0, inf)"}[act]
            evidence.update(
                target_min=d.get("target_min"),
                target_max=d.get("target_max"),
                activation_range=lo_hi,
            )
            message = (
                f"The regression output goes through {how}, whose range is {lo_hi}, but the targets span "
                f"[{d.get('target_min', 0):.3g}, {d.get('target_max', 0):.3g}]: the model can never reach "
                "the targets outside that range."
            )
            fix = (
                "Give a regression model a linear output (no final activation), or scale the targets into the "
                "activation's range:\n```\nreturn self.fc_out(x)   # no sigmoid/tanh/ReLU on a regression output\n```"
            )
        return self.finding(message, fix, where=where, step=step, evidence=evidence, severity=severity)
