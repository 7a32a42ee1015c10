"""Healthy: the model returns logits and the loss function applies log_softmax before nll_loss
(the loss receives log-probabilities, though the model's output is not)."""

import torch
import torch.nn.functional as F
from recipe_data import recipe_dict, wine
from torch import nn


def loss_fn(logits, y):
    return F.nll_loss(F.log_softmax(logits, dim=1), y)


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
    return recipe_dict(model, loss_fn, lambda p: torch.optim.Adam(p, lr=3e-3), wine(), 16)
