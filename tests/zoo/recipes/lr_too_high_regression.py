"""Bug: SGD with lr=0.5 and momentum on a regression: the loss diverges (lr-too-high)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    return recipe_dict(model, nn.MSELoss(), lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9), diabetes())
