"""Bug: dropout 0.9 on every layer plus strong weight decay (too-much-regularization)."""

import torch
from recipe_data import iris, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Dropout(0.9), nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.9), nn.Linear(32, 3))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.SGD(p, lr=0.05, weight_decay=0.5), iris(), 16
    )
