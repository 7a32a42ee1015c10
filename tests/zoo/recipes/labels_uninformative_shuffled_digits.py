"""Bug: labels shuffled separately from the images (labels-uninformative)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    ytr = ytr[torch.randperm(len(ytr))]
    yva = yva[torch.randperm(len(yva))]
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr, ytr, Xva, yva))
