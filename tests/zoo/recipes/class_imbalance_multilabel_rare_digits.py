"""Bug: a multi-label head where one label ("is it a 0?") is positive for only 10 % of the
examples, with no pos_weight (class-imbalance)."""

import torch
from recipe_data import digits
from torch import nn


def _labels(d):
    return torch.stack([d % 2 == 0, d == 0], dim=1).float()


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train": (Xtr, _labels(ytr)),
        "val": (Xva, _labels(yva)),
        "batch_size": 64,
    }
