"""What the sampled training batches' labels say about how the data is fed."""

from __future__ import annotations

import numpy as np

#: Sampled training batches with class counts needed to judge how they are made up.
MIN_BATCHES = 8
#: Sorted: the batches hold this share of their examples in one class, on average ...
SORTED_BATCH_MAJORITY = 0.9
#: ... while over all of them no class holds more than this share (shuffled batches of such data
#: would be as mixed as the data).
MIXED_POOL_MAJORITY = 0.6

SHUFFLE_FIX = (
    "Shuffle the training data (the examples are ordered by class, so each batch pulls the model towards one "
    "class, and the next batch towards another):\n"
    "```\nloader = DataLoader(train_set, batch_size=32, shuffle=True)\n```"
)


def sorted_batches(view) -> dict | None:
    """Evidence that the training batches each hold (nearly) one class of data that holds many:
    the data is sorted by label and fed without shuffling. None when the batches are mixed, or
    too few of them counted their classes (``loss_call`` ``class_counts``: one label per example)."""
    counts = [
        np.asarray(e.data["class_counts"], dtype=float) for e in view.events("loss_call") if e.data.get("class_counts")
    ]
    counts = [c for c in counts if c.sum() > 0]
    if len(counts) < MIN_BATCHES or len({len(c) for c in counts}) != 1:
        return None
    batch_majority = float(np.mean([c.max() / c.sum() for c in counts]))
    pooled = np.sum(counts, axis=0)
    pooled_majority = float(pooled.max() / pooled.sum())
    if batch_majority < SORTED_BATCH_MAJORITY or pooled_majority > MIXED_POOL_MAJORITY:
        return None
    return {
        "batches_counted": len(counts),
        "mean_batch_majority_share": batch_majority,
        "pooled_majority_share": pooled_majority,
        "classes_seen": int(np.count_nonzero(pooled)),
    }
