"""Bug: BCEWithLogitsLoss on iris's three class indices (wrong-loss)."""

import torch
from recipe_data import iris, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = iris()
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
    return recipe_dict(
        model,
        nn.BCEWithLogitsLoss(),
        lambda p: torch.optim.Adam(p, lr=1e-2),
        (Xtr, ytr.float().unsqueeze(1), Xva, yva.float().unsqueeze(1)),
        16,
    )
