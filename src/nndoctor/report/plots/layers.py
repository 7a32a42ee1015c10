"""Charts of what happens inside the layers: dead/saturated units, weight histograms."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nndoctor.findings import Finding
from nndoctor.report.plots._draw import Plot, legend, new_figure, pick_keys, plot_lines, safe_label, shown_of, to_png
from nndoctor.trace import Event, TraceView

#: At most this many layers in the histogram grid.
MAX_HISTOGRAMS = 12


def _where(findings: Sequence[Finding]) -> list[str]:
    return [f.where for f in findings if f.where]


def _fraction_plot(view: TraceView, findings: Sequence[Finding], name: str, title: str, caption: str) -> Plot | None:
    keys = view.keys(name)
    if not keys:
        return None
    chosen = pick_keys(keys, _where(findings))
    fig = new_figure(9.0, 3.6)
    ax = fig.add_subplot()
    n = plot_lines(ax, lambda k: (view.series(name, k).steps, 100 * view.series(name, k).values), chosen, log=False)
    if not n:
        return None
    ax.set_ylim(-3, 103)
    ax.set_xlabel("optimizer step (sampled)")
    ax.set_ylabel("% of units")
    ax.grid(alpha=0.3)
    legend(ax, n)
    return Plot(name, title, caption + shown_of(chosen, keys), to_png(fig), section="layers")


def dead_fraction_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    return _fraction_plot(
        view,
        findings,
        "dead_fraction",
        "Dead ReLU units per layer",
        "Share of each ReLU layer's units that output zero for a whole training batch. A large share that "
        "never recovers means dead units: lower the learning rate, or use LeakyReLU/GELU.",
    )


def saturated_fraction_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    return _fraction_plot(
        view,
        findings,
        "saturated_fraction",
        "Saturated sigmoid/tanh units per layer",
        "Share of each sigmoid/tanh layer's outputs in the flat tails (within 1% of the bounds), where the "
        "gradient is nearly zero. Normalise the inputs, fix the initialisation, or use a ReLU-family activation.",
    )


def histogram_pair(view: TraceView) -> tuple[Event, Event | None] | None:
    """The first recorded histograms and the latest later ones (the end, or the last checkpoint)."""
    events = view.events("weight_histogram")
    start = next((e for e in events if e.data.get("phase") == "start"), None)
    if start is None:
        return None
    later = [e for e in events if e is not start and e.data.get("phase") in ("checkpoint", "end")]
    return start, (later[-1] if later else None)


def _density(layer: dict) -> tuple[np.ndarray, np.ndarray] | None:
    counts = np.asarray(layer.get("counts") or [], dtype=float)
    edges = np.asarray(layer.get("edges") or [], dtype=float)
    if len(counts) == 0 or len(edges) != len(counts) + 1 or counts.sum() <= 0:
        return None
    widths = np.diff(edges)
    widths[widths <= 0] = 1.0
    return edges, counts / (counts.sum() * widths)


def _nonfinite_share(layer: dict | None) -> float:
    """Share of a histogrammed tensor's elements that were NaN/Inf (0 when unknown)."""
    if not layer:
        return 0.0
    bad, good = layer.get("nonfinite") or 0, layer.get("n") or 0
    return bad / (bad + good) if bad else 0.0


def weight_histogram_plot(view: TraceView, findings: Sequence[Finding]) -> Plot | None:
    """Small multiples: each layer's weight distribution at the start and at the end."""
    pair = histogram_pair(view)
    if pair is None:
        return None
    start, end = pair
    start_layers = start.data.get("layers") or {}
    end_layers = (end.data.get("layers") or {}) if end is not None else {}
    names = pick_keys(list(start_layers), _where(findings), MAX_HISTOGRAMS)
    if not names:
        return None
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig = new_figure(3.3 * cols, 2.3 * rows + 0.4)
    axes = fig.subplots(rows, cols, squeeze=False)
    drawn = 0
    broken: list[str] = []
    for ax, name in zip(axes.flat, names, strict=False):
        for layer, label, style in (
            (start_layers.get(name), f"start (step {start.step})", {"color": "#1f77b4", "alpha": 0.35, "fill": True}),
            (end_layers.get(name), f"end (step {end.step})" if end else "", {"color": "#d62728", "fill": False}),
        ):
            d = _density(layer) if layer else None
            if d is None:
                continue
            edges, dens = d
            ax.stairs(dens, edges, label=label, linewidth=1.4, **style)
            drawn += 1
        bad = _nonfinite_share(end_layers.get(name))
        if bad:
            ax.text(
                0.5,
                0.5,
                f"{bad:.0%} of the weights\nare NaN/Inf at step {end.step}",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=8,
                color="#c62828",
                fontweight="bold",
            )
            broken.append(name)
        ax.set_title(safe_label(name, 40), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    if not drawn:
        return None
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside upper center", ncols=2, fontsize=8, frameon=False)
    if end is None:
        when = "at the start only (the run ended before another histogram was recorded)"
    elif end.data.get("phase") == "end":
        when = f"at the start (blue) and at the end, step {end.step} (red)"
    else:
        when = f"at the start (blue) and at the last checkpoint, step {end.step} (red; the run did not finish)"
    caption = (
        f"Distribution of each layer's weights {when}. A layer whose distribution never changes is not "
        "learning; one that spreads by orders of magnitude is diverging." + shown_of(names, list(start_layers))
    )
    if broken and end is not None:
        caption += f" At step {end.step}, {len(broken)} of the {len(names)} layers shown have NaN/Inf weights."
    return Plot("weight_histogram", "Weight histograms per layer", caption, to_png(fig), section="layers")


PLOTS = (dead_fraction_plot, saturated_fraction_plot, weight_histogram_plot)
