"""The loss quantity: per-sample losses against PyTorch's own reduction="none", the constant-
predictor baselines against their closed forms, and what gets recorded in a real loop."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from quantity_helpers import watch_steps
from torch import nn

from nndoctor.quantities.loss import _Baselines, batch_noise, per_sample_losses

torch.manual_seed(0)
N, C = 16, 5
LOGITS = torch.randn(N, C, 3)
LABELS = torch.randint(0, C, (N, 3))
PRED = torch.randn(N, 4)
TARGET = torch.randn(N, 4)
PROB = torch.rand(N, 4)
BIN = (torch.rand(N, 4) > 0.5).float()


def _reference(fn, *args, **kwargs):
    per_element = getattr(F, fn)(*args, reduction="none", **kwargs)
    return per_element.reshape(per_element.shape[0], -1).mean(1)


@pytest.mark.parametrize(
    "fn,args,kwargs",
    [
        ("cross_entropy", (LOGITS, LABELS), {}),
        ("cross_entropy", (LOGITS[..., 0], LABELS[:, 0]), {"label_smoothing": 0.1}),
        ("cross_entropy", (LOGITS[..., 0], LOGITS[..., 1].softmax(1)), {}),  # soft targets
        ("nll_loss", (LOGITS[..., 0].log_softmax(1), LABELS[:, 0]), {}),
        ("binary_cross_entropy_with_logits", (PRED, BIN), {}),
        ("binary_cross_entropy", (PROB, BIN), {}),
        ("mse_loss", (PRED, TARGET), {}),
        ("l1_loss", (PRED, TARGET), {}),
        ("smooth_l1_loss", (PRED, TARGET), {"beta": 0.5}),
        ("huber_loss", (PRED, TARGET), {"delta": 0.7}),
    ],
)
def test_per_sample_losses_match_reduction_none(fn, args, kwargs):
    ours = per_sample_losses(fn, args, kwargs)
    assert torch.allclose(ours, _reference(fn, *args, **kwargs).float(), atol=1e-5)
    assert batch_noise(fn, args, kwargs) == pytest.approx(float(ours.std() / N**0.5), rel=1e-5)


def test_ignored_targets_do_not_count():
    labels = LABELS[:, 0].clone()
    labels[:4] = -100
    ours = per_sample_losses("cross_entropy", (LOGITS[..., 0], labels), {})
    assert torch.isnan(ours[:4]).all()
    assert torch.allclose(ours[4:], F.cross_entropy(LOGITS[4:, :, 0], labels[4:], reduction="none"), atol=1e-6)


def test_unsupported_shapes_give_no_noise():
    assert per_sample_losses("mse_loss", (PRED[:, :1], TARGET[:, 0]), {}) is None  # broadcast
    assert batch_noise("cross_entropy", (LOGITS[:2, :, 0], LABELS[:2, 0]), {}) is None  # too few samples
    assert per_sample_losses("kl_div", (PRED, TARGET), {}) is None


def test_constant_baselines_have_their_closed_forms():
    b = _Baselines()
    balanced = torch.arange(100) % 4
    assert b.update("cross_entropy", (torch.randn(100, 4), balanced), {}) == pytest.approx(math.log(4))
    assert b.update("nll_loss", (torch.randn(100, 4), torch.zeros(100, dtype=torch.long)), {}) == pytest.approx(0.0)
    q = torch.tensor([0.9 + 0.1 / 4, 0.1 / 4, 0.1 / 4, 0.1 / 4])  # smoothing 0.1, every label 0
    smoothed = _Baselines().update(
        "cross_entropy", (torch.randn(8, 4), torch.zeros(8, dtype=torch.long)), {"label_smoothing": 0.1}
    )
    assert smoothed == pytest.approx(float(-(q * q.log()).sum()))
    y = torch.tensor([1.0, 0.0, 0.0, 0.0]).repeat(25)
    assert b.update("binary_cross_entropy_with_logits", (torch.randn(100), y), {}) == pytest.approx(
        -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    )
    t = torch.randn(200, 1) * 3 + 5
    assert b.update("mse_loss", (torch.randn(200, 1), t), {"reduction": "mean"}) == pytest.approx(
        float(t.var(unbiased=False)), rel=1e-6
    )
    assert b.update("mse_loss", (PRED, TARGET), {"reduction": "sum"}) is None  # scale depends on batch size
    assert b.update("cross_entropy", (LOGITS[..., 0], LABELS[:, 0]), {"weight": torch.ones(C)}) is None


def test_pooled_over_the_run():
    b = _Baselines()
    b.update("cross_entropy", (torch.randn(10, 2), torch.zeros(10, dtype=torch.long)), {})
    second = b.update("cross_entropy", (torch.randn(10, 2), torch.ones(10, dtype=torch.long)), {})
    assert second == pytest.approx(math.log(2))  # two single-class batches: balanced overall


def test_recorded_in_a_training_loop():
    torch.manual_seed(1)
    model = nn.Linear(4, 3)
    x, y = torch.randn(32, 4), torch.randint(0, 3, (32,))

    def step(i):
        return -F.cross_entropy(model(x), y)  # a flipped sign: backward value is minus the loss

    view, _ = watch_steps(model, step, 6, "loss", lr=0.1)
    fn = view.series("loss_fn_value", "cross_entropy")
    assert len(fn) == 6 and torch.allclose(torch.tensor(view.loss.values), -torch.tensor(fn.values))
    assert len(view.series("constant_baseline", "cross_entropy")) == 5  # sampled steps only: 0-4
    assert len(view.series("loss_batch_noise", "cross_entropy")) == 5
