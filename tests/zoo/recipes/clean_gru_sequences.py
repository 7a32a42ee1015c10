"""Healthy: a GRU classifier on synthetic (batch, time, features) sequences, batch_first=True, Adam
with gradient clipping left out (short sequences do not need it)."""

import torch
from recipe_data import recipe_dict, sequences
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 32, batch_first=True)
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=3e-3), sequences(n=600))
