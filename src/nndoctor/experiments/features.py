"""Flat, standardised feature matrices for the scikit-learn models the experiments use.

Inputs of any shape become one row per example; more than ``max_dims`` columns are reduced
with PCA (a logistic regression on 3,072 raw pixels is slow and no wiser). Non-finite values
become 0, so a NaN in the data (reported on its own) does not stop the other checks.
"""

from __future__ import annotations

import numpy as np
import torch

MAX_DIMS = 64


def flat(x: torch.Tensor) -> np.ndarray:
    """One float64 row per example, non-finite values replaced by 0."""
    a = x.detach().reshape(len(x), -1).double().cpu().numpy()
    return np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)


def subsample(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of at most ``limit`` of ``n`` examples (all of them if ``n <= limit``)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.RandomState(seed).choice(n, limit, replace=False))


def fit_transform(train: np.ndarray, *others: np.ndarray, max_dims: int = MAX_DIMS, seed: int = 0) -> list[np.ndarray]:
    """Standardise with the first matrix's statistics (PCA beyond ``max_dims``); apply to the others."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(train)
    out = [scaler.transform(m) for m in (train, *others)]
    if train.shape[1] > max_dims and train.shape[0] > max_dims:
        pca = PCA(n_components=max_dims, random_state=seed, svd_solver="randomized").fit(out[0])
        out = [pca.transform(m) for m in out]
    return out


def labels_array(y: torch.Tensor) -> np.ndarray:
    """Targets as a NumPy vector (class indices) or matrix (regression targets)."""
    a = y.detach().cpu().numpy()
    return a.reshape(len(a)) if a.ndim > 1 and a[0].size == 1 else a


def can_stratify(labels: np.ndarray, folds: int) -> bool:
    if labels.ndim != 1:
        return False
    _, counts = np.unique(labels, return_counts=True)
    return len(counts) > 1 and counts.min() >= folds
