"""Healthy: integer token ids into an embedding bag (is token 7 in the sequence?), zero-initialised head."""

import torch
from torch import nn


def recipe():
    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 50, (600, 12), generator=g)
    y = (X == 7).any(dim=1).long()
    model = nn.Sequential(nn.EmbeddingBag(50, 16, mode="mean"), nn.ReLU(), nn.Linear(16, 2))
    nn.init.zeros_(model[2].weight)  # zero-initialised output layer: fine (the embedding breaks symmetry)
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-2),
        "train": (X[:500], y[:500]),
        "val": (X[500:], y[500:]),
    }
