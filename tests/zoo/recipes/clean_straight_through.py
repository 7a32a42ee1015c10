"""Healthy: activations quantised with a straight-through estimator (a custom Function whose backward
is deliberately not the true, zero, gradient). gradcheck must not blame it."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x * 4) / 4

    @staticmethod
    def backward(ctx, grad):
        return grad  # straight-through


class Quantize(nn.Module):
    def forward(self, x):
        return RoundSTE.apply(x)


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), Quantize(), nn.Linear(64, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), digits())
