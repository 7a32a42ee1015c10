"""Bug: a wide MLP trained on only 100 digits with 300 noise columns appended: it memorises the
training set and misclassifies most validation digits (high-variance)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits(n_train=100)
    g = torch.Generator().manual_seed(0)
    noise = lambda X: torch.cat([X, 3 * torch.randn(len(X), 300, generator=g)], dim=1)  # noqa: E731
    model = nn.Sequential(nn.Linear(364, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (noise(Xtr), ytr, noise(Xva), yva), 16
    )
