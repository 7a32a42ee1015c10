"""Bug: a layer defined in __init__ but never called in forward (params-without-grad)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        return self.out(torch.relu(self.fc1(x)))  # bug: fc2 forgotten


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), digits())
