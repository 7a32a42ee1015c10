"""Charts of ``examine``'s experiments, drawn from the events they record.

The data interface (event names and fields) is documented in DEVELOPING.md, section
"Report data for examine". Every reader here tolerates missing or malformed fields: a chart
that cannot be drawn is left out, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nndoctor.findings import Finding
from nndoctor.report.plots._draw import Plot, new_figure, safe_label, to_png
from nndoctor.trace import TraceView

#: Class names on the confusion matrix's axes are drawn up to this many classes; counts up to 20.
MAX_TICK_CLASSES = 40
#: Sample predictions drawn as images, at most.
MAX_SAMPLE_IMAGES = 16


def latest(view: TraceView, name: str) -> dict[str, Any] | None:
    """The data of the last event ``name`` (an experiment re-run replaces the earlier one)."""
    events = view.events(name)
    return dict(events[-1].data) if events else None


def _floats(values: Any) -> np.ndarray:
    try:
        return np.asarray([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        return np.zeros(0)


def lr_range_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Loss against learning rate from the range test (log x); the suggested rate if given."""
    d = latest(view, "lr_range_curve")
    if not d:
        return None
    lrs, losses = _floats(d.get("lrs", ())), _floats(d.get("losses", ()))
    n = min(len(lrs), len(losses))
    mask = np.isfinite(lrs[:n]) & np.isfinite(losses[:n]) & (lrs[:n] > 0)
    if mask.sum() < 2:
        return None
    fig = new_figure(7.5, 3.6)
    ax = fig.add_subplot()
    ax.plot(lrs[:n][mask], losses[:n][mask], color="#1f77b4", linewidth=1.6, label="loss")
    ax.set_xscale("log")
    for field, color, style, label in (
        ("suggested_lr", "#2e7d32", "--", "suggested lr"),
        ("user_lr", "#c62828", ":", "your lr"),
    ):
        lr = d.get(field)
        if isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0:
            ax.axvline(lr, color=color, linestyle=style, linewidth=1.6, label=f"{label} {lr:.3g}")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    caption = (
        "Learning-rate range test: the loss of short training runs as the learning rate grows. A good rate "
        "sits where the loss falls fastest, well before it turns up."
    )
    return Plot("lr_range_curve", "Learning-rate range test", caption, to_png(fig), section="examine")


def overfit_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Loss while memorising a tiny subset: a healthy model drives it near zero."""
    d = latest(view, "overfit_curve")
    if not d:
        return None
    steps, losses = _floats(d.get("steps", ())), _floats(d.get("losses", ()))
    n = min(len(steps), len(losses))
    mask = np.isfinite(steps[:n]) & np.isfinite(losses[:n])
    if mask.sum() < 2:
        return None
    s, v = steps[:n][mask], losses[:n][mask]
    fig = new_figure(7.5, 3.4)
    ax = fig.add_subplot()
    ax.plot(s, v, color="#6a1b9a", linewidth=1.6, label="loss on the tiny subset")
    if v.min() > 0 and v.max() / v.min() > 50:
        ax.set_yscale("log")
    target = d.get("target")
    if isinstance(target, (int, float)) and math.isfinite(target) and target > 0:
        ax.axhline(target, color="#2e7d32", linestyle=":", label=f"target {target:.3g}")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    caption = (
        "Overfitting a tiny subset: a model and loop without bugs memorise a handful of examples, driving "
        "the loss close to zero. A curve that stays high points at a bug in the model, loss or data."
    )
    return Plot("overfit_curve", "Overfit a tiny subset", caption, to_png(fig), section="examine")


def confusion_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Rows are true classes, columns predictions; colour is the share of each true class."""
    d = latest(view, "confusion_matrix")
    if not d:
        return None
    try:
        m = np.asarray(d.get("matrix"), dtype=float)
    except (TypeError, ValueError):
        return None
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.size == 0:
        return None
    k = m.shape[0]
    labels = [safe_label(x, 14) for x in (d.get("labels") or range(k))][:k]
    if len(labels) < k:
        labels += [str(i) for i in range(len(labels), k)]
    rows = m.sum(axis=1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    side = min(9.0, 2.5 + 0.45 * k)
    fig = new_figure(side + 1.2, side)
    ax = fig.add_subplot()
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(im, ax=ax, shrink=0.8, label="share of the true class")
    if k <= MAX_TICK_CLASSES:
        ax.set_xticks(range(k), labels, rotation=90 if k > 8 else 0, fontsize=8)
        ax.set_yticks(range(k), labels, fontsize=8)
    if k <= 20:
        for i in range(k):
            for j in range(k):
                if m[i, j]:
                    ax.text(
                        j,
                        i,
                        f"{int(m[i, j])}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if share[i, j] > 0.5 else "black",
                    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    total = m.sum()
    acc = float(np.trace(m) / total) if total else float("nan")
    caption = (
        f"Confusion matrix on the validation data (accuracy {acc:.1%}). Rows are true classes, columns "
        "predictions; off-diagonal cells show which classes are mistaken for which."
    )
    return Plot("confusion_matrix", "Confusion matrix", caption, to_png(fig), section="examine")


def _image(value: Any) -> np.ndarray | None:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = np.moveaxis(a, 0, -1)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or a.size == 0 or not np.isfinite(a).all():
        return None
    if a.ndim == 3:
        if a.shape[-1] != 3:
            return None
        lo, hi = a.min(), a.max()
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    return a


def sample_items(view: TraceView) -> list[dict[str, Any]]:
    d = latest(view, "sample_predictions")
    items = d.get("items") if d else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def samples_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Sample inputs (when the items carry an ``image``), titled true -> predicted."""
    items = [(i, img) for i in sample_items(view) if (img := _image(i.get("image"))) is not None]
    items = items[:MAX_SAMPLE_IMAGES]
    if not items:
        return None
    cols = min(8, len(items))
    rows = math.ceil(len(items) / cols)
    fig = new_figure(1.45 * cols, 1.7 * rows)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, (item, img) in zip(axes.flat, items, strict=False):
        ax.imshow(img, cmap="gray_r" if img.ndim == 2 else None, interpolation="nearest")
        ok = bool(item.get("correct"))
        ax.set_title(
            f"{safe_label(item.get('label'), 10)} -> {safe_label(item.get('predicted'), 10)}",
            fontsize=8,
            color="#2e7d32" if ok else "#c62828",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#2e7d32" if ok else "#c62828")
            spine.set_linewidth(2)
    for ax in list(axes.flat)[len(items) :]:
        ax.set_visible(False)
    caption = "Sample predictions, titled true -> predicted: green is right, red is wrong."
    return Plot("sample_predictions", "Sample predictions", caption, to_png(fig), section="examine")


def bias_variance_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Baseline, training and validation error side by side, with the two gaps named."""
    d = latest(view, "bias_variance")
    if not d:
        return None
    names = ("baseline_error", "train_error", "val_error")
    vals = []
    for n in names:
        v = d.get(n)
        vals.append(float(v) if isinstance(v, (int, float)) and math.isfinite(v) else float("nan"))
    if all(math.isnan(v) for v in vals):
        return None
    fig = new_figure(6.5, 3.6)
    ax = fig.add_subplot()
    labels = [safe_label(d.get("baseline_label") or "baseline"), "training", "validation"]
    colors = ["#9e9e9e", "#1f77b4", "#ef8f00"]
    shown = [v if not math.isnan(v) else 0.0 for v in vals]
    bars = ax.bar(labels, shown, color=colors, width=0.6)
    for bar, v in zip(bars, vals, strict=True):
        ax.annotate(
            "n/a" if math.isnan(v) else f"{v:.3g}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 2),
            textcoords="offset points",
        )
    base, train, val = vals
    notes = []
    if not (math.isnan(base) or math.isnan(train)):
        notes.append(f"bias gap (training - baseline): {train - base:+.3g}")
    if not (math.isnan(train) or math.isnan(val)):
        notes.append(f"variance gap (validation - training): {val - train:+.3g}")
    if notes:
        ax.set_title("; ".join(notes), fontsize=9)
    ax.set_ylabel(safe_label(d.get("metric") or "error"))
    ax.set_ylim(0, max(shown) * 1.2 or 1.0)
    ax.grid(alpha=0.3, axis="y")
    caption = (
        "Bias and variance: a training error far above the baseline is high bias (a bigger model, longer "
        "training); a validation error far above the training error is high variance (more data, "
        "regularisation)."
    )
    verdict = d.get("verdict")
    if verdict:
        caption += f" Verdict: {verdict}."
    return Plot("bias_variance", "Bias and variance", caption, to_png(fig), section="examine")


PLOTS = (lr_range_plot, overfit_plot, confusion_plot, samples_plot, bias_variance_plot)
