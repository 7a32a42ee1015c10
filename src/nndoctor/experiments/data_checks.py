"""The data itself: input scale and dtype, NaN/Inf, class balance, target scale.

Records, per split, ``data_stats`` {split, n, dtype, integer, nonfinite, nonfinite_rows,
first_nonfinite, rms, mean, std, absmax, features, feature_rms_max, feature_rms_median}; for
classification ``class_balance`` {counts, majority_share, ratio, classes, missing_in_train};
for regression ``target_stats`` {mean, std, min, max, rms}. The probe already recorded the
scale of what the first layer receives (``first_layer_input``), which is what matters when the
model normalises inside its ``forward``.
"""

from __future__ import annotations

from typing import Any

import torch

from nndoctor.experiments.base import Context, Experiment
from nndoctor.experiments.model_probe import input_scale

#: Examples used for the scale statistics (enough for stable means and standard deviations).
SCALE_EXAMPLES = 4096


class DataChecks(Experiment):
    name = "data"
    title = "input and target statistics"
    needs_loss = False

    def run(self, ctx: Context) -> str:
        r = ctx.recipe
        parts = []
        for split, x, y in (("train", r.train_x, r.train_y), ("val", r.val_x, r.val_y)):
            if x is None or y is None:
                continue
            stats = data_stats(x, y)
            ctx.event("data_stats", split=split, **stats)
            if split == "train":
                parts.append(f"train {tuple(x.shape)} {stats['dtype']}, rms {stats.get('rms', float('nan')):.3g}")
            if stats["nonfinite"] or stats["target_nonfinite"]:
                parts.append(
                    f"{split}: {stats['nonfinite']} non-finite input values, {stats['target_nonfinite']} targets"
                )
        if ctx.task.classification:
            balance = class_balance(ctx, r.train_y, r.val_y)
            if balance:
                ctx.event("class_balance", **balance)
                parts.append(f"{balance['classes']} classes, majority share {balance['majority_share']:.2f}")
        elif ctx.task.kind == "regression":
            y = r.train_y.double()
            y = y[torch.isfinite(y)]
            if y.numel() > 1:
                ctx.event(
                    "target_stats",
                    mean=float(y.mean()),
                    std=float(y.std()),
                    min=float(y.min()),
                    max=float(y.max()),
                    rms=float(y.pow(2).mean().sqrt()),
                )
                parts.append(f"targets mean {float(y.mean()):.3g} std {float(y.std()):.3g}")
        return "; ".join(parts)


def data_stats(x: torch.Tensor, y: torch.Tensor) -> dict[str, Any]:
    """Scale, dtype and non-finite values of one split."""
    stats: dict[str, Any] = {
        "n": len(x),
        "dtype": str(x.dtype).replace("torch.", ""),
        "integer": not (x.is_floating_point() or x.is_complex()),
        "nonfinite": 0,
        "nonfinite_rows": 0,
        "target_nonfinite": 0,
    }
    if x.is_floating_point():
        bad = ~torch.isfinite(x.reshape(len(x), -1))
        stats["nonfinite"] = int(bad.sum())
        rows = bad.any(dim=1)
        stats["nonfinite_rows"] = int(rows.sum())
        if stats["nonfinite"]:
            stats["first_nonfinite"] = rows.nonzero()[:5, 0].tolist()
            stats["nan"] = int(torch.isnan(x).sum())
    if y.is_floating_point():
        stats["target_nonfinite"] = int((~torch.isfinite(y)).sum())
    sample = x[:SCALE_EXAMPLES]
    if sample.numel() and sample.dim() >= 2:
        channels_first = sample.dim() >= 4  # images (N, C, H, W): one feature per channel
        stats.update(input_scale(sample, channels_first=channels_first))
    elif sample.numel():
        stats.update(input_scale(sample.reshape(-1, 1)))
    return stats


def class_balance(ctx: Context, y_train: torch.Tensor, y_val: torch.Tensor | None) -> dict[str, Any] | None:
    """Counts per class in the training targets, and val classes never seen in training."""
    labels = ctx.task.labels(y_train)
    if labels.is_floating_point():
        if not bool((labels == labels.round()).all()):
            return None
        labels = labels.long()
    labels = labels.reshape(len(labels), -1)
    if labels.shape[1] > 1 and ctx.task.kind == "multilabel":
        if y_train.dim() > 2:  # a 0/1 mask per example (binary segmentation): positive positions overall
            positives = int(labels.sum())
            counts_d = {0: int(labels.numel()) - positives, 1: positives}
            share = max(counts_d.values()) / max(labels.numel(), 1)
            return {
                "classes": 2,
                "dense": True,
                "counts": counts_d,
                "majority_class": max(counts_d, key=counts_d.get),
                "majority_share": share,
                "ratio": max(counts_d.values()) / max(min(counts_d.values()), 1),
                "n": int(labels.numel()),
            }
        pos = labels.float().mean(dim=0)  # tags: the balance of each label's positives, the worst one
        worst = int(torch.maximum(pos, 1 - pos).argmax())
        share = float(max(pos[worst], 1 - pos[worst]))
        return {
            "classes": int(labels.shape[1]),
            "multilabel": True,
            "label": worst,
            "positive_share": float(pos[worst]),
            "majority_share": share,
            "ratio": share / max(1 - share, 1e-12),
            "counts": {},
            "n": len(labels),
        }
    # One class index per example, or per position (segmentation, tagging): count them all, except
    # the positions the loss ignores.
    labels = labels.reshape(-1)
    ignore = getattr(ctx.recipe.loss_fn, "ignore_index", None)
    if isinstance(ignore, int):
        labels = labels[labels != ignore]
    if labels.numel() == 0:
        return None
    values, counts = torch.unique(labels, return_counts=True)
    counts_d = {int(v): int(c) for v, c in zip(values, counts, strict=True)}
    info: dict[str, Any] = {
        "classes": len(counts_d),
        "counts": counts_d,
        "majority_class": int(values[counts.argmax()]),
        "majority_share": float(counts.max()) / len(labels),
        "ratio": float(counts.max()) / float(counts.min()),
        "n": len(labels),
    }
    if ctx.task.kind == "multiclass" and ctx.task.classes > 1:
        info["output_classes"] = ctx.task.classes
    if y_val is not None:
        val_labels = ctx.task.labels(y_val).reshape(-1)
        if isinstance(ignore, int):
            val_labels = val_labels[val_labels != ignore]
        if not val_labels.is_floating_point() or bool((val_labels == val_labels.round()).all()):
            unseen = sorted(set(int(v) for v in torch.unique(val_labels)) - set(counts_d))
            info["missing_in_train"] = unseen
    return info
