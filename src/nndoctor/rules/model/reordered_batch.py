"""batch-dependence (live): a layer's input is a view that cuts the batch axis into the others."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.model._reordered import reordered_findings


@register
class ReorderedBatch(Rule):
    """A layer reads a view of a batch whose axes were reordered with ``view``/``reshape``, mixing samples.

    What it detects:
        A Linear/Conv/recurrent/attention layer whose input, on a training forward, is
        contiguous, starts at the same element as a contiguous tensor of the same size (the
        model's input, or the activation it is a view of) and holds the same axis lengths in a
        different order, with another length first: ``x.view(T, B, F)`` of a ``(B, T, F)``
        batch where ``x.transpose(0, 1)`` was meant (``reordered_views``).
    Why it matters:
        ``view`` and ``reshape`` keep the memory order: the first row of the result is the first
        ``B`` (or ``F``) numbers of the first sample, the next row the numbers after them, and
        so on. Each "time step" or "sample" the layer sees is made of pieces of several samples,
        so each output depends on other samples in the batch and the samples' own structure is
        lost. Shapes are all valid, nothing raises, and the loss stays near chance.
    Fix:
        Reorder axes with ``transpose``/``permute`` (``x.transpose(0, 1)``), and keep ``view``
        and ``reshape`` for merging or splitting adjacent axes.
    """

    id = "batch-dependence"
    severity = Severity.ERROR
    title = "A view() reorders the batch axis and mixes samples"
    requires = frozenset({"reordered_views"})

    def check(self, view):
        yield from reordered_findings(self, view, True, _ending)


def _ending(d) -> str:
    return (
        f"Each row it reads holds pieces of several of the {d['source_shape'][0]} samples, so each sample's output "
        "depends on the other samples in its batch, and the order of each sample's own values (its time steps, "
        "positions or features) is lost."
    )
