"""Bug: SGD with lr=3 on an MLP: the loss explodes to NaN (lr-too-high)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=3.0, momentum=0.9), digits())
