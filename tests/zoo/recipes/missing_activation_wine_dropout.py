"""Bug: Linear -> BatchNorm -> Dropout -> Linear with the activation forgotten (missing-activation)."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(13, 32)
        self.bn = nn.BatchNorm1d(32)
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc2(self.drop(self.bn(self.fc1(x))))


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-2), wine(), 16)
