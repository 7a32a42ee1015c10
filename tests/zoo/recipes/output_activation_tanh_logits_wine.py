"""Bug: the classifier ends in nn.Tanh() before CrossEntropyLoss (logits bounded to [-1, 1])."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 3), nn.Tanh())
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), wine())
