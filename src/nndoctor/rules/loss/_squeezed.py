"""Scores squeezed into a bounded range before a loss that expects raw scores (logits).

A softmax, sigmoid or tanh in front of cross-entropy or ``BCEWithLogitsLoss`` bounds what the
loss sees, so the loss has a floor well above zero and creeps toward it however well the model
separates the classes. The loss-curve rules must not read that curve as a model that learns
nothing (loss-plateau) or one that more epochs would improve (still-improving):
double-softmax and output-activation-mismatch name the cause, with its fix.
"""

from __future__ import annotations

from nndoctor.rules.model.output_activation_mismatch import LOGIT_LOSSES, OutputActivationMismatch, final_activation
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


#: output-activation-mismatch's cases where a log-probability loss gets something else: its
#: values are no negative log-likelihood, so its constant-prediction baseline means nothing.
NOT_LOG_PROBS = frozenset({"log-softmax-wrong-dim", "probabilities-into-log-prob-loss", "scores-into-nll"})


def not_log_probs(view: TraceView, fn: str | None = None) -> bool:
    """Whether most training calls of a log-probability loss (``fn``, or any) received something
    other than log-probabilities over the classes (a log-softmax over the batch, probabilities,
    raw scores): output-activation-mismatch names it, and the loss level cannot be read against
    ln C."""
    calls = [
        e.data
        for e in view.events("loss_call")
        if e.data.get("fn") in ("nll_loss", "kl_div") and (fn is None or e.data.get("fn") == fn)
    ]
    bad = 0
    for d in calls:
        verdict = OutputActivationMismatch._judge(d["fn"], final_activation(d)[0], d)
        bad += verdict is not None and verdict[0] in NOT_LOG_PROBS
    return bool(calls) and 2 * bad > len(calls)
