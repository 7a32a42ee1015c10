"""The exp/log that made a loss non-finite, read from the autograd graph."""

from __future__ import annotations

import torch
from quantity_helpers import watch_steps
from torch import nn

from nndoctor.quantities.nonfinite_ops import culprit_ops


def test_culprits_are_the_overflowing_exp_and_the_log_of_zero():
    x = torch.tensor([[100.0, 1.0], [0.0, 2.0]], requires_grad=True)
    e = torch.exp(x)
    assert culprit_ops((e / e.sum(1, keepdim=True)).sum()) == [{"op": "exp", "cause": "exp-overflow"}]
    p = torch.softmax(x * 10, dim=1)
    (found,) = culprit_ops(torch.log(p).sum())
    assert found["op"] == "log" and found["op_input_min"] == 0.0 and found["op_input_absmax"] == 1.0
    assert culprit_ops(torch.log(torch.softmax(x, 1)).sum()) == []


def test_event_only_when_the_loss_is_not_finite():
    torch.manual_seed(0)
    model = nn.Linear(2, 2)
    big = torch.full((4, 2), 1e3)

    def step(i):
        out = model(big if i == 3 else big / 1e3)
        e = torch.exp(out)
        return -torch.log(e[:, 0] / e.sum(1)).mean()

    view, _ = watch_steps(model, step, 5, "nonfinite_ops")
    (event,) = view.events("nonfinite_op")
    assert event.step == 3 and event.data["op"] == "exp"
