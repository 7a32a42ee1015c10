"""Bug: a synthetic house-price regression with targets in the hundreds of thousands (unnormalized-target)."""

import torch
from sklearn.datasets import make_regression
from torch import nn


def recipe():
    torch.manual_seed(0)
    X, y = make_regression(n_samples=500, n_features=8, noise=10.0, random_state=0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(200_000 + 1_000 * y, dtype=torch.float32).unsqueeze(1)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    return {
        "model": model,
        "loss_fn": nn.L1Loss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train": (X[:400], y[:400]),
        "val": (X[400:], y[400:]),
    }
