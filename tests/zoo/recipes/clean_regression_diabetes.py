"""Healthy: an MLP regression on diabetes, standardised inputs and targets, AdamW, MSE."""

import torch
from recipe_data import diabetes
from torch import nn


def recipe():
    torch.manual_seed(5)
    Xtr, ytr, Xva, yva = diabetes()
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.MSELoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=3e-3, weight_decay=1e-4),
        "train": (Xtr, ytr),
        "val": (Xva, yva),
        "batch_size": 32,
    }
