"""Imbalanced classes: when accuracy misleads, and the balanced error that does not.

With 94 % of the labels in one class, "always the majority" is 94 % accurate, and a model that
finds half of the rare class is 96 %: two points apart, within three standard errors on a few
hundred validation examples, although one of them has learned something and the other nothing.
Judged by accuracy, examine called such a model "no better than the majority class" and its
labels "uninformative" (found in a probe: 95/5 classes, BCE, a real but weak signal).

The balanced error (one minus the mean of the per-class recalls) puts every predictor that
ignores its input at 1 - 1/k, whatever the class shares and whichever classes it predicts, so a
model that finds some of the rare class is clearly below it. Its standard error is that of an
error rate on :func:`effective_examples` examples, the harmonic count of the classes (the rare
class's few examples dominate it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: The largest class count at or above this multiple of the smallest is imbalanced (about the
#: usual 1:10 rule of thumb)...
IMBALANCE_RATIO = 8.0
#: ...or the majority class holds at least this share of the labels.
IMBALANCE_MAJORITY = 0.85


def imbalanced(counts: Sequence[int]) -> bool:
    """Class counts (two or more classes) that make accuracy a poor judge."""
    counts = [int(c) for c in counts if c > 0]
    if len(counts) < 2:
        return False
    return max(counts) >= IMBALANCE_RATIO * min(counts) or max(counts) >= IMBALANCE_MAJORITY * sum(counts)


def labels_imbalanced(labels: np.ndarray) -> bool:
    """One class index per example, with imbalanced counts."""
    labels = np.asarray(labels).reshape(-1)
    if labels.size == 0:
        return False
    return imbalanced(np.unique(labels, return_counts=True)[1].tolist())


def balanced_error(predictions: np.ndarray, labels: np.ndarray) -> float:
    """One minus the mean recall over the classes present in ``labels``."""
    predictions, labels = np.asarray(predictions).reshape(-1), np.asarray(labels).reshape(-1)
    classes = np.unique(labels)
    if classes.size == 0:
        return float("nan")
    recalls = [float((predictions[labels == c] == c).mean()) for c in classes]
    return 1.0 - float(np.mean(recalls))


def effective_examples(labels: np.ndarray) -> float:
    """The number of examples whose plain error rate is as noisy as the balanced error on
    ``labels``: k^2 / sum(1 / n_c) (n itself when the classes are equal)."""
    counts = np.unique(np.asarray(labels).reshape(-1), return_counts=True)[1]
    if counts.size == 0:
        return 0.0
    return float(counts.size**2 / np.sum(1.0 / counts))


def chance_standard_error(predictions: np.ndarray, labels: np.ndarray) -> float:
    """Standard error of the balanced accuracy of predictions made without looking at the input,
    predicting class c with the share q_c these predictions do: each class's recall is then a
    binomial share q_c of its n_c examples, and the mean of k of them is 1/k on average."""
    predictions, labels = np.asarray(predictions).reshape(-1), np.asarray(labels).reshape(-1)
    classes, counts = np.unique(labels, return_counts=True)
    if classes.size == 0:
        return 0.0
    shares = np.array([float((predictions == c).mean()) for c in classes])
    return math.sqrt(float(np.sum(shares * (1 - shares) / counts))) / classes.size
