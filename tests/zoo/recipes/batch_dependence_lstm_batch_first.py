"""Bug: (batch, time, features) sequences fed to an LSTM without batch_first=True (batch-dependence)."""

import torch
from recipe_data import recipe_dict, sequences
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 32)  # bug: batch_first=False, inputs are batch-first
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=3e-3), sequences())
