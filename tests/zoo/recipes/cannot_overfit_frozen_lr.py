"""Bug: a learning rate of 1e-6 with plain SGD: nothing moves (cannot-overfit, plateau)."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=1e-6), wine(), 16)
