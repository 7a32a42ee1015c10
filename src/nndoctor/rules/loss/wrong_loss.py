"""wrong-loss (live): a regression loss between a classifier's scores and its class ids."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

REGRESSION = frozenset({"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"})
#: Scores per sample from which a prediction is a classifier's (fewer could be a 2-D regression).
MIN_CLASSES = 3
#: Training calls with class ids against class scores needed before accusing.
MIN_CALLS = 2


def _class_ids_against_scores(d: dict) -> int | None:
    """The number of scores per sample when a regression loss compares C >= 3 scores with targets
    that are class ids (whole numbers in 0..C-1, one per sample); None otherwise."""
    if d.get("fn") not in REGRESSION or d.get("partial"):
        return None
    shape, target = d.get("input_shape") or [], d.get("target_shape") or []
    if len(shape) < 2 or shape[-1] < MIN_CLASSES or (target and target[-1] == shape[-1] and len(target) == len(shape)):
        return None  # one score per sample, or targets shaped like the scores (one-hot, regression)
    whole = d.get("target_integer") or d.get("target_whole")
    lo, hi = d.get("target_min"), d.get("target_max")
    if not whole or lo is None or hi is None or lo < 0 or hi > shape[-1] - 1 or hi - lo < 2:
        return None
    return int(shape[-1])


@register
class WrongLossLive(Rule):
    """A regression loss (MSE, L1) compares a classifier's C scores with its class ids.

    What it detects:
        ``mse_loss``/``l1_loss``/``smooth_l1_loss``/``huber_loss`` calls whose prediction has 3 or
        more scores per sample and whose targets are class ids: whole numbers from 0 to C - 1,
        one per sample (not one-hot rows), in at least two training calls.
    Why it matters:
        The loss pushes every one of the C scores towards the class id (all ten scores towards
        7 for a 7), through a broadcast if the target is ``(N, 1)``: the scores stop meaning
        "how likely is each class", the argmax is noise, and the loss treats class 7 as closer
        to 8 than to 1. Accuracy stays near chance however long it trains.
    Fix:
        Use cross-entropy on the C raw scores with integer class ids (``F.cross_entropy(scores,
        y)``, ``y`` of shape ``(N,)`` and dtype long); keep MSE for real-valued targets.
    """

    id = "wrong-loss"
    severity = Severity.ERROR
    title = "A regression loss on class ids"
    requires = frozenset({"loss_inputs"})

    def check(self, view):
        hits = [(e, c) for e in view.events("loss_call") if (c := _class_ids_against_scores(e.data)) is not None]
        if len(hits) < MIN_CALLS:
            return
        first, classes = hits[0]
        d = first.data
        message = (
            f"{d['fn']} compares {classes} scores per sample (prediction {d.get('input_shape')}) with targets that "
            f"are class ids (whole numbers {d.get('target_min'):g} to {d.get('target_max'):g}, target "
            f"{d.get('target_shape')}) in {len(hits)} training calls: every score is pulled towards the class id, so "
            "the scores cannot say which class is likely, and the loss treats neighbouring ids as similar classes."
        )
        evidence = {
            "loss_function": d["fn"],
            "input_shape": d.get("input_shape"),
            "target_shape": d.get("target_shape"),
            "target_min": d.get("target_min"),
            "target_max": d.get("target_max"),
            "classes": classes,
            "calls": len(hits),
        }
        fix = (
            "Train the scores with cross-entropy against integer class ids, one per sample:\n"
            "```\nloss = F.cross_entropy(scores, y.long().view(-1))   # scores: (N, C) raw, y: class ids\n```"
        )
        yield self.finding(message, fix, where=d.get("producer"), step=first.step, evidence=evidence)
