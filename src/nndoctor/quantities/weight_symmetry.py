"""Weight matrices whose output units (rows) are all the same: a constant fill never broken.

A layer whose weight rows are identical computes the same value in every unit; when the layers
after it are symmetric too (a constant fill everywhere, ``nn.init.constant_(w, 0.05)``), every
unit also gets the same gradient, so the rows stay identical however long the model trains, and
the layer is as good as one unit wide. A zero-initialised output layer, or a LoRA-style zero
matrix, breaks the tie at its first update (each output gets its own gradient): it shows here
once and then never again.

Measured on full sampled steps (``thinned``) on the weight matrices (2+ dims, 2+ rows, non-zero;
all-zero matrices are ``param_stats``' ``param_norm`` business) an optimizer holds; a run where
none has identical rows after :data:`GIVE_UP_AFTER` measurements stops looking (``retire``).

Series ``identical_rows`` (key: parameter name): 1.0 when every row equals the first (to 1e-4 of
the largest weight), else 0.0; written for matrices that had identical rows at some measurement,
from then on.
"""

from __future__ import annotations

import numpy as np
import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import host_array
from nndoctor.quantities.base import Quantity

#: Full sampled steps without a matrix of identical rows before the quantity stops looking.
GIVE_UP_AFTER = 4
#: Rows this close (relative to the matrix's largest weight) are the same unit.
TIE_TOLERANCE = 1e-4
#: Weight matrices looked at per optimizer (the first ones: a constant fill is model-wide).
MAX_MATRICES = 32


def rows_identical(w: torch.Tensor) -> bool:
    """Every row (output unit) of a weight matrix equals the first one, to :data:`TIE_TOLERANCE`
    of the matrix's largest weight, and the matrix is not zero. (Not exactly: a matrix product
    rounds each row's sums in its own order, so rows that should stay equal drift apart by a few
    ulps; random rows differ by the size of the weights themselves.)"""
    with torch.no_grad():
        host = host_array(w)
        if host is not None:
            rows = host.reshape(host.shape[0], -1)
            scale = float(np.max(np.abs(rows)))
            return scale > 0 and float(np.max(np.abs(rows - rows[0]))) <= TIE_TOLERANCE * scale
        rows = w.detach().float().reshape(w.shape[0], -1)
        scale = float(rows.abs().max())
        return scale > 0 and float((rows - rows[0]).abs().max()) <= TIE_TOLERANCE * scale


@register_quantity
class WeightSymmetry(Quantity):
    """``identical_rows`` of the weight matrices (see the module docstring)."""

    name = "weight_symmetry"
    thinned = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._tied: set[str] = set()  # matrices seen with identical rows at some measurement
        self._looks = 0

    def on_before_step(self, optimizer):
        step, trace = self.ctx.step, self.ctx.trace
        looked = 0
        for p in self.ctx.optimizer_params(optimizer):
            if p.dim() < 2 or p.shape[0] < 2 or not p.is_floating_point():
                continue
            name = self.ctx.param_name(p)
            if name is None:
                continue
            looked += 1
            if looked > MAX_MATRICES:
                break
            same = rows_identical(p)
            if same:
                self._tied.add(name)
            if name in self._tied:
                trace.scalar("identical_rows", step, float(same), name)
        self._looks += 1
        if not self._tied and self._looks >= GIVE_UP_AFTER:
            self.ctx.retire(self.name)
