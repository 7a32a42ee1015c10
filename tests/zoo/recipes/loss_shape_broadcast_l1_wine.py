"""Bug: a hand-written loss calls F.l1_loss on (N, 1) predictions and (N,) targets (loss-shape-broadcast):
predicting wine's alcohol content from the other 12 features."""

import torch
import torch.nn.functional as F
from recipe_data import recipe_dict, wine
from torch import nn


def loss_fn(pred, y):
    return F.l1_loss(pred, y)  # bug: pred is (N, 1), y is (N,)


def recipe():
    torch.manual_seed(0)
    Xtr, _, Xva, _ = wine()
    data = (Xtr[:, 1:], Xtr[:, 0], Xva[:, 1:], Xva[:, 0])
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 1))
    return recipe_dict(model, loss_fn, lambda p: torch.optim.Adam(p, lr=3e-3), data, 16)
