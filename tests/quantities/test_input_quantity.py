"""Input scale statistics, on the model input and on what the first weight layer receives."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from quantity_helpers import watch_steps
from torch import nn

from nndoctor.quantities.inputs import feature_dim, scale_stats


def test_scale_stats_match_numpy():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20, 4, generator=g) * torch.tensor([1.0, 10.0, 0.1, 100.0]) + 3
    s = scale_stats(x, feature_dim(x))
    a = x.numpy().astype(np.float64)
    per_feature = np.sqrt((a**2).mean(axis=0))
    assert s["rms"] == pytest.approx(np.sqrt((a**2).mean()), rel=1e-5)
    assert s["absmax"] == pytest.approx(np.abs(a).max(), rel=1e-6)
    assert s["feature_rms_max"] == pytest.approx(per_feature.max(), rel=1e-5)
    assert s["feature_rms_median"] == pytest.approx(sorted(per_feature)[1], rel=1e-5)  # torch: lower median
    assert s["feature_argmax"] == 3


def test_image_channels_are_the_features():
    x = torch.zeros(4, 3, 5, 5)
    x[:, 2] = 7.0
    s = scale_stats(x, feature_dim(x))
    assert s["features"] == 3 and s["feature_argmax"] == 2 and s["feature_rms_max"] == pytest.approx(7.0)


class ScalesItself(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 6 * 6, 3)

    def forward(self, x):
        x = x / 255.0
        return self.fc(F.relu(self.conv(x)).flatten(1))


def test_first_layer_input_is_measured_after_in_forward_scaling():
    torch.manual_seed(0)
    model = ScalesItself()
    x = torch.randint(0, 256, (16, 1, 8, 8)).float()
    y = torch.randint(0, 3, (16,))
    view, _ = watch_steps(model, lambda i: F.cross_entropy(model(x), y), 3, "inputs")
    raw = float(x.pow(2).mean().sqrt())
    assert view.series("input_rms", "model").values[0] == pytest.approx(raw, rel=1e-5)
    assert view.series("first_layer_input_rms", "model").values[0] == pytest.approx(raw / 255.0, rel=1e-5)
    (first,) = view.events("first_layer")
    assert first.data == {"model": "model", "module": "model.conv", "type": "Conv2d"}


def test_integer_inputs_are_not_measured():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 2))
    ids = torch.randint(0, 10, (8, 3))
    view, _ = watch_steps(model, lambda i: model(ids).sum(), 2, "inputs")
    assert view.keys("input_rms") == []
