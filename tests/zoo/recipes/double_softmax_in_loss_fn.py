"""Bug: the loss function applies softmax to the logits before F.cross_entropy (double-softmax),
though the model itself ends in a plain Linear."""

import torch
import torch.nn.functional as F
from recipe_data import iris, recipe_dict
from torch import nn


def loss_fn(logits, y):
    return F.cross_entropy(logits.softmax(dim=1), y)  # bug: cross_entropy applies log-softmax itself


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))
    return recipe_dict(model, loss_fn, lambda p: torch.optim.Adam(p, lr=1e-2), iris(), 16)
