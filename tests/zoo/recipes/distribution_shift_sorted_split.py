"""Bug: breast cancer sorted by tumour size, then split head/tail: validation is all large tumours (distribution-shift)."""

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from torch import nn


def recipe():
    torch.manual_seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    order = np.argsort(X[:, 3])  # mean area
    X, y = X[order], y[order]
    X = (X - X.mean(0)) / X.std(0)
    X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 2))
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda p: torch.optim.Adam(p, lr=1e-3),
        "train": (X[:450], y[:450]),
        "val": (X[450:], y[450:]),
    }
