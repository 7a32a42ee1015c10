"""modes: what the mode rules need to tell a forgotten eval()/train() from a deliberate one."""

from __future__ import annotations

import torch
from quantity_helpers import measuring
from torch import nn

from nndoctor.monitor.monitor import Monitor


def _events(loop, name):
    monitor = Monitor(rules=[measuring("modes")]).start()
    try:
        loop()
    finally:
        monitor.stop()
    return monitor.trace.view().events(name)


def test_mc_dropout_passes_are_marked_repeated():
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(8, 4)

    def loop():
        for _ in range(3):
            opt.zero_grad()
            model(x).pow(2).mean().backward()
            opt.step()
        with torch.no_grad():
            model(torch.randn(8, 4))
            for _ in range(3):
                model(x)

    events = _events(loop, "train_mode_eval")
    assert [e.data["repeated"] for e in events] == [False, False, True, True]
    assert all(e.data["root"] == "model" and e.data["modules"] == {"model.1": "Dropout"} for e in events)


def test_update_bn_style_passes_are_not_recorded():
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8, momentum=None))

    def loop():
        with torch.no_grad():
            model(torch.randn(8, 4))

    assert _events(loop, "train_mode_eval") == []


def test_trained_and_loss_feeding_roots():
    g, d = nn.Linear(2, 2), nn.Linear(2, 1)
    opt = torch.optim.SGD([*g.parameters(), *d.parameters()], lr=0.01)

    def loop():
        for _ in range(2):
            opt.zero_grad()
            torch.nn.functional.mse_loss(d(g(torch.randn(4, 2))), torch.ones(4, 1)).backward()
            opt.step()

    assert {e.data["root"] for e in _events(loop, "trained_root")} == {"g", "d"}
    assert [e.data["root"] for e in _events(loop, "loss_root")] == ["d"]
