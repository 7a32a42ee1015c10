"""Small helpers shared by quantities: find tensors in nested outputs, cheap float conversion."""

from __future__ import annotations

from typing import Any

import torch


def first_tensor(obj: Any) -> torch.Tensor | None:
    """The first tensor in a (possibly nested) output: a tuple, list, dict or dataclass-like."""
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, (list, tuple)):
        for item in obj:
            t = first_tensor(item)
            if t is not None:
                return t
    elif isinstance(obj, dict):
        for item in obj.values():
            t = first_tensor(item)
            if t is not None:
                return t
    elif hasattr(obj, "logits") and isinstance(obj.logits, torch.Tensor):  # HF-style outputs
        return obj.logits
    return None


def is_float(t: torch.Tensor | None) -> bool:
    return t is not None and t.is_floating_point() and t.numel() > 0
