"""Baselines, a short training of the model, and the numbers for a bias-variance verdict.

- the trivial baseline: the majority class (classification; per label for multi-label targets)
  or the training mean (regression);
- a linear baseline from scikit-learn: logistic regression or ridge regression on the flattened,
  standardised inputs (PCA beyond 64 dimensions), fitted on the training split; none when the
  targets are the inputs (an autoencoder: the identity is linear, so it would score a perfect 0);
- the recipe's model trained briefly (``train_steps`` mini-batch steps or ``train_seconds``,
  whichever comes first) with its own optimizer, then evaluated in eval mode.

All are scored on the validation split (a 20 % hold-out of train when the recipe has none),
as an error rate (classification; the share of wrong label decisions for multi-label targets) or a
mean squared error (regression). When the training classes are imbalanced (one label per example,
see :mod:`~nndoctor.balance`) the metric is the balanced error instead, with
``n_val_effective`` the number of examples whose error rate is as noisy, and ``accuracy_error``
holding the plain error rates: accuracy would put a model that finds some of the rare class within
noise of the majority class. ``model_val_chance_se`` is the balanced error's standard error for a
model that ignores its input but answers each class as often as the model does, and
``model_val_majority_share`` the share of validation examples the model gives the majority class.

Records ``baselines`` {metric, trivial, linear, model_train, model_val, ...} and the report data
``bias_variance`` {train_error, val_error, baseline_error}, ``confusion_matrix`` {labels, matrix}
and ``sample_predictions`` {items: [{index, label, predicted, correct}]}.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from nndoctor.balance import (
    balanced_error,
    chance_standard_error,
    effective_examples,
    labels_imbalanced,
)
from nndoctor.experiments.base import Context, Diverged, Experiment, Skip
from nndoctor.experiments.features import fit_transform, flat, labels_array, subsample
from nndoctor.experiments.training import error_rate, evaluate, train

SAMPLES_SHOWN = 16
MAX_CONFUSION_CLASSES = 30
#: Multi-label targets with more labels than this (masks) get no linear baseline.
MAX_LINEAR_LABELS = 32


class Baselines(Experiment):
    name = "baselines"
    title = "baselines and a short training of the model"

    def run(self, ctx: Context) -> str:
        task = ctx.task
        xtr, ytr = ctx.fit_split
        xva, yva = ctx.val
        if task.kind not in ("multiclass", "binary", "multilabel", "regression"):
            raise Skip(f"no baseline for a {task.kind} task")
        if task.kind == "binary" and ytr[0].numel() != 1:
            raise Skip("multi-output binary targets")
        metric = "error" if task.classification else "mse"
        val_labels = example_labels(ctx, yva)
        train_labels = example_labels(ctx, ytr)
        balanced = val_labels is not None and train_labels is not None and labels_imbalanced(train_labels)
        if balanced:
            metric = "balanced error"
        data: dict[str, Any] = {
            "metric": metric,
            "n_train": len(xtr),
            "n_val": len(xva),
            "val_source": "val" if ctx.recipe.has_val else "holdout",
        }
        if balanced:
            data["n_val_effective"] = effective_examples(val_labels)
            data["accuracy_error"] = plain = {"trivial": trivial_baseline(ctx, ytr, yva)}
        data["trivial"] = trivial_baseline(ctx, ytr, yva, balanced=balanced)
        if reconstructs_inputs(xtr, ytr):
            data["reconstruction"] = True  # an autoencoder: the linear map x -> x is the identity, no baseline
        elif not ctx.facts.get("first_layer", {}).get("embedding"):
            data["linear"] = linear_baseline(ctx, xtr, ytr, xva, yva, balanced=balanced)
        data.update(self._train_model(ctx, xtr, ytr, xva, yva, balanced=balanced))
        if balanced and data.get("model_val") is not None:
            plain["model_val"] = data.pop("model_val_accuracy_error")
        ctx.event("baselines", **data)
        candidates = {"majority class" if task.classification else "mean prediction": data["trivial"]}
        if data.get("linear") is not None:
            candidates["logistic regression" if task.classification else "ridge regression"] = data["linear"]
        label, reference = min(candidates.items(), key=lambda kv: kv[1])
        if data.get("model_val") is not None:
            ctx.event(
                "bias_variance",
                train_error=data["model_train"],
                val_error=data["model_val"],
                baseline_error=reference,
                baseline_label=label,
                metric=("balanced error rate" if balanced else "error rate")
                if task.classification
                else "mean squared error",
            )
        shown = ", ".join(
            f"{k} {data[k]:.3g}"
            for k in ("trivial", "linear", "model_train", "model_val")
            if isinstance(data.get(k), float)
        )
        return f"val {metric}: {shown} ({data.get('steps', 0)} steps)"

    @staticmethod
    def _train_model(ctx: Context, xtr, ytr, xva, yva, balanced: bool = False) -> dict[str, Any]:
        b = ctx.budget
        opt = ctx.optimizer()
        losses: list[float] = []
        out: dict[str, Any] = {}
        try:
            train(ctx, opt, xtr, ytr, b.train_steps, ctx.recipe.batch_size, seconds=b.train_seconds, out=losses)
        except Diverged as exc:
            out.update(diverged=True, diverged_at=exc.step)
        out["steps"] = len(losses)
        out["planned_steps"] = b.train_steps
        # Stopped by the wall-clock safety net (a very slow model or machine): verdicts are less sure.
        out["time_limited"] = not out.get("diverged") and len(losses) < b.train_steps
        finite = [v for v in losses if math.isfinite(v)]
        if finite:
            k = max(1, len(finite) // 10)
            out["train_loss_start"] = float(np.mean(finite[:k]))
            out["train_loss_end"] = float(np.mean(finite[-k:]))
            out.update(late_trend(finite))
            if len(finite) >= 4 * k:  # the loss change over the last quarter, relative to its level
                q = finite[-len(finite) // 4 :]
                out["late_improvement"] = (float(np.mean(q[: len(q) // 2])) - float(np.mean(q[len(q) // 2 :]))) / (
                    abs(float(np.mean(q))) + 1e-12
                )
        if out.get("diverged"):
            return out
        idx = torch.as_tensor(subsample(len(xtr), 2000, ctx.seed))
        ev_tr = evaluate(ctx, xtr[idx], ytr[idx])
        ev_va = evaluate(ctx, xva, yva)
        if not len(ev_va.predictions):
            return out
        if balanced:
            answers, val_labels = labels_array(ev_va.predictions).reshape(-1), example_labels(ctx, yva)
            majority = np.bincount(example_labels(ctx, ytr).astype(np.int64).clip(min=0)).argmax()
            out["model_train"] = balanced_error(labels_array(ev_tr.predictions), example_labels(ctx, ytr[idx]))
            out["model_val"] = balanced_error(answers, val_labels)
            out["model_val_accuracy_error"] = error_rate(ctx, ev_va.predictions, yva)
            out["model_val_majority_share"] = float((answers == majority).mean())
            # How far from the majority's 1 - 1/k a model that ignores its input, answering each class
            # as often as this one does, lands by chance (the rare class's few examples set it).
            out["model_val_chance_se"] = chance_standard_error(answers, val_labels)
        else:
            out["model_train"] = error_rate(ctx, ev_tr.predictions, ytr[idx])
            out["model_val"] = error_rate(ctx, ev_va.predictions, yva)
        out["val_loss"] = ev_va.loss
        if ctx.task.kind in ("multiclass", "binary"):
            _report_classification(ctx, ev_va, xva, yva)
        return out


def late_trend(losses: list[float]) -> dict[str, float]:
    """Is the training loss still falling at the end? A least-squares line through the last half:
    ``late_drop`` is its fall over that half relative to the half's mean loss, ``late_drop_t`` the
    t statistic of its slope (mini-batch noise alone keeps it within about +-2)."""
    half = np.asarray(losses[len(losses) // 2 :], dtype=float)
    if len(half) < 10:
        return {}
    t = np.arange(len(half), dtype=float)
    slope, intercept = np.polyfit(t, half, 1)
    resid = half - (slope * t + intercept)
    se = math.sqrt(float(resid @ resid) / (len(half) - 2) / float(((t - t.mean()) ** 2).sum()))
    level = abs(float(half.mean())) + 1e-12
    return {"late_drop": -slope * len(half) / level, "late_drop_t": -slope / se if se > 0 else 0.0}


def example_labels(ctx: Context, y: torch.Tensor) -> np.ndarray | None:
    """One class index per example (a multiclass or binary task), else None (regression, tags,
    one label per position)."""
    if ctx.task.kind not in ("multiclass", "binary"):
        return None
    labels = ctx.task.labels(y).reshape(-1)
    return labels_array(labels) if len(labels) == len(y) else None


def trivial_baseline(ctx: Context, ytr: torch.Tensor, yva: torch.Tensor, balanced: bool = False) -> float:
    """Majority-class error (per label for multi-label targets), or the MSE of predicting the
    training mean; ``balanced``: the majority class's balanced error (1 - 1/k when it occurs in val)."""
    if ctx.task.kind == "multilabel":
        train, val = _label_matrix(ctx, ytr), _label_matrix(ctx, yva)
        majority = (train.float().mean(dim=0) >= 0.5).long()
        return float((val != majority).float().mean())
    if ctx.task.classification:
        labels = ctx.task.labels(ytr).reshape(-1)
        values, counts = torch.unique(labels, return_counts=True)
        majority = values[counts.argmax()]
        if balanced:
            val = example_labels(ctx, yva)
            return balanced_error(np.full(len(val), int(majority)), val)
        return float((ctx.task.labels(yva).reshape(-1) != majority).float().mean())
    mean = ytr.double().mean(dim=0)
    return float(((yva.double() - mean) ** 2).mean())


def reconstructs_inputs(x: torch.Tensor, y: torch.Tensor) -> bool:
    """Targets that are the inputs themselves (an autoencoder), which a linear model copies exactly."""
    return (
        x.is_floating_point()
        and y.is_floating_point()
        and x.reshape(len(x), -1).shape == y.reshape(len(y), -1).shape
        and bool(torch.equal(x.reshape(len(x), -1), y.reshape(len(y), -1).to(x.dtype)))
    )


def linear_baseline(ctx: Context, xtr, ytr, xva, yva, balanced: bool = False) -> float | None:
    """Logistic or ridge regression on flattened, standardised inputs, scored on val (by balanced
    error when ``balanced``: the logistic regression's classes stay unweighted, as the model's loss
    is, so the two are judged alike)."""
    from sklearn.linear_model import LogisticRegression, Ridge

    idx = subsample(len(xtr), ctx.budget.sklearn_examples, ctx.seed)
    a, b = fit_transform(flat(xtr[idx]), flat(xva), seed=ctx.seed)
    if ctx.task.kind == "multilabel":  # one logistic regression per label; the Hamming error over all labels
        train, val = _label_matrix(ctx, ytr[idx]).numpy(), _label_matrix(ctx, yva).numpy()
        if train.shape[1] > MAX_LINEAR_LABELS:  # a mask per example: one model per pixel is no baseline
            return None
        wrong = 0.0
        for k in range(train.shape[1]):
            if len(np.unique(train[:, k])) < 2:
                wrong += float((val[:, k] != train[0, k]).sum())
                continue
            model = LogisticRegression(C=1.0, max_iter=300, tol=1e-4).fit(a, train[:, k])
            wrong += float((model.predict(b) != val[:, k]).sum())
        return wrong / max(val.size, 1)
    if ctx.task.classification:
        y = labels_array(ctx.task.labels(ytr[idx]))
        if y.ndim != 1 or len(np.unique(y)) < 2:
            return None
        model = LogisticRegression(C=1.0, max_iter=300, tol=1e-4).fit(a, y)
        if balanced:
            return balanced_error(model.predict(b), example_labels(ctx, yva))
        return float((model.predict(b) != labels_array(ctx.task.labels(yva))).mean())
    y = labels_array(ytr[idx]).astype(np.float64)
    pred = Ridge(alpha=1.0).fit(a, y).predict(b)
    target = labels_array(yva).astype(np.float64)
    return float(np.mean((pred.reshape(target.shape) - target) ** 2))


def _label_matrix(ctx: Context, y: torch.Tensor) -> torch.Tensor:
    """Multi-label targets as an (N, labels) matrix of 0/1."""
    return ctx.task.labels(y).reshape(len(y), -1).long().cpu()


def _report_classification(ctx: Context, ev, xva: torch.Tensor, yva: torch.Tensor) -> None:
    labels = ctx.task.labels(yva).reshape(-1).long()
    pred = ev.predictions.reshape(-1).long()
    # One label per position (segmentation, tagging): the confusion matrix counts positions, and
    # there is no one prediction per example to show.
    dense = len(labels) != len(yva) or len(pred) != len(labels)
    classes = sorted(set(labels.tolist()) | set(pred.tolist()))
    if len(classes) <= MAX_CONFUSION_CLASSES and len(pred) == len(labels):
        pos = {c: i for i, c in enumerate(classes)}
        matrix = [[0] * len(classes) for _ in classes]
        for t, p in zip(labels.tolist(), pred.tolist(), strict=True):
            matrix[pos[t]][pos[p]] += 1
        ctx.event("confusion_matrix", labels=[str(c) for c in classes], matrix=matrix)
    if dense:
        return
    confidence = _confidence(ctx, ev.outputs)
    wrong = (labels != pred).nonzero()[:, 0].tolist()[: SAMPLES_SHOWN // 2]
    right = (labels == pred).nonzero()[:, 0].tolist()[: SAMPLES_SHOWN - len(wrong)]
    items = []
    for i in wrong + right:
        item = {"index": i, "label": int(labels[i]), "predicted": int(pred[i]), "correct": bool(labels[i] == pred[i])}
        if confidence is not None:
            item["confidence"] = float(confidence[i])
        image = _image(xva[i])
        if image is not None:
            item["image"] = image
        items.append(item)
    ctx.event("sample_predictions", items=items)


def _confidence(ctx: Context, outputs: torch.Tensor) -> torch.Tensor | None:
    """The probability the model gives its predicted class (when its outputs are logits)."""
    if ctx.task.kind == "multiclass" and outputs.dim() == 2 and ctx.task.loss == "cross_entropy":
        return outputs.softmax(dim=1).max(dim=1).values
    if ctx.task.kind == "binary" and ctx.task.loss == "binary_cross_entropy_with_logits":
        p = outputs.reshape(len(outputs), -1)[:, 0].sigmoid()
        return torch.maximum(p, 1 - p)
    return None


def _image(x: torch.Tensor) -> list | None:
    """A small image input (C x H x W with 1 or 3 channels) as nested lists, for the report's thumbnails."""
    if x.dim() == 3 and x.shape[0] in (1, 3) and max(x.shape[1:]) <= 64 and not x.is_complex():
        img = (x[0] if x.shape[0] == 1 else x).float()
        return [[round(float(v), 4) for v in row] for row in img] if img.dim() == 2 else img.tolist()
    return None
