"""The layout of the input each recurrent layer receives: which axis it reads as time.

``nn.LSTM``/``GRU``/``RNN`` read ``(time, batch, features)`` unless built with
``batch_first=True``. Fed a ``(batch, time, features)`` tensor without it, the layer runs over
the batch, mixing the samples into each other, and raises nothing. The shape it received,
set against the batch size the loss sees, tells which axis is which.
"""

from __future__ import annotations

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

#: Distinct (layer, input shape) pairs recorded at most (the last batch of an epoch is smaller).
MAX_EVENTS = 32


@register_quantity
class RnnLayout(Quantity):
    """Event ``rnn_input`` once per recurrent layer and input shape (training forwards): the
    layer's name and type, its ``batch_first``, and the shape of the 3-D input it received."""

    name = "rnn_layout"
    module_hooks = True
    thinned = True  # a layout does not change from step to step

    def __init__(self, ctx):
        super().__init__(ctx)
        self._seen: set[tuple[int, tuple[int, ...]]] = set()

    def on_module_forward(self, module, inputs, output):
        if not isinstance(module, nn.RNNBase) or not inputs or len(self._seen) >= MAX_EVENTS:
            return
        x = inputs[0]
        if not isinstance(x, torch.Tensor) or x.dim() != 3 or not torch.is_grad_enabled():
            return  # (a PackedSequence, an unbatched sequence, an evaluation pass)
        key = (id(module), tuple(x.shape))
        if key in self._seen:
            return
        self._seen.add(key)
        self.ctx.trace.event(
            "rnn_input",
            self.ctx.step,
            module=self.ctx.name_of(module),
            type=type(module).__name__,
            batch_first=bool(module.batch_first),
            shape=list(x.shape),
        )
