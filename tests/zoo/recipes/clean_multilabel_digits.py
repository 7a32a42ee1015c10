"""Healthy: multi-label digits (is it even? above 4? prime?) with one logit per label and
BCEWithLogitsLoss on float 0/1 targets."""

import torch
from recipe_data import digits
from torch import nn


def _labels(d):
    prime = (d == 2) | (d == 3) | (d == 5) | (d == 7)
    return torch.stack([d % 2 == 0, d > 4, prime], dim=1).float()


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 3))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train": (Xtr, _labels(ytr)),
        "val": (Xva, _labels(yva)),
        "batch_size": 64,
    }
