"""Output spread and argmax share against numpy / Counter versions."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch
from quantity_helpers import watch_steps
from torch import nn


def test_output_spread_and_argmax_share_match_slow_versions():
    torch.manual_seed(0)
    model = nn.Linear(5, 4)
    x = torch.randn(16, 5)
    view, _ = watch_steps(model, lambda i: model(x).pow(2).mean(), 1, "outputs")
    with torch.no_grad():
        out = model(x).numpy().astype(np.float64)
    spread = np.mean(np.std(out, axis=0, ddof=1)) / np.mean(np.abs(out))
    share = max(Counter(out.argmax(axis=1).tolist()).values()) / len(out)
    assert view.series("output_spread", "model").values[0] == pytest.approx(spread, rel=1e-5)
    assert view.series("output_argmax_share", "model").values[0] == pytest.approx(share)


def test_constant_outputs_have_zero_spread():
    torch.manual_seed(0)
    model = nn.Linear(5, 3)
    with torch.no_grad():
        model.weight.zero_()
    view, _ = watch_steps(model, lambda i: model(torch.randn(16, 5)).sum(), 1, "outputs")
    assert view.series("output_spread", "model").values[0] == 0.0
    assert view.series("output_argmax_share", "model").values[0] == 1.0
