"""unstable-softmax: a hand-written softmax, log or exp overflows (or is about to)."""

from __future__ import annotations

import math

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

EXP_OPS = {"exp", "exp2", "expm1"}
LOG_OPS = {"log", "log2", "log10"}
#: float32 exp(x) is inf above this.
EXP_OVERFLOW = math.log(3.4028234663852886e38)

FIX = (
    "Compute softmax and its log in a numerically stable way (they subtract the max before exp):\n"
    "```\nlog_probs = torch.log_softmax(logits, dim=-1)   # not torch.log(x.exp() / x.exp().sum(-1, keepdim=True))\n```"
)
LOG_FIX = (
    "log() of a probability that underflowed to 0 is -inf. Stay in log space: log_softmax/logsigmoid, or "
    "a loss that takes logits:\n"
    "```\nlog_probs = F.log_softmax(logits, dim=1)   # not torch.log(F.softmax(logits, dim=1))\n```"
)
RISK_FIX = (
    "Subtract the row maximum before exp(), or use the built-ins that do:\n"
    "```\nprobs = torch.softmax(logits, dim=-1)   # or torch.exp(x - x.amax(dim=-1, keepdim=True))\n```"
)


@register
class UnstableSoftmax(Rule):
    """A hand-written softmax/log/exp overflows; use ``log_softmax``/``logsumexp``.

    What it detects:
        The first NaN/Inf of the run, when the replay of that step shows the first operation to
        produce it was an ``exp`` (overflow: float32 ``exp(x)`` is inf for x > 88.7), or a
        ``log`` of a probability (inputs within [0, 1]) that underflowed to 0. Before any NaN:
        a hand-written softmax ``exp(x) / exp(x).sum()`` whose largest input exceeds
        ``risk_input`` (within reach of the overflow as the logits grow).
    Why it matters:
        Softmax written as exp/sum overflows as soon as a logit passes ~88, and log(softmax)
        gives -inf as soon as a probability underflows; one such value turns the loss into
        NaN and training is dead. ``log_softmax`` and ``logsumexp`` subtract the maximum first
        and never overflow.
    Fix:
        Use ``torch.log_softmax``/``torch.softmax``/``torch.logsumexp`` (or a loss that takes
        logits) instead of composing exp, sum and log by hand.
    """

    id = "unstable-softmax"
    severity = Severity.ERROR
    title = "Numerically unstable softmax/log/exp"
    requires = frozenset({"activations", "nonfinite_ops"})

    def __init__(self, risk_input: float = 60.0) -> None:
        if not 0 < risk_input < EXP_OVERFLOW:
            raise ValueError(f"risk_input must be in (0, {EXP_OVERFLOW:.1f}), got {risk_input}")
        self.risk_input = risk_input

    def check(self, view):
        found = self._from_nonfinite(view)
        if found is not None:
            yield found
            return
        for key in view.keys("softmax_exp_input_max"):
            s = view.series("softmax_exp_input_max", key)
            over = s.values > self.risk_input
            if not over.any():
                continue
            i = int(over.argmax())
            step, value = int(s.steps[i]), float(s.values[i])
            where = None if key == "softmax" else key
            place = f" on {key}'s output" if where else ""
            evidence = {"exp_input_max": value, "overflow_at": EXP_OVERFLOW, "pattern": "exp(x) / exp(x).sum()"}
            if value > EXP_OVERFLOW:
                message = (
                    f"A hand-written softmax (exp(x) / exp(x).sum()){place} overflowed at step {step}: exp() of an "
                    f"input above {EXP_OVERFLOW:.1f} is inf in float32, and inf / inf is NaN."
                )
                yield self.finding(message, FIX, where=where, step=step, evidence=evidence)
            else:
                evidence["headroom"] = EXP_OVERFLOW - value
                message = (
                    f"A hand-written softmax (exp(x) / exp(x).sum()){place} gets inputs up to {value:.3g} at step "
                    f"{step}; float32 exp overflows to inf above {EXP_OVERFLOW:.1f}, and then the loss is NaN."
                )
                yield self.finding(
                    message, RISK_FIX, where=where, step=step, evidence=evidence, severity=Severity.WARNING
                )

    def _from_nonfinite(self, view):
        """The first non-finite value, if an exp overflow or a log of 0 made it."""
        events = sorted(view.events("nonfinite") + view.events("nonfinite_op"), key=lambda e: e.step)
        for e in events:
            d = e.data
            op = d.get("op")
            absmax = d.get("op_input_absmax")
            if op in EXP_OPS and d.get("cause") == "exp-overflow":
                return self._overflow(e, op, absmax)
            low = d.get("op_input_min")
            negative = isinstance(low, (int, float)) and low < 0  # log of a negative number: not a probability
            if op in LOG_OPS and isinstance(absmax, (int, float)) and absmax <= 1.0 and not negative:
                return self._log_underflow(e, op, absmax)
        return None

    def _overflow(self, e, op, absmax):
        d = e.data
        evidence = {"op": op, "cause": "exp-overflow", "overflow_at": EXP_OVERFLOW, "nonfinite_step": e.step}
        if absmax is not None:
            evidence["op_input_absmax"] = absmax
        where = d.get("where") if d.get("where") and not str(d.get("where")).startswith("loss function") else None
        place = f" in {where}" if where else ""
        size = f" (its input reached {absmax:.3g})" if isinstance(absmax, (int, float)) else ""
        message = (
            f"An {op}(){place} overflowed to inf at step {e.step}{size}: float32 exp(x) is inf for x > "
            f"{EXP_OVERFLOW:.1f}. A softmax or log-sum-exp written with exp() by hand breaks as soon as a logit "
            "gets that large; the loss became NaN."
        )
        return self.finding(message, FIX, where=where, step=e.step, evidence=evidence)

    def _log_underflow(self, e, op, absmax):
        d = e.data
        evidence = {
            "op": op,
            "cause": "log-of-zero",
            "op_input_absmax": absmax,
            "nonfinite_step": e.step,
        }
        where = d.get("where") if d.get("where") and not str(d.get("where")).startswith("loss function") else None
        place = f" in {where}" if where else ""
        message = (
            f"A {op}(){place} of probabilities (its inputs were within [0, {absmax:.3g}]) returned -inf at step "
            f"{e.step}: a softmax/sigmoid output underflowed to exactly 0 and log(0) = -inf, so the loss became "
            "non-finite."
        )
        return self.finding(message, LOG_FIX, where=where, step=e.step, evidence=evidence)
