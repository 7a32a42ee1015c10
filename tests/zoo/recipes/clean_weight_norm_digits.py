"""Healthy: a digits MLP with weight_norm / spectral_norm parametrizations (parametrized weights)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm, weight_norm


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(
        weight_norm(nn.Linear(64, 128)), nn.ReLU(),
        weight_norm(nn.Linear(128, 64)), nn.ReLU(),
        spectral_norm(nn.Linear(64, 10)),
    )  # fmt: skip
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=2e-3), digits())
