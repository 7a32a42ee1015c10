"""Charts of how training went: loss, gradient norms, update/weight ratios.

Each function takes a :class:`~nndoctor.trace.TraceView` (and the findings, to mark where they
fired) and returns a :class:`Plot`, or ``None`` when the trace has nothing to draw.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nndoctor.findings import Finding
from nndoctor.report.plots._draw import (
    Plot,
    finite,
    legend,
    mark_findings,
    new_figure,
    pick_keys,
    plot_lines,
    safe_label,
    shown_of,
    to_png,
)
from nndoctor.trace import TraceView

#: The rule of thumb: a healthy update moves each weight tensor by about 1e-3 of its norm.
UPDATE_RATIO_TARGET = 1e-3


def _where(findings: Sequence[Finding]) -> list[str]:
    return [f.where for f in findings if f.where]


def _smooth(values: np.ndarray, n: int = 20) -> np.ndarray:
    """A trailing mean over ``n`` points (the trend under a noisy minibatch loss)."""
    if len(values) < 3 * n:
        return values
    c = np.cumsum(np.insert(values, 0, 0.0))
    out = np.empty_like(values)
    out[n - 1 :] = (c[n:] - c[:-n]) / n
    out[: n - 1] = c[1:n] / np.arange(1, n)
    return out


def loss_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Training loss per step (and its trend), validation loss, and where findings fired."""
    loss = view.loss
    val = view.series("val_loss").per_step_mean()
    if loss.empty and val.empty:
        return None
    fig = new_figure(8.5, 3.8)
    ax = fig.add_subplot()
    steps, values = finite(loss.steps, loss.values)
    log = len(values) > 1 and values.min() > 0 and values.max() / values.min() > 50
    if len(steps):
        ax.plot(steps, values, color="#90a4ae" if len(steps) >= 60 else "#1f77b4", linewidth=0.9, label="training loss")
        if len(steps) >= 60:
            ax.plot(steps, _smooth(values), color="#1f77b4", linewidth=1.8, label="training loss (trend)")
    bad = loss.steps[~np.isfinite(loss.values)]
    if len(bad):
        ax.plot(
            bad,
            np.full(len(bad), 0.02),
            "x",
            color="#c62828",
            transform=ax.get_xaxis_transform(),
            label=f"non-finite loss ({len(bad)} steps)",
            clip_on=False,
        )
    vs, vv = finite(val.steps, val.values)
    if len(vs):
        ax.plot(vs, vv, "o-", color="#2e7d32", markersize=4, linewidth=1.5, label="validation loss")
    if log:
        ax.set_yscale("log")
    marked = mark_findings(ax, findings, view.last_step)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    caption = "Training loss at every step"
    if len(steps) >= 60:
        caption += " (grey) with its 20-step trend"
    if len(vs):
        caption += "; validation loss at each evaluation"
    caption += "."
    if marked:
        caption += " Dashed lines mark the steps where findings fired."
    if len(bad):
        caption += f" Red crosses: {len(bad)} steps with a NaN/Inf loss."
    return Plot("loss", "Loss", caption, to_png(fig))


def grad_norm_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """The global gradient norm (all parameters of an optimizer together), log scale."""
    keys = view.keys("grad_norm")
    if not keys:
        return None
    fig = new_figure()
    ax = fig.add_subplot()
    n = plot_lines(
        ax, lambda k: (view.series("grad_norm", k).steps, view.series("grad_norm", k).values), keys, log=True
    )
    if not n:
        return None
    mark_findings(ax, findings, view.last_step)
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("gradient L2 norm")
    ax.grid(alpha=0.3, which="both")
    legend(ax, n)
    caption = (
        "Global gradient norm before each optimizer step (log scale). Spikes far above the running level "
        "mean exploding gradients; a norm that decays towards zero means learning has stalled."
    )
    return Plot("grad_norm", "Gradient norm (global)", caption, to_png(fig))


def layer_grad_norm_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Per-parameter gradient norms on sampled steps, log scale (vanishing gradients show here)."""
    keys = view.keys("param_grad_norm")
    if not keys:
        return None
    chosen = pick_keys(keys, _where(findings))
    fig = new_figure(9.5, 4.0)
    ax = fig.add_subplot()
    n = plot_lines(
        ax,
        lambda k: (view.series("param_grad_norm", k).steps, view.series("param_grad_norm", k).values),
        chosen,
        log=True,
    )
    if not n:
        return None
    ax.set_xlabel("optimizer step (sampled)")
    ax.set_ylabel("gradient L2 norm")
    ax.grid(alpha=0.3, which="both")
    legend(ax, n)
    caption = (
        "Gradient norm of each layer's parameters (log scale). Early layers orders of magnitude below "
        "later ones mean vanishing gradients." + shown_of(chosen, keys)
    )
    return Plot("param_grad_norm", "Gradient norm per layer", caption, to_png(fig))


def update_ratio_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """||update|| / ||weight|| per layer against the ~1e-3 rule of thumb."""
    keys = view.keys("update_ratio")
    if not keys:
        return None
    chosen = pick_keys(keys, _where(findings))
    fig = new_figure(9.5, 4.0)
    ax = fig.add_subplot()
    ax.axhspan(
        UPDATE_RATIO_TARGET / 10, UPDATE_RATIO_TARGET * 10, color="#c8e6c9", alpha=0.5, zorder=0, label="1e-4 .. 1e-2"
    )
    ax.axhline(UPDATE_RATIO_TARGET, color="#2e7d32", linewidth=1.2, linestyle=":", label="~1e-3 (rule of thumb)")
    n = plot_lines(
        ax, lambda k: (view.series("update_ratio", k).steps, view.series("update_ratio", k).values), chosen, log=True
    )
    if not n:
        return None
    ax.set_yscale("log")
    ax.set_xlabel("optimizer step (sampled)")
    ax.set_ylabel("||update|| / ||weight||")
    ax.grid(alpha=0.3, which="both")
    legend(ax, n + 2)
    caption = (
        "How far each optimizer step moves each parameter tensor, relative to its size (log scale). "
        "About 1e-3 (green band) is healthy; far above means the learning rate is too high, far below "
        "that it is too low." + shown_of(chosen, keys)
    )
    return Plot("update_ratio", "Update / weight ratio per layer", caption, to_png(fig))


def lr_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """The learning rate of each parameter group, when it changes (a schedule)."""
    keys = view.keys("lr")
    series = {k: view.series("lr", k) for k in keys}
    if not any(len(s) > 1 and np.ptp(s.values) > 0 for s in series.values()):
        return None
    fig = new_figure(8.0, 3.0)
    ax = fig.add_subplot()
    for k, s in series.items():
        ax.plot(s.steps, s.values, linewidth=1.4, label=safe_label(k))
    ax.set_xlabel("optimizer step (sampled)")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    legend(ax, len(series))
    return Plot(
        "lr",
        "Learning rate schedule",
        "The learning rate of each parameter group, as the optimizer saw it.",
        to_png(fig),
    )


PLOTS = (loss_plot, grad_norm_plot, layer_grad_norm_plot, update_ratio_plot, lr_plot)
