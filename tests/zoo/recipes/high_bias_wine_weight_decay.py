"""Bug: heavy decoupled weight decay keeps a small model from fitting wine (high-bias)."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 2), nn.ReLU(), nn.Linear(2, 3))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=3.0), wine(), 16
    )
