"""Bug: labels 1..10 (one-based) with 10 outputs: label 10 is out of range (invalid-target)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr, ytr + 1, Xva, yva + 1)
    )
