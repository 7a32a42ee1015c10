"""scrambled-axes (live): a layer's input is a view that reorders each sample's axes."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.model._reordered import reordered_findings


@register
class ScrambledAxes(Rule):
    """A layer reads a view whose axes (after the batch) were reordered with ``view``/``reshape``.

    What it detects:
        As batch-dependence's reordered views (``reordered_views``), but with the same first
        axis, so each sample keeps its own numbers and only their arrangement is wrong:
        ``x.view(B, C, H, W)`` of channels-last ``(B, H, W, C)`` images, ``x.view(B, C, L)`` of
        ``(B, L, C)`` signals, where ``permute``/``transpose`` was meant.
    Why it matters:
        The layer reads every sample through the wrong axes: a convolution's "channels" are
        strips of pixels or time steps, its neighbouring "positions" are unrelated values. The
        model still trains on a fixed shuffle of its inputs, so the loss falls, but it cannot
        use the structure the layer was chosen for (locality, channels, time), and learns
        slower and worse. Nothing raises.
    Fix:
        Reorder axes with ``permute``/``transpose`` (``x.permute(0, 3, 1, 2)`` for channels-last
        images), and keep ``view`` and ``reshape`` for merging or splitting adjacent axes.
    """

    id = "scrambled-axes"
    severity = Severity.WARNING
    title = "A view() reorders a sample's axes"
    requires = frozenset({"reordered_views"})

    def check(self, view):
        yield from reordered_findings(self, view, False, lambda d: ENDING)


ENDING = (
    "Each sample keeps its own numbers, but they land on the wrong axes, so the layer's channels, positions or "
    "time steps hold unrelated values and the structure it was built for is lost."
)
