"""double-softmax: probabilities into a logits loss, by op (module or functional) or by values."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from conftest import run_zoo


@pytest.mark.parametrize(
    "script,where,made_by",
    [
        ("buggy/double-softmax_module.py", "model.3", "nn.Softmax module"),
        ("buggy/double-softmax_functional.py", "model.out", "softmax applied in forward"),
        # a CNN whose forward() ends in torch.softmax(logits, dim=1), nn.CrossEntropyLoss
        ("buggy/double-softmax_cnn_dim1.py", "model.classifier", "softmax applied in forward"),
        # nn.Softmax(dim=0): normalised over the batch, then CrossEntropyLoss (rows do not sum to 1)
        ("buggy/double-softmax_softmax_dim0.py", "model.3", "nn.Softmax module"),
        # a GRU classifier whose head ends in nn.Softmax(dim=-1)
        ("buggy/double-softmax_gru_softmax_head.py", "model.head.1", "nn.Softmax module"),
    ],
)
def test_softmax_before_cross_entropy_is_found(script, where, made_by):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "double-softmax"]
    assert f.where == where and made_by in f.evidence["made_by"]
    assert f.evidence["lowest_reachable_loss"] > 0.5  # cross-entropy of a softmax cannot reach 0
    assert "logits" in f.fix


def test_healthy_runs_give_logits(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "double-softmax"], name


def _run(head, loss_name="cross_entropy", steps=3):
    torch.manual_seed(0)
    model = nn.Linear(5, 4)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with nndoctor.watch(model, opt, live=False) as doctor:
        for _ in range(steps):
            loss = getattr(F, loss_name)(head(model(torch.randn(16, 5))), torch.randint(0, 4, (16,)))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return [f for f in doctor.findings if f.id == "double-softmax"]


def test_hand_written_softmax_is_found_from_its_values():
    def softmax(z):
        e = (z - z.max(1, keepdim=True).values).exp()
        return e / e.sum(1, keepdim=True)

    (f,) = _run(softmax)
    assert f.evidence["detected_from"] == "values" and f.evidence["calls_with_probabilities"] >= 2
    assert _run(softmax, steps=1) == []  # one call is not enough from values alone


def test_log_softmax_of_softmax_into_nll_and_the_healthy_forms():
    (f,) = _run(lambda z: F.log_softmax(F.softmax(z, 1), 1), "nll_loss")
    assert "log_softmax" in f.fix
    assert _run(lambda z: F.log_softmax(z, 1), "nll_loss") == []
    assert _run(lambda z: z) == []
