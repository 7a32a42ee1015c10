"""The fixed version of ``buggy_digits_recipe.py`` (used by ``nndoctor demo``)."""

import torch
from sklearn.datasets import load_digits
from torch import nn


def recipe():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32)
    mean, std = X[:1400].mean(0), X[:1400].std(0) + 1e-6  # fix: standardise with training statistics
    X = (X - mean) / std
    y = torch.tensor(y)
    model = nn.Sequential(
        nn.Linear(64, 128),
        nn.ReLU(),  # fix: a nonlinearity between the Linear layers
        nn.Linear(128, 64),
        nn.ReLU(),
        nn.Linear(64, 10),  # fix: logits; CrossEntropyLoss applies log-softmax
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train": (X[:1400], y[:1400]),
        "val": (X[1400:], y[1400:]),
        "batch_size": 64,
    }
