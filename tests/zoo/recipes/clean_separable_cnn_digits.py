"""Healthy: a depthwise-separable CNN on the 8x8 digit images (a depthwise conv feeds a pointwise
1x1 conv directly, as in Xception/MobileNetV2: linear on purpose)."""

import torch
from recipe_data import digits
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1, groups=16),  # depthwise
        nn.Conv2d(16, 32, 1),  # pointwise
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=3e-3),
        "train": (Xtr.reshape(-1, 1, 8, 8), ytr),
        "val": (Xva.reshape(-1, 1, 8, 8), yva),
        "batch_size": 64,
    }
