"""Data for the recipe zoo: scikit-learn's bundled datasets as tensors, shuffled with a fixed seed.

Every loader returns ``(Xtr, ytr, Xva, yva)``; ``standardize`` uses the training split's statistics
for both splits, as a correct pipeline does.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn import datasets


def _split(X, y, n_train, seed, standardize, float_targets=False):
    perm = np.random.RandomState(seed).permutation(len(X))
    X, y = X[perm], y[perm]
    Xtr, Xva = X[:n_train], X[n_train:]
    if standardize:
        mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
        Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    ytype = torch.float32 if float_targets else torch.long
    return (
        torch.tensor(Xtr, dtype=torch.float32),
        torch.tensor(y[:n_train], dtype=ytype),
        torch.tensor(Xva, dtype=torch.float32),
        torch.tensor(y[n_train:], dtype=ytype),
    )


def digits(n_train=1400, seed=0, standardize=True):
    X, y = datasets.load_digits(return_X_y=True)
    return _split(X, y, n_train, seed, standardize)


def wine(n_train=140, seed=0, standardize=True):
    X, y = datasets.load_wine(return_X_y=True)
    return _split(X, y, n_train, seed, standardize)


def breast_cancer(n_train=450, seed=0, standardize=True):
    X, y = datasets.load_breast_cancer(return_X_y=True)
    return _split(X, y, n_train, seed, standardize)


def iris(n_train=120, seed=0, standardize=True):
    X, y = datasets.load_iris(return_X_y=True)
    return _split(X, y, n_train, seed, standardize)


def diabetes(n_train=350, seed=0, standardize=True, standardize_targets=True):
    X, y = datasets.load_diabetes(return_X_y=True)
    if standardize_targets:
        y = (y - y.mean()) / y.std()
    Xtr, ytr, Xva, yva = _split(X, y, n_train, seed, standardize, float_targets=True)
    return Xtr, ytr.unsqueeze(1), Xva, yva.unsqueeze(1)


def sequences(n=400, steps=12, features=4, seed=0):
    """A synthetic sequence task: is the sum of the first feature over time positive? (N, T, F) inputs."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, steps, features, generator=g)
    y = (X[:, :, 0].sum(dim=1) > 0).long()
    k = int(n * 0.8)
    return X[:k], y[:k], X[k:], y[k:]


def recipe_dict(model, loss_fn, optimizer, data, batch_size=32, val=True):
    Xtr, ytr, Xva, yva = data
    out = {"model": model, "loss_fn": loss_fn, "optimizer": optimizer, "train": (Xtr, ytr), "batch_size": batch_size}
    if val:
        out["val"] = (Xva, yva)
    return out
