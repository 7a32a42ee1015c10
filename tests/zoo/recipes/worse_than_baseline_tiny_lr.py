"""Bug: Adam at lr=1e-6: after a short training the model still predicts near the majority class (worse-than-baseline)."""

import torch
from recipe_data import breast_cancer, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
    with torch.no_grad():
        model[2].bias.copy_(torch.tensor([-2.0, 2.0]))
    return recipe_dict(model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-6), breast_cancer())
