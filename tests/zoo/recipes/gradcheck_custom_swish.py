"""Bug: a custom Swish autograd Function whose backward forgets a term (gradcheck-failed)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


class SwishFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad * s  # bug: d/dx x*s(x) = s + x*s*(1-s)


class Swish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), Swish(), nn.Linear(64, 10))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), digits())
