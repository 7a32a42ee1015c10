"""The lr probe re-trains a copy at lr/3^k after a divergence, and never touches the user's objects."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from nndoctor.monitor.monitor import Monitor
from nndoctor.quantities.lr_probe import LrProbe
from nndoctor.rules.loss.lr_too_high import LrTooHigh


def _bits(t):
    return t.detach().contiguous().view(torch.int32) if t.dtype == torch.float32 else t.detach()


def _train(lr: float, probe: bool = True, monkeypatch=None, steps: int = 30) -> dict:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    X, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
    if not probe:
        monkeypatch.setattr(LrProbe, "flush", lambda self: None)
    monitor = Monitor([model], [optimizer], rules=[LrTooHigh()]).start()
    losses = []
    try:
        for _step in range(steps):
            idx = torch.randint(0, 256, (32,))
            loss = F.cross_entropy(model(X[idx]), y[idx])
            losses.append(_bits(loss))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    finally:
        findings = monitor.stop()
    return {
        "losses": losses,
        "state": [_bits(t) for t in model.state_dict().values()],
        "grads": [_bits(p.grad) for p in model.parameters()],
        "momentum": [_bits(optimizer.state[p]["momentum_buffer"]) for p in model.parameters()],
        "lr": [g["lr"] for g in optimizer.param_groups],
        "rng": torch.get_rng_state(),
        "probe": monitor.trace.view().first_event("lr_probe"),
        "findings": findings,
    }


def test_probe_finds_a_clean_rate_and_leaves_no_trace(monkeypatch):
    probed = _train(lr=30.0)
    event = probed["probe"]
    assert event is not None and event.data["lr"] == 30.0
    suggested = event.data["suggested_lr"]
    assert suggested is not None and suggested < 30.0
    assert [t["clean"] for t in event.data["tried"]][-1] is True
    (f,) = [f for f in probed["findings"] if f.id == "lr-too-high"]
    assert f.evidence["suggested_lr"] == suggested and f.evidence["suggested_lr_verified"] is True

    plain = _train(lr=30.0, probe=False, monkeypatch=monkeypatch)
    assert plain["probe"] is None
    for key in ("losses", "state", "grads", "momentum"):
        for a, b in zip(probed[key], plain[key], strict=True):
            assert torch.equal(a, b), key
    assert probed["lr"] == plain["lr"] and torch.equal(probed["rng"], plain["rng"])


def test_a_healthy_run_is_never_probed():
    assert _train(lr=0.05)["probe"] is None


def test_probe_stays_out_when_it_cannot_replay_the_step():
    torch.manual_seed(0)
    gen, disc = nn.Linear(4, 4), nn.Linear(4, 1)
    opt_g = torch.optim.SGD(gen.parameters(), lr=50.0)
    opt_d = torch.optim.SGD(disc.parameters(), lr=50.0)
    monitor = Monitor([gen, disc], [opt_g, opt_d], rules=[LrTooHigh()]).start()
    try:
        for _ in range(20):
            d_loss = F.binary_cross_entropy_with_logits(disc(gen(torch.randn(16, 4)).detach()), torch.zeros(16, 1))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            g_loss = (disc(gen(torch.randn(16, 4))) ** 2).mean() * 1e3
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
    finally:
        monitor.stop()
    event = monitor.trace.view().first_event("lr_probe")
    assert event is not None and "several" in event.data["skipped"]


def _diverging_run(batch_fn) -> dict:
    """A run at lr=30 (it diverges, so the probe wants to run) whose batches come from ``batch_fn(step)``."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=30.0, momentum=0.9)
    monitor = Monitor([model], [optimizer], rules=[LrTooHigh()]).start()
    try:
        for step in range(30):
            x, y = batch_fn(step)
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    finally:
        monitor.stop()
    return monitor.trace.view().first_event("lr_probe").data


def test_probe_skips_batches_changed_in_place_after_use():
    """CPU batches are kept by reference: a loop that refills one buffer must not be replayed."""
    g = torch.Generator().manual_seed(1)
    x, y = torch.empty(32, 8), torch.empty(32, dtype=torch.long)

    def refill(step):
        x.copy_(torch.randn(32, 8, generator=g))
        y.copy_(torch.randint(0, 3, (32,), generator=g))
        return x, y

    assert "changed in place" in _diverging_run(refill)["skipped"]


def test_probe_skips_data_holding_nan():
    g = torch.Generator().manual_seed(1)

    def batch(step):
        x = torch.randn(32, 8, generator=g)
        if step == 3:
            x[0, 0] = float("nan")
        return x, torch.randint(0, 3, (32,), generator=g)

    assert "NaN/Inf" in _diverging_run(batch)["skipped"]


def test_probe_replays_fresh_batches():
    g = torch.Generator().manual_seed(1)
    event = _diverging_run(lambda step: (torch.randn(32, 8, generator=g), torch.randint(0, 3, (32,), generator=g)))
    assert "skipped" not in event and event["tried"]
