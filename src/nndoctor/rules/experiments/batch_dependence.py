"""batch-dependence: one sample's output depends on other samples in its batch."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

TOLERANCE = 1e-4


@register
class BatchDependence(ExamineRule):
    """A sample's output depends on the other samples of its batch (in eval mode).

    What it detects:
        The gradient of sample i's output with respect to sample j's input (i != j) is not
        zero in eval mode, so batch norm's batch statistics do not count; for integer inputs,
        replacing sample j changes sample i's output. Names the module where mixing starts.
    Why it matters:
        Predictions then depend on what else is in the batch: a ``view``/``reshape`` across
        the batch dimension, a softmax/sum/mean over ``dim=0``, or a recurrent layer reading
        batch-first data as time-first. The model trains on scrambled examples and fails at
        batch size 1.
    Fix:
        Keep the batch dimension first and untouched: ``x.flatten(1)`` instead of
        ``x.view(-1, ...)``, reductions over ``dim=1`` and up, ``batch_first=True``.
    """

    id = "batch-dependence"
    severity = Severity.ERROR
    title = "Samples in a batch influence each other"

    def check(self, view):
        d = data_of(view, "batch_independence")
        if not d or d["leak"] <= TOLERANCE:
            return
        where = d.get("where")
        evidence = {"relative_leak": d["leak"], "pairs_i_j": d["pairs"][:6], "batch": d["batch"], "method": d["method"]}
        if d.get("before"):
            evidence["before_module"] = d["before"]
            place = f" Mixing starts in {where}'s forward code, before {d['before']} is called."
        elif where and d.get("where_kind") == "module":
            place = f" Mixing starts at {where} ({d.get('type')})."
        elif where:
            place = f" Mixing happens in {where}'s forward code."
        else:
            place = ""
        message = (
            f"In eval mode, sample i's output depends on sample j's input (relative size {g(d['leak'])} for pairs "
            f"such as {d['pairs'][:3]}), so each prediction depends on the rest of the batch.{place}"
        )
        fix = (
            "Keep the batch dimension first and never mix it: flatten with flatten(1), reduce over dim >= 1, and "
            "pass batch_first=True to recurrent layers given (batch, time, features):\n"
            "```\nx = x.flatten(1)   # not x.view(-1, n) with the wrong n; nn.LSTM(..., batch_first=True)\n```"
        )
        yield self.finding(message, fix, where=where, evidence=evidence)
