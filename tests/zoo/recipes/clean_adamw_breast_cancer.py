"""Healthy: binary breast-cancer classification with one logit, BCEWithLogitsLoss, dropout and
AdamW with a usual weight decay (0.01)."""

import torch
from recipe_data import breast_cancer
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = breast_cancer()
    model = nn.Sequential(nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 1))
    return {
        "model": model,
        "loss_fn": nn.BCEWithLogitsLoss(),
        "optimizer": lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2),
        "train": (Xtr, ytr.float().unsqueeze(1)),
        "val": (Xva, yva.float().unsqueeze(1)),
        "batch_size": 32,
    }
