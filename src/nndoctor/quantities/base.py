"""The base of every quantity: a small measurement fed by the monitor's events.

A quantity measures; it never judges or draws. It appends scalars and events to the trace
through its :class:`Context`. The monitor calls only the handlers a quantity overrides, and
only on sampled steps unless the quantity is ``every_step`` (the cheap ones: loss) or
``frequent`` (the gradient norm). Every-step handlers run on every training step, so each
microsecond there costs about 0.1% of a small model's step on CPU: return early when possible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import torch

    from nndoctor.trace import Trace

EVENTS = (
    "on_root_forward",
    "on_module_forward",
    "on_root_output",
    "on_loss",
    "on_backward",
    "on_before_step",
    "on_after_step",
    "on_warning",
    "on_zero_grad",
    "on_nonfinite_loss",
)
#: Events dispatched to every quantity that handles them on every kind of step (rare ones).
ALWAYS_DISPATCHED = frozenset({"on_nonfinite_loss"})


class Context(Protocol):
    """What a quantity may know about the run (implemented by the monitor)."""

    trace: Trace
    step: int
    sampled: bool
    #: A frequent step (``SampleSchedule.frequent``): every-step handlers may do dearer work only then.
    frequent: bool
    #: A sampled step on which ``thinned`` quantities run too (``SampleSchedule.full``): the
    #: dearer, slowly changing parts of other quantities (what the targets look like) run only then.
    full_sample: bool
    #: An optimizer's closure is running inside ``step(closure)`` (LBFGS line search).
    in_closure: bool

    def name_of(self, module: torch.nn.Module) -> str: ...

    def root_of(self, module: torch.nn.Module) -> torch.nn.Module | None: ...

    def param_name(self, param: torch.Tensor) -> str | None: ...

    def param_module(self, param: torch.Tensor) -> torch.nn.Module | None: ...

    def param_grad_norms(self, optimizer: Any) -> tuple[list[torch.Tensor], list[float]]:
        """The optimizer's parameters with a dense gradient and their gradient norms (once per step)."""
        ...

    def loss_value(self, loss: torch.Tensor) -> float:
        """``loss.item()`` of a one-element CPU tensor, read at most once per tensor."""
        ...

    def report_nonfinite(self, kind: str, detail: dict[str, Any]) -> None: ...

    def retire(self, quantity: str) -> None: ...

    def watch_next_step(self, quantity: str) -> None:
        """Have every event of the next training step dispatched to ``quantity`` too."""
        ...


class Quantity:
    """Subclass, set ``name``, override the event handlers you need."""

    name: ClassVar[str] = ""
    #: Run handlers on every step (keep them to a few microseconds), not only sampled ones.
    every_step: ClassVar[bool] = False
    #: Run handlers on *frequent* steps (``SampleSchedule.frequent``: every step of the first
    #: 100, then every 10th) besides sampled ones: for measurements of tens of microseconds.
    frequent: ClassVar[bool] = False
    #: Also runs on every event from an evaluation forward pass (no grad, or the model in eval
    #: mode) to the end of that training step: for measurements of evaluation passes, which
    #: come between training steps of any kind.
    evaluation: ClassVar[bool] = False
    #: Needs the global module forward hooks (armed on sampled steps only).
    module_hooks: ClassVar[bool] = False
    #: Measures what changes little between batches (the data's scale): runs
    #: on only some sampled steps (``SampleSchedule.full``) after the first few.
    thinned: ClassVar[bool] = False

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # Event handlers; the monitor dispatches only to the ones a subclass overrides.
    def on_root_forward(self, root: Any, args: tuple, kwargs: dict, grad_enabled: bool) -> None: ...

    def on_module_forward(self, module: Any, inputs: tuple, output: Any) -> None: ...

    def on_root_output(self, root: Any, output: Any, grad_enabled: bool) -> None: ...

    def on_loss(self, fn_name: str, args: tuple, kwargs: dict, result: Any) -> None: ...

    def on_backward(self, tensor: Any, loss_value: float | None) -> None: ...

    def on_before_step(self, optimizer: Any) -> None: ...

    def on_after_step(self, optimizer: Any) -> None: ...

    def on_warning(self, message: str, category: type) -> None: ...

    def on_zero_grad(self, optimizer: Any) -> None: ...

    def on_nonfinite_loss(self, tensor: Any, loss_value: float) -> None:
        """The value ``backward()`` was called on is NaN/Inf (on any step: see ``ALWAYS_DISPATCHED``)."""

    @classmethod
    def handlers(cls) -> list[str]:
        """The events this quantity overrides."""
        return [e for e in EVENTS if getattr(cls, e) is not getattr(Quantity, e)]
