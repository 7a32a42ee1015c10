"""Bug: a final ReLU on a regression whose standardised targets are half negative (output-activation-mismatch)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1), nn.ReLU())
    return recipe_dict(model, nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=3e-3), diabetes())
