"""PyTorch's own warnings raised while the script trains (e.g. MSELoss size mismatch)."""

from __future__ import annotations

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


@register_quantity
class TorchWarnings(Quantity):
    """Event ``torch_warning``: message and category of every warning shown during the run."""

    name = "warnings"
    every_step = True

    def on_warning(self, message, category):
        self.ctx.trace.event("torch_warning", self.ctx.step, message=message[:500], category=category.__name__)
