"""Bug: MSELoss between 10 logits and integer class labels (wrong-loss)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return recipe_dict(
        model,
        lambda out, y: nn.functional.mse_loss(out, y.unsqueeze(1).float()),
        lambda p: torch.optim.Adam(p, lr=1e-3),
        digits(),
    )
