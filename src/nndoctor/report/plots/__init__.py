"""The report's charts, drawn with matplotlib from a trace view.

``make_plots(view, findings)`` returns every chart the trace has data for, in reading order:
training (loss, gradients, updates), layers (dead/saturated units, weight histograms), then
``examine``'s experiments. A chart that fails to draw is skipped with a note, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.style

from nndoctor.findings import Finding
from nndoctor.report.plots import examine, layers, training
from nndoctor.report.plots._draw import Plot
from nndoctor.trace import TraceView

ALL = (*training.PLOTS, *layers.PLOTS, *examine.PLOTS)


def make_plots(view: TraceView, findings: Sequence[Finding] = ()) -> tuple[list[Plot], list[str]]:
    """(the charts, a note for each chart that failed to draw).

    Drawn under matplotlib's default style, whatever the user's script or matplotlibrc set
    (``run`` renders in the script's process); their settings are back in place afterwards.
    """
    plots, failed = [], []
    with matplotlib.style.context("default"):
        for fn in ALL:
            try:
                plot = fn(view, findings)
            except Exception as exc:  # one broken chart must not cost the user the whole report
                failed.append(f"{fn.__name__}: {type(exc).__name__}: {exc}")
                continue
            if plot is not None:
                plots.append(plot)
    return plots, failed


__all__ = ["ALL", "Plot", "make_plots"]
