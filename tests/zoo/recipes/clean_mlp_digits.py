"""Healthy: an MLP on standardised digits, Adam, a held-out validation split."""

import torch
from recipe_data import digits
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.Adam(params, lr=1e-3),
        "train": (Xtr, ytr),
        "val": (Xva, yva),
        "batch_size": 64,
    }
