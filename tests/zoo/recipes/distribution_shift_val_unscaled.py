"""Bug: training inputs standardised, validation inputs left raw (distribution-shift)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, _, _ = digits()
    _, _, Xva_raw, yva = digits(standardize=False)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr, ytr, Xva_raw, yva))
