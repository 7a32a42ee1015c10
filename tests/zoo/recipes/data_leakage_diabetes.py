"""Bug: an oversampled regression dataset split after duplication: copies on both sides (data-leakage)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = diabetes()
    X, y = torch.cat([Xtr, Xva, Xtr[:120]]), torch.cat([ytr, yva, ytr[:120]])
    perm = torch.randperm(len(X), generator=torch.Generator().manual_seed(1))
    X, y = X[perm], y[perm]
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    return recipe_dict(
        model, nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=3e-3), (X[:450], y[:450], X[450:], y[450:])
    )
