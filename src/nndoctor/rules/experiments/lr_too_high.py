"""lr-too-high: the recipe's learning rate diverges in the first 100 iterations."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: The clean rate must lower the loss by at least 10 % over its iterations to count as training.
LEARNS = 0.9


@register
class LrTooHigh(ExamineRule):
    """The learning rate makes the first 100 iterations diverge.

    What it detects:
        100 mini-batch iterations at the recipe's learning rate give a NaN/Inf loss, a spike
        above 4x the starting loss or an end 20 % above it, while a rate divided by 3 (once or
        more) trains cleanly and lowers the loss. ``evidence.suggested_lr`` is that clean rate,
        1-3x below the divergence threshold. The LR range test's curve and suggestion are
        attached.
    Why it matters:
        Past the stability threshold, every step overshoots: the loss explodes to NaN, or
        bounces and ends worse, and the weights are destroyed in the first few steps.
    Fix:
        Use the suggested rate (or lower), with warm-up and gradient clipping for big models.
    """

    id = "lr-too-high"
    severity = Severity.ERROR
    title = "The learning rate is too high"

    def check(self, view):
        d = data_of(view, "lr_trials")
        if not d or d.get("clean_lr") is None or len(d["trials"]) < 2:
            return
        clean = next((t for t in d["trials"] if t["lr"] == d["clean_lr"]), None)
        if clean is None or not d["trials"][0]["diverged"]:
            return
        if not (
            clean.get("last_loss") is not None
            and clean.get("first_loss") is not None
            and clean["last_loss"] < LEARNS * clean["first_loss"]
        ):
            return  # the lower rate does not learn either: not (only) the learning rate
        if (data_of(view, "descent") or {}).get("ascends"):
            return  # the optimizer climbs the loss at any rate: loss-increasing, not the rate
        first = d["trials"][0]
        suggested = d["clean_lr"]
        evidence = {
            "lr": d["user_lr"],
            "suggested_lr": suggested,
            "diverged": [(t["lr"], t.get("reason"), t.get("step")) for t in d["trials"] if t["diverged"]],
            "clean_loss_start_end": (clean["first_loss"], clean["last_loss"]),
        }
        curve = data_of(view, "lr_range_curve")
        if curve:
            evidence["range_test_suggested_lr"] = curve["suggested_lr"]
        message = (
            f"At lr={g(d['user_lr'])} training diverges within {d['steps']} iterations ({first.get('reason')} at "
            f"iteration {first.get('step')}). Dividing by 3 until clean gives lr={g(suggested)}, which trains: the loss "
            f"goes {g(clean['first_loss'])} -> {g(clean['last_loss'])}."
        )
        opt = d.get("optimizer", "SGD")
        fix = (
            "Lower the learning rate to the suggested value (and clip gradients for RNNs):\n"
            f"```\noptimizer = torch.optim.{opt}(model.parameters(), lr={g(suggested)})\n```"
        )
        yield self.finding(message, fix, step=first.get("step"), evidence=evidence)
