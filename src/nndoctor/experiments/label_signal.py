"""Is there anything in the inputs that predicts the labels?

Two simple models, a linear one (logistic or ridge regression) and a nonlinear one (a small
random forest), are cross-validated on the flattened training inputs. Shuffled or misaligned
labels leave both at chance: the majority-class accuracy, or R^2 = 0. With imbalanced classes
(see :mod:`~nndoctor.balance`) the models weight the classes equally and are scored
by balanced accuracy, whose chance level is 1/k: by accuracy, a weak but real signal among 95/5
classes is within noise of always answering the majority.

Records ``label_signal`` {metric, chance, scores, best, z, n}. ``z`` is how many standard
errors the best model is above chance: for accuracy, a binomial test against the majority
share; for balanced accuracy, against 1/k with each class's recall a binomial share; for
regression, the t statistic of the correlation between cross-validated predictions and targets.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nndoctor.balance import balanced_error, chance_standard_error, imbalanced
from nndoctor.experiments.base import Context, Experiment, Skip
from nndoctor.experiments.features import can_stratify, fit_transform, flat, labels_array, subsample

MIN_EXAMPLES = 30
FOLDS = 3


class LabelSignal(Experiment):
    name = "labels"
    title = "do simple models find the labels in the inputs?"
    needs_loss = False

    def run(self, ctx: Context) -> str:
        if ctx.facts.get("first_layer", {}).get("embedding"):
            raise Skip("inputs are token ids; flat models do not apply")
        r = ctx.recipe
        idx = subsample(len(r.train_x), ctx.budget.sklearn_examples, ctx.seed)
        if len(idx) < MIN_EXAMPLES:
            raise Skip(f"only {len(idx)} training examples")
        (x,) = fit_transform(flat(r.train_x[idx]), seed=ctx.seed)
        y = labels_array(ctx.task.labels(r.train_y[idx]) if ctx.task.classification else r.train_y[idx])
        if ctx.task.kind in ("multiclass", "binary") and y.ndim == 1:
            result = classification_signal(x, y.astype(np.int64), ctx.seed)
        elif ctx.task.kind == "regression" and y.ndim == 1:
            result = regression_signal(x, y.astype(np.float64), ctx.seed)
        else:
            raise Skip(f"{ctx.task.kind} targets of shape {tuple(r.train_y.shape[1:])}")
        if result is None:
            raise Skip("a single class in the training labels")
        ctx.event("label_signal", **result)
        scores = ", ".join(f"{k} {v:.3f}" for k, v in result["scores"].items())
        return f"cross-validated {result['metric']}: {scores} (chance {result['chance']:.3f}, z {result['z']:.1f})"


def classification_signal(x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, Any] | None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

    values, counts = np.unique(y, return_counts=True)
    if len(values) < 2:
        return None
    balanced = imbalanced(counts.tolist())
    weights = "balanced" if balanced else None
    folds = (
        StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        if can_stratify(y, FOLDS)
        else KFold(FOLDS, shuffle=True, random_state=seed)
    )
    models = {
        "logistic": LogisticRegression(C=1.0, max_iter=200, tol=1e-3, class_weight=weights),
        "forest": RandomForestClassifier(
            n_estimators=40, min_samples_leaf=2, random_state=seed, n_jobs=1, class_weight=weights
        ),
    }
    predictions = {name: cross_val_predict(m, x, y, cv=folds) for name, m in models.items()}
    if balanced:
        scores = {name: 1.0 - balanced_error(p, y) for name, p in predictions.items()}
        best_name = max(scores, key=scores.get)
        chance = 1.0 / len(values)
        se = chance_standard_error(predictions[best_name], y)
    else:
        scores = {name: float((p == y).mean()) for name, p in predictions.items()}
        chance = float(counts.max()) / len(y)
        se = math.sqrt(chance * (1 - chance) / len(y))
    best = max(scores.values())
    return {
        "metric": "balanced accuracy" if balanced else "accuracy",
        "chance": chance,
        "scores": scores,
        "best": best,
        "z": (best - chance) / max(se, 1e-12),
        "n": len(y),
        "classes": len(values),
    }


def regression_signal(x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, Any] | None:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold, cross_val_predict

    if float(np.std(y)) == 0.0:
        return None
    folds = KFold(FOLDS, shuffle=True, random_state=seed)
    models = {
        "ridge": Ridge(alpha=1.0),
        "forest": RandomForestRegressor(n_estimators=40, min_samples_leaf=3, random_state=seed, n_jobs=1),
    }
    scores, best_r = {}, -1.0
    for name, m in models.items():
        pred = cross_val_predict(m, x, y, cv=folds)
        scores[name] = float(1 - np.mean((pred - y) ** 2) / np.var(y))
        if np.std(pred) > 0:
            best_r = max(best_r, float(np.corrcoef(pred, y)[0, 1]))
    n = len(y)
    t = best_r * math.sqrt((n - 2) / max(1 - best_r**2, 1e-12)) if best_r > 0 else 0.0
    return {
        "metric": "r2",
        "chance": 0.0,
        "scores": scores,
        "best": max(scores.values()),
        "correlation": best_r,
        "z": t,
        "n": n,
    }
