"""Healthy: a 0/1 mask per 8x8 field (binary segmentation) with BCEWithLogitsLoss; the top row is
always background, which is not a class imbalance."""

import torch
from torch import nn


def recipe():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(400, 1, 8, 8, generator=g)
    y = (X > 0.3).float()
    y[:, :, 0, :] = 0.0
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 1, 1))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train": (X[:320], y[:320]),
        "val": (X[320:], y[320:]),
        "batch_size": 32,
    }
