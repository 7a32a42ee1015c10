"""Bug: "is it a zero?" on digits, 1 positive per 10 negatives, unweighted BCE (class-imbalance)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.body(x).squeeze(1)


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    return recipe_dict(
        Net(),
        nn.BCEWithLogitsLoss(),
        lambda p: torch.optim.Adam(p, lr=1e-3),
        (Xtr, (ytr == 0).float(), Xva, (yva == 0).float()),
    )
