"""nonfinite-loss: the loss (or a gradient) became NaN/Inf; where it started, and why."""

from __future__ import annotations

from typing import Any

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import clipping_suffices
from nndoctor.rules.loss import _curve
from nndoctor.rules.loss.lr_too_high import domain_error, growth_before

FIXES = {
    "exp-overflow": (
        "An exp() overflowed (exp(x) is inf for x > 88 in float32). Compute softmax and its log stably:\n"
        "```\nlog_probs = torch.log_softmax(logits, dim=-1)   # or torch.logsumexp(x, dim=-1)\n```"
    ),
    "log-of-nonpositive": (
        "A log() received 0 or a negative number. Work in log space, or keep the argument positive:\n"
        "```\nloss = F.binary_cross_entropy_with_logits(logits, y)   # or torch.log(p.clamp_min(1e-12))\n```"
    ),
    "log-of-negative": (
        "A log() received a negative number: a value meant to stay positive (a variance, a rate, a scale) "
        "is taken raw from a layer. Produce it through softplus or exp:\n"
        "```\nvar = F.softplus(raw) + 1e-6   # or log_var = raw; var = log_var.exp()\n```"
    ),
    "division-by-zero": "A division by zero (or a tiny number). Add an epsilon to the denominator:\n```\ny = x / (d + 1e-8)\n```",
    "sqrt-of-negative": "sqrt() of a negative number. Clamp first:\n```\ny = torch.sqrt(x.clamp_min(1e-12))\n```",
    "sqrt-at-zero": (
        "The gradient of sqrt() (and of a norm or distance) is infinite at exactly 0, e.g. the distance of a "
        "point to itself. Keep the argument away from 0:\n```\nd = torch.sqrt((diff ** 2).sum(-1) + 1e-12)\n```"
    ),
    "domain-edge": "An inverse trig/hyperbolic function was evaluated at the edge of its domain. Clamp its input:\n"
    "```\ny = torch.acos(x.clamp(-1 + 1e-7, 1 - 1e-7))\n```",
    "nonfinite-input": "The batch itself contains NaN/Inf: clean the data (see nonfinite-input).\n```\nassert torch.isfinite(x).all()\n```",
    "nonfinite-target": "The targets contain NaN/Inf: clean them (see nonfinite-input).\n```\nassert torch.isfinite(y).all()\n```",
}
LR_FIX = (
    "Lower the learning rate (divide by 3 until the first 100 steps have no NaN; see lr-too-high) and, for RNNs "
    "or spiky losses, clip the gradient norm:\n```\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```"
)
CLIP_FIX = (
    "Clip the gradient norm between backward() and step(): it keeps your learning rate, which a recurrent model "
    "without clipping would need hundreds of times smaller:\n```\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```"
)
#: The objective fell without bound before the NaN (see ``_curve.unbounded_fall``).
UNBOUNDED_FIX = (
    "Minimise a quantity that has a lower bound: the negative of a log-likelihood, an accuracy or a reward "
    "(see loss-increasing):\n```\nloss = -log_likelihood.mean()\n```"
)
OVERFLOW_FIX = (
    "Values grew beyond float range. Normalise the inputs, lower the learning rate, and clip gradients:\n"
    "```\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```"
)
CAUSE_WORDS = {
    "exp-overflow": "an exp() overflow (a hand-written softmax/exp)",
    "log-of-nonpositive": "a log() of 0 or of a negative number",
    "division-by-zero": "a division by zero",
    "sqrt-of-negative": "a sqrt() of a negative number",
    "sqrt-at-zero": "the infinite gradient of sqrt()/norm() at 0",
    "domain-edge": "a function evaluated at the edge of its domain",
    "nonfinite-input": "NaN/Inf in the input batch",
    "nonfinite-target": "NaN/Inf in the targets",
    "update-overflow": "weights made non-finite by the previous update",
    "overflow": "values overflowing the float range",
    "outside-model": "code outside the model",
}


def _merge_graph_op(d: dict[str, Any], op_event: Any) -> dict[str, Any]:
    """Use the op read from the loss's autograd graph when the replay could not name one."""
    if op_event is None or d.get("op") or d.get("cause") in ("nonfinite-input", "nonfinite-target", "update-overflow"):
        return d
    merged = dict(d)
    for key in ("op", "cause", "op_input_absmax", "op_input_min"):
        if op_event.data.get(key) is not None:
            merged[key] = op_event.data[key]
    return merged


@register
class NonFiniteLoss(Rule):
    """The loss or a gradient became NaN or infinite.

    What it detects:
        The first step whose loss, or whose gradient norm, is NaN/Inf. nndoctor then looks once:
        at the batch and the targets (NaN in the data), at the weights (non-finite after the
        last update), then replays the step with finiteness checks and names the first module
        whose forward output or backward gradient went non-finite, the operation that did it
        (exp, log, division, sqrt) and the line of code that called it. With the loss and
        gradient norm before the failure it tells a learning rate that diverged from a
        numerically unsafe operation.
    Why it matters:
        One NaN poisons every weight at the next update; from then on training is dead.
    Fix:
        Depends on the cause: a stable log-softmax for exp overflow, an epsilon for divisions
        and sqrt, clean data for NaN inputs, a lower learning rate and gradient clipping for
        overflow from large updates.
    """

    id = "nonfinite-loss"
    severity = Severity.ERROR
    title = "The loss became NaN/Inf"
    requires = frozenset({"loss", "grad_norm", "nonfinite_ops"})

    def check(self, view):
        events = [e for e in view.events("nonfinite") if e.data.get("kind") in ("loss", "gradient")]
        if not events:
            return
        e = events[0]
        graph_ops = [o for o in view.events("nonfinite_op") if o.step == e.step]
        d = _merge_graph_op(e.data, graph_ops[0] if graph_ops else None)
        cause = d.get("cause", "overflow")
        what = "loss" if d.get("kind") == "loss" else "gradient norm"
        where = d.get("where")
        direction = d.get("direction")
        evidence: dict[str, Any] = {"step": e.step, "value": d.get("loss", d.get("grad_norm")), "cause": cause}
        for k in (
            "direction",
            "op",
            "backward_node",
            "source",
            "location",
            "op_input_absmax",
            "op_input_absmin",
            "loss_input_min",
            "loss_input_max",
            "nonfinite_params",
            "nonfinite_param_grads",
            "nonfinite_count",
            "samples_affected",
            "nonfinite_features",
        ):
            if d.get(k) not in (None, [], ""):
                evidence[k] = d[k]
        loss = view.loss.until(e.step - 1)
        if len(loss):
            evidence["last_finite_loss"] = float(loss.values[-1])
        growth = growth_before(view, e.step - 1) if e.step >= 1 else {}
        diverged = growth.get("loss_growth", 0) >= 3 or (
            growth.get("grad_norm_growth", 0) >= 10 and not domain_error(view, e.step)
        )
        fall = _curve.unbounded_fall(view, e.step - 1) if e.step >= 1 else None
        lr_cause = (
            fall is None
            and cause not in ("nonfinite-input", "nonfinite-target")
            and (diverged or (cause == "update-overflow" and e.step >= 1))
        )
        if fall is not None:
            evidence["attributed_to"] = "unbounded-objective"
            evidence["lowest_value"] = fall["lowest_value"]
        clipped = clipping_suffices(view) if lr_cause else None
        if lr_cause:
            evidence["attributed_to"] = "exploding-gradients" if clipped else "learning-rate"
            evidence.update(
                {k: v for k, v in growth.items() if k in ("loss_growth", "grad_norm_growth", "max_update_ratio")}
            )
        message = self._message(what, e.step, evidence["value"], where, direction, d, cause, growth, lr_cause, clipped)
        negative = isinstance(d.get("op_input_min"), (int, float)) and d["op_input_min"] < 0
        fix_key = "log-of-negative" if cause == "log-of-nonpositive" and negative else cause
        if fall is not None:
            message += (
                f" Before that the value passed to backward() fell from {fall['start_value']:.3g} to "
                f"{fall['lowest_value']:.3g}: the objective has no lower bound (see loss-increasing)."
            )
        fix = (
            UNBOUNDED_FIX
            if fall is not None
            else CLIP_FIX
            if clipped
            else LR_FIX
            if lr_cause
            else FIXES.get(fix_key, OVERFLOW_FIX)
        )
        yield self.finding(message, fix, where=where, step=e.step, evidence=evidence)

    @staticmethod
    def _message(what, step, value, where, direction, d, cause, growth, lr_cause, clipped=None) -> str:
        text = f"The {what} became {value} at step {step}."
        if direction == "input":
            text += f" The {'targets' if cause == 'nonfinite-target' else 'batch'} already contained NaN/Inf"
            if d.get("nonfinite_count"):
                text += f" ({d['nonfinite_count']} value(s) in {d.get('samples_affected', '?')} sample(s))"
            text += "."
        elif direction == "parameters":
            params = d.get("nonfinite_params") or []
            text += f" The weights of {where} were already non-finite ({', '.join(params[:3])}): the previous update overflowed."
        elif where:
            text += f" The first non-finite value appeared in {where} ({direction} pass)."
        elif d.get("location"):
            text += f" The model's own forward pass was finite: the first non-finite value appeared {d['location']}."
        if d.get("op"):
            text += f" The first operation to produce it was {d['op']}()"
            if d.get("op_input_absmax") is not None and cause == "exp-overflow":
                text += f" on inputs up to {d['op_input_absmax']:.3g}"
            if d.get("source"):
                text += f", called at {d['source']}"
            text += f": {CAUSE_WORDS.get(cause, cause)}."
        elif cause in CAUSE_WORDS and direction not in ("input", "parameters"):
            text += f" Cause: {CAUSE_WORDS[cause]}."
        if lr_cause:
            signs = []
            if growth.get("loss_growth", 0) >= 1.5:
                signs.append(f"the loss grew {growth['loss_growth']:.3g}x")
            if growth.get("grad_norm_growth", 0) >= 3:
                signs.append(f"the gradient norm grew {growth['grad_norm_growth']:.3g}x")
            if clipped:  # the probe trained it at the same rate, clipped: the gradients exploded
                verdict = (
                    f"the gradients exploded; clipped at {clipped['max_norm']:g}, the same rate trains cleanly "
                    "(see exploding-gradients)."
                )
                text += (
                    " Before that " + " and ".join(signs) + ": " + verdict
                    if signs
                    else " " + verdict[0].upper() + verdict[1:]
                )
            else:
                text += (
                    " Before that " + " and ".join(signs) + ": the updates diverged, the learning rate is too high."
                    if signs
                    else " The learning rate is too high (see lr-too-high)."
                )
        return text
