"""Bug: raw diabetes targets (mean 152, std 77) with MSE (unnormalized-target)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    return recipe_dict(model, nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=1e-3), diabetes(standardize_targets=False))
