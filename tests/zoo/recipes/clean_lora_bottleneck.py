"""Healthy: a low-rank (LoRA-style) linear bottleneck next to a ReLU MLP: linear on purpose."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
        self.down = nn.Linear(64, 4, bias=False)
        self.up = nn.Linear(4, 10, bias=False)
        nn.init.zeros_(self.up.weight)

    def forward(self, x):
        return self.body(x) + self.up(self.down(x))


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), digits())
