"""Bug: a hand-written linear layer whose weight gradient is transposed the wrong way (gradcheck-failed)."""

import torch
from recipe_data import diabetes, recipe_dict
from torch import nn


class LinearFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x @ w.t() + b

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return grad @ w, -(grad.t() @ x), grad.sum(0)  # bug: the weight gradient has the wrong sign


class MyLinear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) / n_in**0.5)
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        return LinearFn.apply(x, self.weight, self.bias)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = MyLinear(10, 32)
        self.out = nn.Linear(32, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


def recipe():
    torch.manual_seed(0)
    return recipe_dict(Net(), nn.MSELoss(), lambda p: torch.optim.Adam(p, lr=3e-3), diabetes())
