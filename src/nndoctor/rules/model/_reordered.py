"""What batch-dependence's and scrambled-axes' reordered-view findings share: which events mix
samples, and the ``transpose``/``permute`` call that the ``view`` should have been."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from nndoctor.findings import Finding
from nndoctor.quantities.reordered_views import axis_lengths
from nndoctor.trace import TraceView


def mixes_samples(data: dict[str, Any]) -> bool:
    """True when the view cuts the leading axis (the batch) into rows of several of its entries:
    its first axis (of length > 1) is not the source's."""
    return axis_lengths(data["shape"])[0] != axis_lengths(data["source_shape"])[0]


def reordered_views(view: TraceView, mixing: bool) -> list[dict[str, Any]]:
    """One ``reordered_view`` event's data per layer, those that mix samples or those that do not."""
    seen, out = set(), []
    for e in view.events("reordered_view"):
        d = e.data
        if d.get("module") in seen or not d.get("shape") or not d.get("source_shape"):
            continue
        if mixes_samples(d) == mixing:
            seen.add(d.get("module"))
            out.append({**d, "step": e.step})
    return out


def axis_moves(source: list[int], target: list[int]) -> list[int] | None:
    """The permutation ``p`` with ``source[p[i]] == target[i]`` that keeps axes of equal length in
    their order (the usual intent: one axis moved, as channels-last to channels-first), or None
    when the two do not hold the same lengths in the same number of axes."""
    if len(source) != len(target) or sorted(source) != sorted(target):
        return None
    free = list(range(len(source)))
    perm = []
    for n in target:
        j = next(j for j in free if source[j] == n)
        perm.append(j)
        free.remove(j)
    return perm


def moving_call(source: list[int], target: list[int]) -> str:
    """``transpose(i, j)`` or ``permute(...)``: what turns ``source``'s axes into ``target``'s."""
    perm = axis_moves(source, target)
    if perm is None:
        return "permute(...)"
    moved = [i for i, p in enumerate(perm) if p != i]
    if len(moved) == 2:
        return f"transpose({moved[0]}, {moved[1]})"
    return f"permute({', '.join(map(str, perm))})"


def describe(d: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """The opening of the message (what the layer receives, and from what), the fix, and the evidence."""
    shape, source_shape, name = d["shape"], d["source_shape"], d.get("module") or "a layer"
    if d.get("source") == "input":
        origin = f"the model's input {source_shape}"
    elif d.get("producer"):
        origin = f"the output of {d['producer']} {source_shape}"
    else:
        origin = f"a {source_shape} tensor"
    opening = (
        f"{name} ({d.get('type', 'layer')}) receives {shape}, made from {origin} by view() or reshape(). Those "
        "never move data, they cut the same memory into a new shape: the axes are regrouped, not reordered"
    )
    call = moving_call(source_shape, shape)
    fix = (
        "Move axes with transpose() or permute(); view() and reshape() only regroup the same memory:\n"
        f"```\nx = x.{call}   # {tuple(source_shape)} -> {tuple(shape)}, instead of x.view{tuple(shape)}\n```"
    )
    evidence = {
        "module": name,
        "type": d.get("type"),
        "input_shape": shape,
        "source_shape": source_shape,
        "source": d.get("source"),
        "suggested_call": call,
    }
    return opening, fix, evidence


def reordered_findings(
    rule: Any, view: TraceView, mixing: bool, ending: Callable[[dict[str, Any]], str]
) -> Iterator[Finding]:
    """One finding of ``rule`` per layer fed such a view: the shared opening, then ``ending(data)``."""
    for d in reordered_views(view, mixing):
        opening, fix, evidence = describe(d)
        yield rule.finding(f"{opening}. {ending(d)}", fix, where=d.get("module"), step=d["step"], evidence=evidence)
