"""discarded-gradients: zero_grad() throws most backward passes away (step() outside the batch loop)."""

from __future__ import annotations

import numpy as np

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loop.discarded_gradients import DiscardedGradients
from nndoctor.trace import Trace


def test_step_outside_the_batch_loop_is_found():
    result = run_zoo("buggy/discarded-gradients_step_outside_batch_loop.py")
    (f,) = [f for f in result.findings if f.id == "discarded-gradients"]
    assert f.severity is Severity.ERROR and f.step == 0
    assert f.evidence["discarded_backward_passes_per_step"] == 22  # 23 batches of 8 per epoch, one step
    assert "optimizer.step()" in f.fix


def _view(discarded: list[float], optimizers: int = 1):
    trace = Trace()
    for step, n in enumerate(discarded):
        trace.scalar("discarded_backwards", step, n)
        for k in range(optimizers):
            trace.scalar("grad_norm", step, 1.0, f"optimizer{k or ''}")
    return trace.view()


def test_one_deliberate_discard_per_step_and_multi_optimizer_loops_are_quiet():
    rule = DiscardedGradients()
    assert list(rule.check(_view([1.0] * 20))) == []  # backward for something else, cleared, then the real one
    assert list(rule.check(_view([0.0] * 20))) == []  # the textbook loop (recorded on sampled steps)
    assert list(rule.check(_view([5.0] * 20, optimizers=2))) == []  # a GAN's generator pass feeds D's grads
    assert list(rule.check(_view([5.0, 5.0]))) == []  # too few steps to judge
    (f,) = rule.check(_view(list(np.full(6, 7.0))))
    assert f.evidence["discarded_backward_passes_per_step"] == 7.0
