"""Bug: (N, 1) predictions against (N,) targets in nn.MSELoss: they broadcast to (N, N) (loss-shape-broadcast)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = diabetes()
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    return recipe_dict(model, nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=3e-3), (Xtr, ytr[:, 0], Xva, yva[:, 0]))
