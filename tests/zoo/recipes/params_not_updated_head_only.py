"""Bug: the optimizer is built from the head's parameters only; the body is never updated (params-not-updated)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda params: torch.optim.Adam(model[2].parameters(), lr=1e-3), digits()
    )
