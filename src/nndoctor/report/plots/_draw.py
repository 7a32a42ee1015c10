"""Drawing helpers shared by the plot modules: a figure, its PNG, safe labels, layer choice.

Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas directly, never through
``pyplot``: ``nndoctor run`` renders in the user's own process after their script, and pyplot's
global state (current figure, chosen backend) belongs to the script.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nndoctor.findings import Finding, Severity

#: Line colours by severity, as in the terminal report.
SEVERITY_COLOR = {Severity.ERROR: "#c62828", Severity.WARNING: "#ef8f00", Severity.INFO: "#1e88e5"}
#: At most this many layers in one per-layer chart (the rest are listed in the caption).
MAX_LINES = 10
DPI = 100


@dataclass(frozen=True)
class Plot:
    """One rendered chart: what the HTML report embeds."""

    key: str
    title: str
    caption: str
    png: bytes
    section: str = "training"


def new_figure(width: float = 8.0, height: float = 3.6) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def safe_label(text: object, limit: int = 48) -> str:
    """A label matplotlib draws literally: ``$`` would start mathtext, long names are cut."""
    s = str(text)
    if len(s) > limit:
        s = "..." + s[-(limit - 3) :]
    return s.replace("\\", "\\\\").replace("$", r"\$")


def finite(steps: np.ndarray, values: np.ndarray, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The points that can be drawn (finite; strictly positive for a log axis)."""
    mask = np.isfinite(values)
    if positive:
        mask &= values > 0
    return steps[mask], values[mask]


def pick_keys(keys: Sequence[str], wanted: Sequence[str] = (), limit: int = MAX_LINES) -> list[str]:
    """Up to ``limit`` keys: the ones findings point at first, then evenly through the network.

    Weights are preferred over biases and norm parameters when there are too many to show.
    """
    keys = list(keys)
    if len(keys) <= limit:
        return keys
    pool = [k for k in keys if k.endswith("weight")] or keys
    chosen = [k for k in keys if any(_names_same_layer(k, w) for w in wanted)][: limit // 2]
    rest = [k for k in pool if k not in chosen]
    n = limit - len(chosen)
    if n > 0 and rest:
        idx = sorted({round(i * (len(rest) - 1) / max(n - 1, 1)) for i in range(n)})
        chosen += [rest[i] for i in idx]
    return [k for k in keys if k in chosen]


def _names_same_layer(key: str, where: str) -> bool:
    return key == where or key.startswith(where + ".") or where.startswith(key + ".")


def shown_of(chosen: Sequence[str], total: Sequence[str]) -> str:
    """Caption suffix saying how many of the layers a chart shows."""
    if len(chosen) >= len(total):
        return ""
    return f" Showing {len(chosen)} of {len(total)} (evenly spaced through the network, plus any a finding names)."


def mark_findings(ax, findings: Sequence[Finding], last_step: int | None = None) -> int:
    """Dashed vertical lines at the steps where findings fired, labelled with their ids."""
    placed: dict[int, list[Finding]] = {}
    for f in findings:
        try:
            step = int(f.step)  # type: ignore[arg-type]
        except (TypeError, ValueError):  # no step, or a record edited by hand
            continue
        if last_step is None or step <= last_step:
            placed.setdefault(step, []).append(f)
    transform = ax.get_xaxis_transform()
    for i, (step, fs) in enumerate(sorted(placed.items())):
        worst = min(fs, key=lambda f: f.severity.rank)
        color = SEVERITY_COLOR[worst.severity]
        ax.axvline(step, color=color, linestyle="--", linewidth=1.2, alpha=0.85)
        label = ", ".join(dict.fromkeys(f.id for f in fs))
        y = 0.97 - 0.09 * (i % 4)
        ax.text(
            step,
            y,
            " " + safe_label(label, 40),
            transform=transform,
            color=color,
            fontsize=8,
            va="top",
            ha="left",
            clip_on=True,
        )
    return len(placed)


def plot_lines(ax, series: Callable[[str], tuple[np.ndarray, np.ndarray]], keys: Sequence[str], log: bool) -> int:
    """One line per key; returns how many had anything to draw."""
    drawn = 0
    for key in keys:
        steps, values = finite(*series(key), positive=log)
        if len(steps) == 0:
            continue
        ax.plot(
            steps, values, marker="." if len(steps) < 40 else None, markersize=4, linewidth=1.3, label=safe_label(key)
        )
        drawn += 1
    if log and drawn:
        ax.set_yscale("log")
    return drawn


def legend(ax, n: int) -> None:
    if n:
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
