"""pytorch-warning: PyTorch warned about something that quietly breaks or bends training."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule


@dataclass(frozen=True)
class KnownWarning:
    """A PyTorch warning whose consequence for training is known, and what to do about it."""

    key: str
    pattern: re.Pattern[str]
    severity: Severity
    meaning: str
    fix: str


KNOWN = (
    KnownWarning(
        "non-leaf-grad",
        re.compile(r"\.grad attribute of a Tensor that is not a leaf Tensor is being accessed"),
        Severity.WARNING,
        "the code reads `.grad` of a tensor that is the result of an operation (e.g. "
        "`torch.randn(n, requires_grad=True) * 0.01` or `.to(device)` after `requires_grad=True`), "
        "not a leaf: autograd never fills its `.grad`, so whatever updates it from its gradient "
        "does nothing",
        "Create weights as leaves: scale or move the data first, then ask for gradients:\n"
        "```\nw = (torch.randn(n_in, n_out) * 0.01).requires_grad_()   # or nn.Parameter(...)\n```",
    ),
    KnownWarning(
        "scheduler-before-optimizer",
        re.compile(r"Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`"),
        Severity.INFO,
        "the learning-rate scheduler stepped before the optimizer did, so the first value of "
        "the schedule (often the warm-up's first rate) was skipped",
        "Call the optimizer first, then the scheduler:\n```\noptimizer.step()\nscheduler.step()\n```",
    ),
    KnownWarning(
        "implicit-softmax-dim",
        re.compile(r"Implicit dimension choice for (log_)?softmax"),
        Severity.INFO,
        "softmax was called without `dim`: PyTorch then normalises over dim 0 for 0-, 1- and "
        "3-dimensional inputs, which for a (batch, time, classes) tensor mixes the samples of the "
        "batch instead of the classes",
        "Name the class dimension:\n```\nprobs = torch.softmax(logits, dim=-1)\n```",
    ),
)


@register
class PyTorchWarning(Rule):
    """PyTorch's own warnings that mean training is silently off.

    What it detects:
        Warnings PyTorch printed during the run (they are shown once per call site and easily
        lost in a log) whose consequence is known: ``.grad`` read on a non-leaf tensor (the
        "parameter" never gets a gradient), ``lr_scheduler.step()`` before ``optimizer.step()``
        (the schedule's first value is skipped; not reported under AMP, where a skipped first
        step of the loss scaler causes it legitimately), and softmax without ``dim``. The loss
        size-mismatch warning is ``loss-shape-broadcast``'s.
    Why it matters:
        None of these raises an error: the run goes on with a parameter that never learns, an
        off-by-one schedule, or a softmax over the wrong axis.
    Fix:
        The finding's fix line for the warning at hand.
    """

    id = "pytorch-warning"
    severity = Severity.WARNING
    title = "PyTorch warned about the training"
    requires = frozenset({"warnings"})

    def check(self, view):
        amp = any(True for _ in view.events("grad_scaler"))
        seen: set[str] = set()
        for e in view.events("torch_warning"):
            message = e.data.get("message", "")
            for known in KNOWN:
                if known.key in seen or not known.pattern.search(message):
                    continue
                if known.key == "scheduler-before-optimizer" and amp:
                    continue
                seen.add(known.key)
                yield self.finding(
                    f'PyTorch warned at step {e.step}: "{message[:200]}". What it means here: {known.meaning}.',
                    known.fix,
                    step=e.step,
                    severity=known.severity,
                    evidence={"warning": known.key, "message": message[:300], "category": e.data.get("category")},
                )
