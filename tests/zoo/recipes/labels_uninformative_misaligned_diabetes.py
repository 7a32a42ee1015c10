"""Bug: regression targets misaligned with their inputs (a join on the wrong key) (labels-uninformative)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = diabetes()
    g = torch.Generator().manual_seed(3)
    ytr, yva = ytr[torch.randperm(len(ytr), generator=g)], yva[torch.randperm(len(yva), generator=g)]
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    return recipe_dict(model, nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=3e-3), (Xtr, ytr, Xva, yva))
