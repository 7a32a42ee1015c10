"""nonfinite-loss: the loss (or a gradient) became NaN/Inf."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

FIXES = {
    "exp-overflow": (
        "An exp() overflowed (exp(x) is inf for x > 88 in float32). Compute softmax and its log stably:\n"
        "```\nlog_probs = torch.log_softmax(logits, dim=-1)   # or torch.logsumexp(x, dim=-1)\n```"
    ),
    "log-of-nonpositive": (
        "A log() received 0 or a negative number. Work in log space, or keep the argument positive:\n"
        "```\nloss = F.binary_cross_entropy_with_logits(logits, y)   # or torch.log(p.clamp_min(1e-12))\n```"
    ),
    "division-by-zero": "A division by zero (or a tiny number). Add an epsilon to the denominator:\n```\ny = x / (d + 1e-8)\n```",
    "sqrt-of-negative": "sqrt() of a negative number (or its gradient at 0). Clamp first:\n```\ny = torch.sqrt(x.clamp_min(1e-12))\n```",
    "nonfinite-input": "The batch itself contains NaN/Inf: clean the data (see nonfinite-input).\n```\nassert torch.isfinite(x).all()\n```",
}
LR_FIX = (
    "Lower the learning rate (divide by 3 until the first 100 steps have no NaN) and, for RNNs or spiky "
    "losses, clip the gradient norm:\n```\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```"
)


@register
class NonFiniteLoss(Rule):
    """The loss or a gradient became NaN or infinite.

    What it detects:
        The first step whose loss, or whose gradient norm, is NaN/Inf. nndoctor then replays that
        step once with finiteness checks and names the first module whose forward output or
        backward gradient went non-finite, and the operation (exp, log, division) that did it.
    Why it matters:
        One NaN poisons every weight at the next update; from then on training is dead.
    Fix:
        Depends on the cause: a stable log-softmax for exp overflow, an epsilon for divisions,
        a lower learning rate and gradient clipping for overflow from large updates.
    """

    id = "nonfinite-loss"
    severity = Severity.ERROR
    title = "The loss became NaN/Inf"
    requires = frozenset({"loss", "grad_norm"})

    def check(self, view):
        events = [e for e in view.events("nonfinite") if e.data.get("kind") in ("loss", "gradient")]
        if not events:
            return
        e = events[0]
        d = e.data
        cause = d.get("cause", "overflow")
        what = "loss" if d.get("kind") == "loss" else "gradient norm"
        where = d.get("where")
        direction = d.get("direction")
        evidence = {"step": e.step, "value": d.get("loss", d.get("grad_norm")), "cause": cause}
        for k in ("direction", "op", "op_input_absmax", "nonfinite_params", "nonfinite_param_grads"):
            if d.get(k) not in (None, [], ""):
                evidence[k] = d[k]
        loss = view.loss.until(e.step - 1)
        if len(loss):
            evidence["last_finite_loss"] = float(loss.values[-1])
        place = f" The first non-finite value appeared in {where} ({direction} pass)." if where else ""
        op = f" The first operation to produce it was {d['op']}()." if d.get("op") else ""
        message = f"The {what} became {evidence['value']} at step {e.step}.{place}{op}"
        yield self.finding(message, FIXES.get(cause, LR_FIX), where=where, step=e.step, evidence=evidence)
