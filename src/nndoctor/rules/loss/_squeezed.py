"""Scores squeezed into a bounded range before a loss that expects raw scores (logits).

A softmax, sigmoid or tanh in front of cross-entropy or ``BCEWithLogitsLoss`` bounds what the
loss sees, so the loss has a floor well above zero and creeps toward it however well the model
separates the classes. The loss-curve rules must not read that curve as a model that learns
nothing (loss-plateau) or one that more epochs would improve (still-improving):
double-softmax and output-activation-mismatch name the cause, with its fix.
"""

from __future__ import annotations

from nndoctor.rules.model.output_activation_mismatch import LOGIT_LOSSES, final_activation
from nndoctor.trace import TraceView

#: Activations whose output range is bounded on both sides.
BOUNDED = frozenset({"softmax", "sigmoid", "tanh"})


def squeezed_scores(view: TraceView, fn: str | None = None) -> bool:
    """Whether most training calls of a logits loss (``fn``, or any) received bounded scores: a
    bounded activation's output, or rows of probabilities that sum to one."""
    calls = [
        e.data
        for e in view.events("loss_call")
        if e.data.get("fn") in LOGIT_LOSSES and (fn is None or e.data.get("fn") == fn)
    ]
    squeezed = sum(
        1
        for d in calls
        if final_activation(d)[0] in BOUNDED or (d.get("rows_sum_to_one") and (d.get("classes") or 0) >= 2)
    )
    return bool(calls) and 2 * squeezed > len(calls)
