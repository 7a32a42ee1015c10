"""batch-dependence (live): a recurrent or attention layer reads the batch axis as time (batch_first mix-up)."""

from __future__ import annotations

import re
from collections import Counter

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: Training loss calls whose batch size is needed before judging, and recurrent inputs.
MIN_CALLS = 2
#: Attention layers: they read the first axis as the sequence unless built with batch_first=True.
ATTENTION = frozenset({"TransformerEncoderLayer", "TransformerDecoderLayer", "MultiheadAttention"})


def loss_batch_size(view) -> int | None:
    """The batch size of the training loss calls (the commonest target length), if they agree on
    one with their predictions."""
    sizes = Counter()
    for e in view.events("loss_call"):
        pred, target = e.data.get("input_shape") or [], e.data.get("target_shape") or []
        if pred and target and pred[0] == target[0]:
            sizes[int(target[0])] += 1
    if not sizes:
        return None
    size, count = sizes.most_common(1)[0]
    return size if count >= MIN_CALLS else None


@register
class RnnBatchAxis(Rule):
    """A sequence layer reads the batch as time (or time as the batch): ``batch_first`` mix-up.

    What it detects:
        An ``nn.LSTM``/``GRU``/``RNN`` (or a ``TransformerEncoderLayer``/``DecoderLayer``, a
        ``MultiheadAttention``) built without ``batch_first=True`` whose 3-D input has the
        loss's batch size on its first axis (the one it reads as time) and something else on its
        second; or one built with ``batch_first=True`` whose input has the batch on its second
        axis. Judged on the training forwards, against the batch size of the training loss.
    Why it matters:
        PyTorch's recurrent layers take ``(time, batch, features)`` by default. A
        ``(batch, time, features)`` tensor is read as one long sequence running across the
        samples: each sample's output depends on the samples before it in the batch, the real
        time axis is treated as independent sequences, and the model learns little or nothing.
        Nothing raises: the shapes are all valid.
    Fix:
        Build the layer with ``batch_first=True`` for ``(batch, time, features)`` inputs (or
        transpose the input to ``(time, batch, features)``).
    """

    id = "batch-dependence"
    severity = Severity.ERROR
    title = "A sequence layer reads the batch as time"
    requires = frozenset({"rnn_layout", "loss_inputs"})

    def check(self, view):
        batch = loss_batch_size(view)
        if batch is None:
            return
        reported = set()
        for e in view.events("rnn_input"):
            d = e.data
            shape, batch_first, name = d.get("shape") or [], bool(d.get("batch_first")), d.get("module")
            stack = re.sub(r"\.layers\.\d+$", "", name or "")  # a transformer's layers share their mistake
            if len(shape) != 3 or stack in reported or shape[0] == shape[1]:
                continue
            time_axis, batch_axis = (1, 0) if batch_first else (0, 1)
            if shape[time_axis] != batch or shape[batch_axis] == batch:
                continue
            reported.add(stack)
            kind = d.get("type", "LSTM")
            if kind in ATTENTION and not batch_first:
                message = (
                    f"{name} ({kind}, batch_first=False) receives {shape}, with the batch of {batch} samples on its "
                    f"first axis, which it reads as the sequence: attention runs across the {batch} samples of the "
                    f"batch, each of the {shape[1]} positions attending to the same position of the other samples, "
                    "so each sample's output depends on the rest of its batch and never on its own other positions."
                )
                fix = (
                    "Tell the layer its input is (batch, sequence, features):\n"
                    f"```\nnn.{kind}(d_model, nhead, batch_first=True)\n```"
                )
            elif batch_first:
                message = (
                    f"{name} ({kind}, batch_first=True) receives {shape}, with the batch of {batch} samples on its "
                    f"second axis: it reads axis 0 ({shape[0]}) as the batch and the {batch} samples as time steps, "
                    "so each sample's output depends on the samples before it."
                )
                fix = (
                    "The input is (time, batch, features): drop batch_first=True, or transpose the input:\n"
                    f"```\nout, _ = self.{name.split('.', 1)[-1]}(x.transpose(0, 1))   # (batch, time, features)\n```"
                )
            else:
                message = (
                    f"{name} ({kind}, batch_first=False) receives {shape}, with the batch of {batch} samples on its "
                    f"first axis, which it reads as time: it runs one sequence across the {batch} samples of the "
                    f"batch and treats the {shape[1]} time steps as separate sequences, so each sample's output "
                    "depends on the samples before it and the sequences' own order is never used."
                )
                fix = (
                    "Tell the layer its input is (batch, time, features):\n"
                    f"```\nnn.{kind}(input_size, hidden_size, batch_first=True)\n```"
                )
            evidence = {
                "module": name,
                "type": kind,
                "batch_first": batch_first,
                "input_shape": shape,
                "batch_size": batch,
            }
            yield self.finding(message, fix, where=name, step=e.step, evidence=evidence)
