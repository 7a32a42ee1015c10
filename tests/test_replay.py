"""The NaN replay: it localises forward and backward failures, and it leaves no trace at all.

A run where the replay fires (NaN input at one step, an infinite sqrt gradient at another) is
compared bit for bit with the same run whose replay is switched off: losses, parameters,
buffers (batch-norm statistics), ``.grad`` and the RNG state must be identical.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nndoctor.monitor import replay
from nndoctor.monitor.monitor import Monitor
from nndoctor.rules.loss.nonfinite_loss import NonFiniteLoss


class Distances(nn.Module):
    """Scores = -sqrt(squared distance to prototypes): an infinite gradient when a sample sits on one."""

    def __init__(self) -> None:
        super().__init__()
        self.prototypes = nn.Parameter(torch.randn(3, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -torch.sqrt(((x[:, None, :] - self.prototypes[None]) ** 2).sum(-1))


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
        self.head = Distances()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + self.head(x)


def _bits(t: torch.Tensor) -> torch.Tensor:
    """Bit pattern, so NaN == NaN and -0.0 != 0.0."""
    return t.detach().contiguous().view(torch.int32) if t.dtype == torch.float32 else t.detach()


def _train(monitor_on: bool, nan_input_step: int = 3, bad_grad_step: int = 6) -> dict:
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    X, y = torch.randn(64, 4), torch.randint(0, 3, (64,))
    losses = []
    monitor = Monitor([model], [optimizer], rules=[NonFiniteLoss()]).start() if monitor_on else None
    try:
        for step in range(10):
            x = X[step * 6 : step * 6 + 6].clone()
            if step == nan_input_step:
                x[2, 1] = float("nan")  # the loss is NaN: replay of the forward pass
            if step == bad_grad_step:
                with torch.no_grad():  # a sample sits exactly on a prototype: sqrt'(0) = inf
                    model.head.prototypes[0].copy_(x[0])
            loss = F.cross_entropy(model(x), y[step * 6 : step * 6 + 6])
            losses.append(loss.detach().clone())
            optimizer.zero_grad()
            loss.backward()
            if math.isfinite(loss.item()):
                optimizer.step()  # the gradient can be NaN here: the optimizer hook replays
            if step == bad_grad_step:
                with torch.no_grad():
                    for p in model.parameters():
                        p.nan_to_num_(0.0)  # the user's own recovery, so training goes on
    finally:
        findings = monitor.stop() if monitor is not None else []
    return {
        "losses": [_bits(v) for v in losses],
        "params": [_bits(p) for p in model.parameters()],
        "grads": [_bits(p.grad) for p in model.parameters()],
        "buffers": [_bits(b) for b in model.buffers()],
        "rng": torch.get_rng_state(),
        "findings": findings,
        "monitor": monitor,
    }


def _same(a: dict, b: dict) -> None:
    for key in ("losses", "params", "grads", "buffers"):
        assert len(a[key]) == len(b[key])
        for i, (x, y) in enumerate(zip(a[key], b[key], strict=True)):
            assert torch.equal(x, y), f"{key}[{i}] differs"
    assert torch.equal(a["rng"], b["rng"])


def test_the_replay_leaves_no_trace(monkeypatch):
    with_replay = _train(monitor_on=True)
    events = [e.data for e in with_replay["monitor"].trace.view().events("nonfinite")]
    assert {e["kind"] for e in events} >= {"loss", "gradient"}
    assert all(e.get("replayed") or e.get("direction") == "input" for e in events)
    assert not torch.is_anomaly_enabled()

    monkeypatch.setattr(replay, "localize", lambda monitor, kind: {})
    without_replay = _train(monitor_on=True)
    _same(with_replay, without_replay)
    _same(with_replay, _train(monitor_on=False))  # and nndoctor as a whole changes nothing


def test_forward_and_backward_failures_are_localised():
    run = _train(monitor_on=True)
    events = {e.data["kind"]: e.data for e in run["monitor"].trace.view().events("nonfinite")}
    assert events["loss"]["cause"] == "nonfinite-input" and events["loss"]["direction"] == "input"
    assert events["loss"]["nonfinite_features"] == [1] and events["loss"]["samples_affected"] == 1
    grad = events["gradient"]
    assert (grad["where"], grad["direction"], grad["cause"]) == ("model.head", "backward", "sqrt-at-zero")
    assert grad["backward_node"] == "SqrtBackward0" and "torch.sqrt" in grad["source"]


@pytest.mark.parametrize(
    "op,cause",
    [
        ("exp", "exp-overflow"),
        ("log", "log-of-nonpositive"),
        ("__truediv__", "division-by-zero"),
        ("addmm", "overflow"),
    ],
)
def test_cause_of_op(op, cause):
    assert replay.cause_of_op(op) == cause


def test_backward_culprit_is_the_module_that_broke_the_gradient():
    events = [
        ("out", "m.c", True),
        ("in", "m.c", True),
        ("out", "m.b", True),
        ("in", "m.b", False),
        ("out", "m.a", False),
    ]
    assert replay._backward_culprit(events, []) == "m.b"
    assert replay._backward_culprit([("out", "m.a", True)], ["m.a"]) == "m.a"  # only its parameters broke
    assert replay._backward_culprit([("out", "m.b", False), ("in", "m.b", False)], []) is None  # came from below
