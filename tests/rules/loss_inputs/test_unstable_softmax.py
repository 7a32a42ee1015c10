"""unstable-softmax: exp overflow and log of an underflowed probability, before and at NaN."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import nndoctor
from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.unstable_softmax import UnstableSoftmax
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,op,fix",
    [
        ("buggy/unstable-softmax_exp_overflow.py", "exp", "log_softmax"),  # exp(x)/sum exp(x) in the loop
        ("buggy/unstable-softmax_log_of_softmax.py", "log", "log_softmax"),  # torch.log(F.softmax(x))
    ],
)
def test_overflow_and_underflow_are_found(script, op, fix):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "unstable-softmax"]
    assert f.severity is Severity.ERROR and f.evidence["op"] == op and f.step == 0
    assert fix in f.fix
    assert "nonfinite-loss" in {g.id for g in result.findings}


def test_healthy_runs_are_stable(clean_results):
    # Includes a hand-written log-softmax that subtracts the max first.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "unstable-softmax"], name


def test_replayed_overflow_inside_the_model():
    trace = Trace()
    trace.event("nonfinite", 12, kind="loss", where="model.attn", direction="forward", op="exp", cause="exp-overflow")
    (f,) = UnstableSoftmax().check(trace.view())
    assert f.where == "model.attn" and f.step == 12
    other = Trace()
    other.event(
        "nonfinite", 12, kind="loss", where="model.fc", op="log", cause="log-of-nonpositive", op_input_absmax=40.0
    )
    assert list(UnstableSoftmax().check(other.view())) == []  # log of data, not of a probability


def test_risk_is_reported_before_any_nan():
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    with torch.no_grad():
        model.weight.fill_(0.0)
        model.bias.copy_(torch.tensor([70.0, 0.0, 0.0]))
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    with nndoctor.watch(model, opt, live=False) as doctor:
        for _ in range(3):
            e = torch.exp(model(torch.randn(8, 4)))
            loss = -torch.log(e[:, 1] / e.sum(1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    (f,) = [f for f in doctor.findings if f.id == "unstable-softmax"]
    assert f.severity is Severity.WARNING and f.evidence["exp_input_max"] == pytest.approx(70.0)
    assert f.where == "model"
