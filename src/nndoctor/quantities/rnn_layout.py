"""The layout of the input each sequence layer receives: which axis it reads as time.

``nn.LSTM``/``GRU``/``RNN``, ``nn.TransformerEncoderLayer``/``DecoderLayer`` and
``nn.MultiheadAttention`` read ``(time, batch, features)`` unless built with
``batch_first=True``. Fed a ``(batch, time, features)`` tensor without it, the layer runs over
the batch (a recurrence, or attention, across the samples), mixing them into each other, and
raises nothing. The shape it received, set against the batch size the loss sees, tells which
axis is which. (An attention module inside a transformer layer is the layer's business: only
the layer is recorded.)
"""

from __future__ import annotations

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

#: Distinct (layer, input shape) pairs recorded at most (the last batch of an epoch is smaller).
MAX_EVENTS = 32
TRANSFORMER_LAYERS = (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)
SEQUENCE_LAYERS = (nn.RNNBase, nn.MultiheadAttention, *TRANSFORMER_LAYERS)


def _batch_first(module: nn.Module) -> bool:
    """The layer's ``batch_first``; a transformer layer keeps it on its attention module."""
    flag = getattr(module, "batch_first", None)
    if flag is None:
        flag = getattr(getattr(module, "self_attn", None), "batch_first", False)
    return bool(flag)


@register_quantity
class RnnLayout(Quantity):
    """Event ``rnn_input`` once per sequence layer and input shape (training forwards): the
    layer's name and type, its ``batch_first``, and the shape of the 3-D input it received."""

    name = "rnn_layout"
    module_hooks = True
    thinned = True  # a layout does not change from step to step

    def __init__(self, ctx):
        super().__init__(ctx)
        self._seen: set[tuple[int, tuple[int, ...]]] = set()

    def on_module_forward(self, module, inputs, output):
        if not isinstance(module, SEQUENCE_LAYERS) or not inputs or len(self._seen) >= MAX_EVENTS:
            return
        if isinstance(module, nn.MultiheadAttention) and isinstance(self.ctx.parent_of(module), TRANSFORMER_LAYERS):
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
            batch_first=_batch_first(module),
            shape=list(x.shape),
        )
