"""Healthy: a wine classifier whose forward returns (logits, aux_logits) from a deep and a shallow head;
the loss_fn adds 0.3 x the auxiliary head's cross-entropy (deep supervision)."""

import torch
import torch.nn.functional as F
from recipe_data import recipe_dict, wine
from torch import nn


class AuxNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(13, 32), nn.ReLU())
        self.body = nn.Sequential(nn.Linear(32, 32), nn.ReLU())
        self.classifier = nn.Linear(32, 3)
        self.aux = nn.Linear(32, 3)

    def forward(self, x):
        h = self.stem(x)
        return self.classifier(self.body(h)), self.aux(h)


def recipe():
    torch.manual_seed(0)
    Xtr, ytr, Xva, yva = wine()
    model = AuxNet()

    def loss_fn(output, y):
        logits, aux_logits = output
        return F.cross_entropy(logits, y) + 0.3 * F.cross_entropy(aux_logits, y)

    return recipe_dict(model, loss_fn, lambda p: torch.optim.Adam(p, lr=1e-3), (Xtr, ytr, Xva, yva))
