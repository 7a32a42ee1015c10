"""Bug: raw wine features (proline ~750, hue ~1) fed unscaled (unnormalized-input)."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 3))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), wine(standardize=False), 16
    )
