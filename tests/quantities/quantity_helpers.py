"""Run a few training steps under a monitor that measures only the named quantities."""

from __future__ import annotations

from collections.abc import Callable

import torch

from nndoctor.monitor.monitor import Monitor
from nndoctor.rules.base import Rule
from nndoctor.trace import TraceView


def measuring(*names: str) -> Rule:
    """A rule that reports nothing and makes the monitor measure ``names``."""

    class _Measure(Rule):
        id = "test-measure"
        requires = frozenset(names)

        def check(self, view):
            return ()

    return _Measure()


def watch_steps(
    model: torch.nn.Module,
    step: Callable[[int], torch.Tensor],
    steps: int,
    *quantities: str,
    lr: float = 0.0,
) -> tuple[TraceView, Monitor]:
    """Train ``model`` for ``steps`` steps (``step(i)`` returns the loss) under a monitor."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    monitor = Monitor([model], rules=[measuring(*quantities)])
    monitor.start()
    try:
        for i in range(steps):
            opt.zero_grad()
            step(i).backward()
            opt.step()
    finally:
        monitor.stop()
    return monitor.trace.view(final=True), monitor
