"""double-softmax: a loss that expects logits receives probabilities."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g


@register
class DoubleSoftmax(ExamineRule):
    """A loss that applies softmax/sigmoid itself receives probabilities.

    What it detects:
        ``cross_entropy`` (``nn.CrossEntropyLoss``) receiving rows that are non-negative and
        sum to 1, or ``binary_cross_entropy_with_logits`` receiving the output of a sigmoid,
        on the probe batch.
    Why it matters:
        The loss applies (log-)softmax again: a softmax of probabilities is nearly uniform, so
        the loss is stuck near ln(C), gradients are tiny and training stalls or crawls.
    Fix:
        Return logits from the model (drop the final Softmax/Sigmoid) and apply softmax only
        for predictions.
    """

    id = "double-softmax"
    severity = Severity.ERROR
    title = "Probabilities are fed to a loss that expects logits"

    def check(self, view):
        p = data_of(view, "loss_probe")
        if not p:
            return
        loss, producer = p["loss"], p.get("producer_type")
        if loss == "cross_entropy" and p.get("rows_sum_to_one"):
            what = "rows that are probabilities (non-negative, summing to 1)"
            fix = (
                "Remove the final softmax: nn.CrossEntropyLoss applies log-softmax itself.\n"
                "```\nmodel = nn.Sequential(..., nn.Linear(h, C))   # no nn.Softmax at the end\nprobs = model(x).softmax(-1)   # only for predictions\n```"
            )
        elif loss in ("binary_cross_entropy_with_logits", "multilabel_soft_margin_loss") and (
            producer == "Sigmoid"
            or (
                p.get("in_unit_interval")
                and (producer in ("Softmax", "Sigmoid") or p.get("loss_input_op") in ("sigmoid", "softmax"))
            )
        ):
            what = "sigmoid outputs (probabilities in [0, 1])"
            fix = (
                "Remove the final sigmoid: BCEWithLogitsLoss applies it itself (stably).\n"
                "```\nmodel = nn.Sequential(..., nn.Linear(h, 1))   # no nn.Sigmoid at the end\nprobs = model(x).sigmoid()   # only for predictions\n```"
            )
        else:
            return
        where = p.get("producer")
        evidence = {
            "loss": loss,
            "producer": where,
            "producer_type": producer,
            "pred_min": p.get("pred_min"),
            "pred_max": p.get("pred_max"),
            "rows_sum_to_one": p.get("rows_sum_to_one"),
        }
        op = p.get("loss_input_op")
        if op:
            evidence["op_before_loss"] = op
        if op and where:
            src = f" made by a {op} applied to the output of {where} ({producer}) outside any module"
        else:
            src = f" produced by {where} ({producer})" if where else ""
        message = (
            f"{loss} receives {what}{src}: range [{g(p.get('pred_min'))}, {g(p.get('pred_max'))}]. It applies "
            "softmax/sigmoid again, which squashes the scores, so the gradient is tiny and learning stalls."
        )
        yield self.finding(message, fix, where=where, evidence=evidence)
