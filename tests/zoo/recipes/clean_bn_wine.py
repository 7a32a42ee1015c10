"""Healthy: a batch-normed MLP with dropout on standardised wine, SGD with momentum."""

import torch
from recipe_data import wine
from torch import nn


def recipe():
    torch.manual_seed(1)
    Xtr, ytr, Xva, yva = wine()
    model = nn.Sequential(
        nn.Linear(13, 64),
        nn.BatchNorm1d(64),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(64, 32),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Linear(32, 3),
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9, weight_decay=1e-4),
        "train": (Xtr, ytr),
        "val": (Xva, yva),
        "batch_size": 16,
    }
