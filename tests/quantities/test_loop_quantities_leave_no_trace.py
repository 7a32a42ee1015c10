"""The loop and loss quantities never change the user's run: losses, weights and RNG state are
bit-identical with and without the monitor, through training, no-grad and eval-mode evaluation,
MC-dropout and a hand-written update loop."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from quantity_helpers import measuring
from torch import nn

from nndoctor.monitor.monitor import Monitor


def _train(watch: bool):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    mon = Monitor(rules=[measuring("modes", "grad_clearing", "loss", "val_loss")]).start() if watch else None
    out = []
    try:
        for _epoch in range(3):
            model.train()
            for _ in range(5):
                x, y = torch.randn(16, 6), torch.randint(0, 3, (16,))
                loss = F.cross_entropy(model(x), y, label_smoothing=0.05)
                opt.zero_grad()
                loss.backward()
                opt.step()
                out.append(loss.detach())
            with torch.no_grad():
                out.append(F.cross_entropy(model(torch.randn(16, 6)), torch.randint(0, 3, (16,))))  # train mode
                xv = torch.randn(16, 6)
                out.extend(model(xv).sum() for _ in range(2))  # MC-dropout
            model.eval()
            out.append(F.mse_loss(model(torch.randn(16, 6)), torch.zeros(16, 3)).detach())
        for _ in range(4):  # hand-written updates
            model.train()
            loss = F.cross_entropy(model(torch.randn(16, 6)), torch.randint(0, 3, (16,)))
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.01 * p.grad
            out.append(loss.detach())
    finally:
        if mon is not None:
            mon.stop()
            view = mon.trace.view()
            assert view.events("train_mode_eval") and view.keys("stale_grad") and len(view.series("val_loss"))
    return torch.stack(out), {k: v.clone() for k, v in model.state_dict().items()}, torch.get_rng_state()


def test_losses_weights_and_rng_are_bit_identical():
    a, b = _train(False), _train(True)
    assert torch.equal(a[0].view(torch.int32), b[0].view(torch.int32))
    for k in a[1]:
        assert torch.equal(a[1][k], b[1][k]), k
    assert torch.equal(a[2], b[2])
