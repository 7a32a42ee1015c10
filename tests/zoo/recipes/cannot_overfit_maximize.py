"""Bug: the optimizer ascends the loss (maximize=True): the loss goes up (cannot-overfit)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=0.05, maximize=True), digits())
