"""Bug: a reshape that mixes the batch dimension: view(32, -1) on a (batch, 32, 2) tensor (batch-dependence)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        h = h.view(len(h), 32, 2).transpose(0, 1).reshape(len(h), 64)  # bug: scrambles samples
        return self.fc2(h)


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), digits())
