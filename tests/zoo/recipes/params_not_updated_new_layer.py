"""Bug: a layer replaced after the optimizer was created keeps its random weights (params-not-updated)."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model[2] = nn.Linear(32, 3)  # replaced after the optimizer captured the old one
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda params: optimizer, wine(), 16)
