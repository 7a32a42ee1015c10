"""A buggy recipe for ``nndoctor examine`` (used by ``nndoctor demo``): an MLP on bundled digits.

Bugs: raw 0-16 pixel values fed unscaled, two Linear layers with no activation between them,
and a Softmax before CrossEntropyLoss (which applies log-softmax itself).
"""

import torch
from sklearn.datasets import load_digits
from torch import nn


def recipe():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32)  # bug: not scaled to ~unit range
    y = torch.tensor(y)
    model = nn.Sequential(
        nn.Linear(64, 128),
        nn.Linear(128, 64),  # bug: no activation between the two Linear layers
        nn.ReLU(),
        nn.Linear(64, 10),
        nn.Softmax(dim=1),  # bug: CrossEntropyLoss applies log-softmax itself
    )
    return {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
        "train": (X[:1400], y[:1400]),
        "val": (X[1400:], y[1400:]),
        "batch_size": 64,
    }
