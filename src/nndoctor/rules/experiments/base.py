"""The base class of the examine rules, and small helpers to read experiment events."""

from __future__ import annotations

from typing import Any, ClassVar

from nndoctor.rules.base import Rule
from nndoctor.trace import TraceView


class ExamineRule(Rule):
    """A rule that judges an examination's trace; ``nndoctor examine`` runs exactly these.

    Third parties add examine rules the same way: subclass, set ``id``, decorate with ``@register``.
    """

    live: ClassVar[bool] = False


def data_of(view: TraceView, name: str) -> dict[str, Any] | None:
    """The data of the last event called ``name``, or None."""
    events = view.events(name)
    return events[-1].data if events else None


def experiment_status(view: TraceView, name: str) -> str | None:
    """``done``, ``stopped``, ``skipped`` or ``failed`` for the experiment ``name`` (None if it never ran)."""
    for e in view.events("experiment"):
        if e.data.get("experiment") == name:
            return e.data.get("status")
    return None


def g(value: float | None) -> str:
    """A number as the messages show it (3 significant digits)."""
    return "?" if value is None else f"{value:.3g}"


def prediction_shape(probe: dict[str, Any]) -> list[int]:
    """The shape of what the loss received (observed), else of the model's output."""
    return list(probe.get("loss_input_shape") or probe.get("output_shape") or [])
