"""double-softmax: a loss that applies its own softmax receives probabilities."""

from __future__ import annotations

import math
from typing import Any

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: Losses that apply a softmax/sigmoid themselves and so expect logits.
EXPECT_LOGITS = {"cross_entropy", "binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"}
#: Calls with probability-like values (no softmax op seen) needed before accusing.
VALUE_REPEATS = 2

FIX = (
    "Remove the softmax from the model and give the loss the raw scores of the last layer (apply softmax "
    "only when you need probabilities, e.g. at prediction time):\n"
    "```\nloss = nn.CrossEntropyLoss()(logits, y)   # probs = logits.softmax(dim=1) only for reporting\n```"
)
NLL_FIX = (
    "log_softmax(softmax(x)) normalises twice; apply log_softmax to the raw scores only:\n"
    "```\nloss = F.nll_loss(F.log_softmax(logits, dim=1), y)\n```"
)


def _describe(d: dict[str, Any]) -> tuple[str, str | None, bool]:
    """How the probabilities were made, where, and whether it was a softmax op (vs values only)."""
    if d.get("producer_type") == "Softmax":
        return f"the nn.Softmax module {d.get('producer')}", d.get("producer"), True
    if d.get("input_op") == "softmax":
        after = d.get("input_op_after")
        text = f"a softmax applied in forward to {after}'s output" if after else "a softmax applied in forward"
        return text, after or d.get("producer"), True
    after = d.get("input_op_after") or d.get("producer")
    return "a hand-written normalisation (rows in [0, 1] summing to 1)", after, False


@register
class DoubleSoftmax(Rule):
    """A loss that expects logits receives probabilities (softmax, then CrossEntropyLoss).

    What it detects:
        ``CrossEntropyLoss``/``BCEWithLogitsLoss``/``MultiLabelSoftMarginLoss`` calls whose input
        was made by a softmax (an ``nn.Softmax`` module, or ``F.softmax``/``torch.softmax``/
        ``x.softmax`` inside ``forward``, found from the prediction's autograd node), or whose
        values are probabilities (every row in [0, 1] summing to 1 over the classes) in at least
        two calls, which catches a hand-written ``exp(x) / exp(x).sum()``. Also
        ``log_softmax(softmax(x))`` fed to ``NLLLoss``.
    Why it matters:
        These losses apply log-softmax themselves. Softmax outputs are squeezed into [0, 1], so
        the second softmax sees nearly equal scores: the loss cannot drop below ~1.46 for 10
        classes even when every prediction is right, and gradients shrink by the softmax
        Jacobian, so training stalls.
    Fix:
        Remove the softmax in the model; pass the raw scores (logits) to the loss.
    """

    id = "double-softmax"
    severity = Severity.ERROR
    title = "Softmax before a loss that applies softmax itself"
    requires = frozenset({"loss_inputs"})

    def check(self, view):
        by_where: dict[str | None, Any] = {}
        value_hits: dict[str | None, list] = {}
        for e in view.events("loss_call"):
            d = e.data
            fn = d.get("fn")
            chain = d.get("input_op_chain") or []
            if fn == "nll_loss" and d.get("input_op") == "log_softmax" and chain[:1] == ["softmax"]:
                where = d.get("input_op_after") or d.get("producer")
                by_where.setdefault(where, self._finding(d, e.step, "log_softmax of a softmax", where, True, NLL_FIX))
                continue
            if fn not in EXPECT_LOGITS:
                continue
            op_softmax = d.get("producer_type") == "Softmax" or d.get("input_op") == "softmax"
            twice = d.get("input_op") == "log_softmax" and chain[:1] == ["softmax"]
            if (op_softmax and (d.get("input_op_dim_size") or d.get("classes") or 2) > 1) or twice:
                how, where, _ = _describe(d)
                if twice:
                    how = "log_softmax(softmax(x))"
                by_where.setdefault(where, self._finding(d, e.step, how, where, True, FIX))
            elif d.get("rows_sum_to_one") and (d.get("classes") or 0) >= 2:
                how, where, _ = _describe(d)
                hits = value_hits.setdefault(where, [])
                hits.append(e)
                if len(hits) >= VALUE_REPEATS:
                    by_where.setdefault(where, self._finding(d, hits[0].step, how, where, False, FIX, len(hits)))
        yield from by_where.values()

    def _finding(self, d, step, how, where, from_op, fix, calls=1):
        fn = d.get("fn")
        evidence = {
            "loss_function": fn,
            "made_by": how,
            "detected_from": "softmax operation" if from_op else "values",
            "input_shape": d.get("input_shape"),
            "prediction_min": d.get("min"),
            "prediction_max": d.get("max"),
        }
        if d.get("rows_sum_dev") is not None:
            evidence["max_row_sum_deviation_from_1"] = d["rows_sum_dev"]
        if not from_op:
            evidence["calls_with_probabilities"] = calls
        classes = d.get("classes")
        floor = ""
        if isinstance(classes, int) and classes >= 2 and fn == "cross_entropy":
            best = -math.log(math.e / (math.e + classes - 1))
            evidence["lowest_reachable_loss"] = best
            floor = f" With {classes} classes the loss cannot go below {best:.3g} even when every prediction is right."
        message = (
            f"{fn} applies log-softmax itself, but its input is already probabilities, made by {how}: the "
            f"softmax is applied twice, squeezing the scores together and shrinking the gradients.{floor}"
        )
        return self.finding(message, fix, where=where, step=step, evidence=evidence)
