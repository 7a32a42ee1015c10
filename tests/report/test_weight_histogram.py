"""The weight_histogram quantity: right counts (against numpy), cheap, harmless, recorded by the
monitor at the start, at checkpoints and at the end."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nndoctor.monitor.monitor import ALWAYS_MEASURED, Monitor
from nndoctor.quantities import weight_histogram
from nndoctor.quantities.weight_histogram import BINS, MAX_ELEMENTS, MAX_TENSORS, histogram, pick_evenly


def test_counts_and_moments_match_numpy():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(64, 33, generator=g) * 0.2 + 0.05
    h = histogram(w)
    counts, _ = np.histogram(w.numpy().ravel(), bins=np.asarray(h["edges"], dtype=np.float64))
    assert len(h["counts"]) == BINS and len(h["edges"]) == BINS + 1
    assert sum(h["counts"]) == h["n"] == w.numel()
    assert np.abs(np.asarray(h["counts"]) - counts).sum() <= 2  # edges are rounded to 6 digits
    assert h["mean"] == pytest.approx(float(w.mean()), rel=1e-5)
    assert h["std"] == pytest.approx(float(w.std(unbiased=False)), rel=1e-5)
    assert h["edges"][0] == pytest.approx(float(w.min()), rel=1e-5)
    assert h["edges"][-1] == pytest.approx(float(w.max()), rel=1e-5)


def test_nonfinite_values_are_counted_not_binned_and_constants_work():
    w = torch.tensor([1.0, float("nan"), 2.0, float("inf"), 3.0])
    h = histogram(w)
    assert h["nonfinite"] == 2 and h["n"] == 3 and sum(h["counts"]) == 3
    z = histogram(torch.zeros(10, 10))
    assert z["n"] == 100 and sum(z["counts"]) == 100 and z["edges"][0] < 0 < z["edges"][-1]
    empty = histogram(torch.full((4,), float("nan")))
    assert empty["n"] == 0 and empty["counts"] == [] and empty["nonfinite"] == 4


def test_large_tensors_are_read_through_a_stride():
    w = torch.arange(3 * MAX_ELEMENTS, dtype=torch.float32)
    h = histogram(w)
    assert MAX_ELEMENTS // 2 <= h["n"] <= MAX_ELEMENTS
    assert max(h["counts"]) - min(h["counts"]) <= 2  # an even stride keeps a uniform ramp uniform


def test_a_nan_between_the_strided_samples_is_still_counted():
    w = torch.randn(4 * MAX_ELEMENTS, generator=torch.Generator().manual_seed(0))
    w[1] = float("nan")  # the stride of 4 reads elements 0, 4, 8...: never this one
    h = histogram(w)
    assert h["nonfinite"] == 1 and h["n"] == MAX_ELEMENTS and np.isfinite(h["edges"]).all()


def test_pick_evenly_keeps_first_and_last():
    assert pick_evenly(list(range(5)), 10) == [0, 1, 2, 3, 4]
    picked = pick_evenly(list(range(100)), 5)
    assert picked[0] == 0 and picked[-1] == 99 and len(picked) == 5


def _train(steps: int, monitor: Monitor | None):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    start = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    X, y = torch.randn(32, 4), torch.randn(32, 1)
    losses = []
    if monitor is not None:
        monitor = Monitor([model], [opt]).start()
    try:
        for _ in range(steps):
            loss = nn.functional.mse_loss(model(X), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    finally:
        if monitor is not None:
            monitor.stop()
    return model, start, losses, monitor


def test_monitor_records_start_checkpoint_and_end_without_changing_training(monkeypatch):
    assert "weight_histogram" in ALWAYS_MEASURED
    monkeypatch.setattr(weight_histogram, "FIRST_CHECKPOINT", 16)  # 500 in real runs; same logic, fewer steps
    model, start, losses, monitor = _train(45, monitor=True)
    _, _, plain_losses, _ = _train(45, monitor=None)
    assert losses == plain_losses  # bit for bit
    events = monitor.trace.view(final=True).events("weight_histogram")
    phases = [(e.data["phase"], e.step) for e in events]
    assert phases == [("start", 0), ("checkpoint", 20), ("checkpoint", 40), ("end", 45)]  # sampled steps >= 16, 32
    assert list(events[0].data["layers"]) == ["model.0.weight", "model.2.weight"]  # weights, not biases
    first = events[0].data["layers"]["model.0.weight"]
    assert first == histogram(start[0])  # the initial weights, before the first update
    last = events[-1].data["layers"]["model.0.weight"]
    assert last == histogram(model[0].weight)  # the final weights
    assert first != last


def test_recording_uses_no_rng_and_is_bounded():
    torch.manual_seed(123)
    state = torch.get_rng_state()
    histogram(torch.ones(1000) * torch.linspace(0, 1, 1000))
    assert torch.equal(state, torch.get_rng_state())
    many = nn.ModuleList(nn.Linear(3, 3) for _ in range(MAX_TENSORS * 2))
    opt = torch.optim.SGD(many.parameters(), lr=0.1)
    with Monitor([many], [opt]) as monitor:
        sum(m(torch.ones(1, 3)).sum() for m in many).backward()
        opt.step()
    layers = monitor.trace.view().events("weight_histogram")[0].data["layers"]
    assert len(layers) == MAX_TENSORS
