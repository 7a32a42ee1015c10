"""Bug: breast cancer with the malignant class subsampled to 1 in 16 (class-imbalance)."""

import torch
from recipe_data import breast_cancer, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = breast_cancer()
    keep = (ytr == 1) | (torch.arange(len(ytr)) % 8 == 0)
    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr[keep], ytr[keep], Xva, yva)
    )
