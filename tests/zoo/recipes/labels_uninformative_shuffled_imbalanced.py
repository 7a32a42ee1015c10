"""Bug: "is it a zero?" on digits (1 in 10) with the labels shuffled apart from their images
(labels-uninformative): under imbalance the labels are judged by balanced accuracy, and shuffled
ones stay at its chance level, 1/2."""

import torch
from recipe_data import digits, recipe_dict
from torch import nn


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = digits()
    g = torch.Generator().manual_seed(1)
    ytr = ytr[torch.randperm(len(ytr), generator=g)]
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 2))
    return recipe_dict(
        model, nn.CrossEntropyLoss(), lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr, (ytr == 0).long(), Xva, (yva == 0).long())
    )
