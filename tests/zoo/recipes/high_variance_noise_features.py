"""Bug: a wide, deep MLP on 60 breast-cancer examples with 300 noise features appended (high-variance)."""

import torch
from recipe_data import breast_cancer, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = breast_cancer(n_train=60)
    g = torch.Generator().manual_seed(0)
    noise = lambda X: torch.cat([X, 3 * torch.randn(len(X), 300, generator=g)], dim=1)  # noqa: E731
    model = nn.Sequential(nn.Linear(330, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 2))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (noise(Xtr), ytr, noise(Xva), yva), 16
    )
