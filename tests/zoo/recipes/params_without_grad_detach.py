"""Bug: features detached before the head, so the encoder never learns (params-without-grad)."""

import torch
from recipe_data import recipe_dict, wine
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(13, 32), nn.ReLU())
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        return self.head(self.encoder(x).detach())


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-2), wine(), 16)
