"""Healthy: imbalanced breast-cancer labels, handled with class weights in the loss."""

import torch
from recipe_data import breast_cancer, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = breast_cancer()
    keep = (ytr == 1) | (torch.arange(len(ytr)) % 8 == 0)
    Xtr, ytr = Xtr[keep], ytr[keep]
    counts = torch.bincount(ytr).float()
    weight = counts.sum() / (2 * counts)
    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
    return recipe_dict(
        model, nn.CrossEntropyLoss(weight=weight), lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr, ytr, Xva, yva)
    )
