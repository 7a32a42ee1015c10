"""Train against validation: duplicated examples, and whether the two come from one distribution.

- ``duplicates`` {val_n, val_in_train, share, same_label, examples}: validation inputs found
  byte for byte in the training set (a leaky split makes validation scores meaningless).
- ``two_sample`` {auc, z, n_train, n_val, max_smd, top_features}: a classifier two-sample test
  (a cross-validated logistic regression tries to tell training from validation inputs; AUC
  0.5 means it cannot) with, per feature, the standardised mean difference (SMD = difference
  of means / pooled std; 0.1-0.2 is the usual "negligible" bound in covariate-balance checks).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from nndoctor.experiments.base import Context, Experiment, Skip
from nndoctor.experiments.features import fit_transform, flat, subsample


class SplitChecks(Experiment):
    name = "split"
    title = "train/val duplicates and distribution shift"
    needs_loss = False

    def run(self, ctx: Context) -> str:
        r = ctx.recipe
        if r.val_x is None or r.val_y is None:
            raise Skip("no validation split in the recipe")
        dup = duplicates(r.train_x, r.train_y, r.val_x, r.val_y)
        ctx.event("duplicates", **dup)
        summary = f"{dup['val_in_train']}/{dup['val_n']} val examples also in train"
        if ctx.facts.get("first_layer", {}).get("embedding"):
            return summary + "; shift test skipped (token ids)"
        shift = two_sample(r.train_x, r.val_x, ctx.budget.sklearn_examples, ctx.seed)
        if shift is not None:
            ctx.event("two_sample", **shift)
            summary += f"; train-vs-val classifier AUC {shift['auc']:.2f}, max SMD {shift['max_smd']:.2f}"
        return summary


def _row_keys(x: torch.Tensor) -> list[bytes]:
    a = x.detach().reshape(len(x), -1).cpu().contiguous()
    if a.is_floating_point():
        a = a.float()
    arr = a.numpy()
    return [row.tobytes() for row in arr]


def duplicates(xt: torch.Tensor, yt: torch.Tensor, xv: torch.Tensor, yv: torch.Tensor) -> dict[str, Any]:
    """Validation examples whose input also appears in the training set."""
    seen: dict[bytes, int] = {}
    for i, k in enumerate(_row_keys(xt)):
        seen.setdefault(k, i)
    pairs = [(j, seen[k]) for j, k in enumerate(_row_keys(xv)) if k in seen]
    same = sum(bool(torch.equal(yv[j], yt[i])) for j, i in pairs)
    return {
        "val_n": len(xv),
        "train_n": len(xt),
        "val_in_train": len(pairs),
        "share": len(pairs) / max(len(xv), 1),
        "same_label": same,
        "examples": [[j, i] for j, i in pairs[:5]],
    }


def two_sample(xt: torch.Tensor, xv: torch.Tensor, limit: int, seed: int) -> dict[str, Any] | None:
    """Classifier two-sample test and per-feature standardised mean differences."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    n = min(len(xt), len(xv), limit // 2)
    if n < 20:
        return None
    a = flat(xt[subsample(len(xt), n, seed)])
    b = flat(xv[subsample(len(xv), n, seed + 1)])
    smd = _smd(flat(xt[subsample(len(xt), limit, seed)]), flat(xv[subsample(len(xv), limit, seed)]))
    both = np.concatenate([a, b])
    (features,) = fit_transform(both, seed=seed)
    side = np.r_[np.zeros(len(a)), np.ones(len(b))]
    clf = LogisticRegression(C=1.0, max_iter=300, tol=1e-3)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    proba = cross_val_predict(clf, features, side, cv=folds, method="predict_proba")[:, 1]
    auc = float(roc_auc_score(side, proba))
    # Mann-Whitney: under "same distribution" the AUC is ~ N(0.5, sqrt((n1 + n2 + 1) / (12 n1 n2))).
    sd = math.sqrt((2 * n + 1) / (12.0 * n * n))
    order = np.argsort(-smd)[:5]
    return {
        "auc": auc,
        "z": (auc - 0.5) / sd,
        "n_train": n,
        "n_val": n,
        "max_smd": float(smd.max()) if len(smd) else 0.0,
        "mean_smd": float(smd.mean()) if len(smd) else 0.0,
        "shifted_features": int((smd > 0.5).sum()),
        "features": len(smd),
        "top_features": [{"feature": int(i), "smd": float(smd[i])} for i in order],
    }


def _smd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    pooled = np.sqrt((a.var(axis=0) + b.var(axis=0)) / 2.0)
    diff = np.abs(a.mean(axis=0) - b.mean(axis=0))
    out = np.zeros_like(diff)
    ok = pooled > 1e-12
    out[ok] = diff[ok] / pooled[ok]
    out[~ok & (diff > 1e-12)] = np.inf  # constant in both splits, at different values
    return np.minimum(out, 1e6)
