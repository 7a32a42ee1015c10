"""Healthy: per-pixel 3-class segmentation of random 8x8 fields with a small fully convolutional net
(targets (N, H, W), CrossEntropyLoss over (N, C, H, W) logits)."""

import torch
from torch import nn


def recipe():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(400, 1, 8, 8, generator=g)
    y = (X[:, 0] > 0.5).long() + (X[:, 0] > 1.2).long()
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 3, 1))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train": (X[:320], y[:320]),
        "val": (X[320:], y[320:]),
        "batch_size": 32,
    }
