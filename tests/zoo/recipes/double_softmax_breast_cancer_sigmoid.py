"""Bug: a Sigmoid before BCEWithLogitsLoss (double-softmax, binary form)."""

import torch
from recipe_data import breast_cancer, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = breast_cancer()
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
    return recipe_dict(
        model,
        nn.BCEWithLogitsLoss(),
        lambda p: torch.optim.SGD(p, lr=0.1),
        (Xtr, ytr.float().unsqueeze(1), Xva, yva.float().unsqueeze(1)),
    )
