"""Bug: NLLLoss on raw logits, log_softmax forgotten (output-activation-mismatch)."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    return recipe_dict(model, nn.NLLLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), digits())
