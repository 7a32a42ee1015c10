"""Bug: a deep tanh regression network with tiny init: gradients die before the first layers (vanishing-gradients)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    layers = [nn.Linear(10, 48), nn.Tanh()]
    for _ in range(7):
        layers += [nn.Linear(48, 48), nn.Tanh()]
    model = nn.Sequential(*layers, nn.Linear(48, 1))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.04)
    return recipe_dict(model, nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=1e-3), diabetes())
