"""Bug: a one-unit bottleneck: the model cannot fit ten digit classes (high-bias, worse-than-baseline)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 1), nn.ReLU(), nn.Linear(1, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=3e-3), digits())
