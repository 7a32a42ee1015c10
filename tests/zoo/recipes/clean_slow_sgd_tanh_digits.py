"""Healthy but slow: plain SGD (lr 0.01, no momentum) on a tanh MLP; it fits digits, only more
slowly than the short trainings of --quick (which must say so as advice, not as a problem)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=0.01), digits())
