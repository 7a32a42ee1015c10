"""val_loss: evaluation losses only, whatever the evaluation looks like."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from quantity_helpers import measuring
from torch import nn

from nndoctor.monitor.monitor import Monitor


def _run(loop) -> list[tuple[int, float]]:
    monitor = Monitor(rules=[measuring("val_loss")]).start()
    try:
        loop()
    finally:
        monitor.stop()
    s = monitor.trace.view().series("val_loss")
    return list(zip(s.steps.tolist(), s.values.tolist(), strict=False))


torch.manual_seed(0)
X, Y = torch.randn(64, 4), torch.randint(0, 3, (64,))


def test_no_grad_eval_mode_and_reduction_none_evaluations_count():
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.1), nn.Linear(8, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    expected = []

    def loop():
        for epoch in range(3):
            model.train()
            for i in range(0, 64, 16):
                opt.zero_grad()
                F.cross_entropy(model(X[i : i + 16]), Y[i : i + 16]).backward()
                opt.step()
            model.eval()
            if epoch == 0:
                with torch.no_grad():
                    expected.append(F.cross_entropy(model(X), Y).item())
            elif epoch == 1:  # eval mode without no_grad: still an evaluation
                expected.append(F.cross_entropy(model(X), Y).item())
                model(X[:1])  # the next forward is an evaluation one: the loss above is kept
            else:
                with torch.no_grad():
                    expected.append(F.cross_entropy(model(X), Y, reduction="none").mean().item())

    values = _run(loop)
    assert [s for s, _ in values] == [4, 8, 12]
    assert [round(v, 5) for _, v in values] == [round(v, 5) for v in expected]


def test_frozen_eval_mode_backbone_inside_a_wrapper_and_adversarial_probes_are_training():
    backbone = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8))
    for p in backbone.parameters():
        p.requires_grad_(False)
    head = nn.Linear(8, 3)
    opt = torch.optim.SGD(head.parameters(), lr=0.1)

    def loop():
        backbone(X)  # discovered as a root on its own first
        backbone.eval()
        model = nn.Sequential(backbone, head)
        for i in range(0, 64, 16):
            x_adv = X[i : i + 16].clone().requires_grad_(True)
            model.eval()  # craft an adversarial example in eval mode: probing, not evaluating
            torch.autograd.grad(F.cross_entropy(model(x_adv), Y[i : i + 16]), x_adv)
            model.train()
            backbone.eval()
            opt.zero_grad()
            F.cross_entropy(model(X[i : i + 16]), Y[i : i + 16]).backward()
            opt.step()

    assert _run(loop) == []
