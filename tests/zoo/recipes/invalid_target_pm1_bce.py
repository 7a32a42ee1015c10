"""Bug: -1/+1 labels (an SVM habit) given to BCEWithLogitsLoss (invalid-target)."""

import torch
from recipe_data import breast_cancer, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = breast_cancer()
    pm = lambda y: (2.0 * y.float() - 1).unsqueeze(1)  # noqa: E731
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
    return recipe_dict(
        model, nn.BCEWithLogitsLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr, pm(ytr), Xva, pm(yva))
    )
