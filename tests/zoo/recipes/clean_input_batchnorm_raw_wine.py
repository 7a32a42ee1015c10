"""Healthy: raw wine features, normalised by a BatchNorm1d as the model's first layer."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.BatchNorm1d(13), nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=3e-3), wine(standardize=False), 16
    )
