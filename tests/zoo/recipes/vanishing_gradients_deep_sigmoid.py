"""Bug: ten sigmoid layers with small init: early layers get ~no gradient (vanishing-gradients)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    layers = [nn.Linear(64, 64), nn.Sigmoid()]
    for _ in range(9):
        layers += [nn.Linear(64, 64), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(64, 10))
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.05)
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=0.1), digits())
