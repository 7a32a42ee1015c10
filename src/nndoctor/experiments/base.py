"""The base of every active experiment, the context it works in, and how it stops early.

An experiment measures and never judges: it runs a short computation of its own on the
recipe's model (inside :func:`~nndoctor.experiments.state.preserved`, so the model, the
optimizers and the random generators come back unchanged) and records what it saw into the
examination's :class:`~nndoctor.trace.Trace`. Ordinary rules (``nndoctor.rules.experiments``)
judge that trace afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import nn

from nndoctor.experiments.state import Preserved
from nndoctor.experiments.task import Task
from nndoctor.recipe import Recipe
from nndoctor.trace import Trace


class StopExperiment(Exception):
    """Raised inside an experiment to end it early; what it recorded so far stands.

    Like fastai's ``CancelFitException``: a normal way out, not an error.
    """


class Diverged(StopExperiment):
    """A short training's loss became non-finite (or blew up); ``step`` is where."""

    def __init__(self, step: int, loss: float, reason: str) -> None:
        super().__init__(f"{reason} at step {step} (loss {loss})")
        self.step = step
        self.loss = loss
        self.reason = reason


class Skip(StopExperiment):
    """The experiment does not apply to this recipe (recorded with its reason)."""


@dataclass(frozen=True)
class Budget:
    """How much work each experiment may do: ``full`` and ``quick`` presets."""

    overfit_steps: int = 300
    overfit_extra_steps: int = 500
    overfit100_steps: int = 300
    lr_steps: int = 100
    lr_retries: int = 6
    range_steps: int = 100
    train_steps: int = 1000
    #: A safety net for slow models; the step counts decide, so results do not depend on the machine.
    train_seconds: float = 30.0
    sklearn_examples: int = 2000
    probe_examples: int = 512

    @classmethod
    def quick(cls) -> Budget:
        return cls(
            overfit_steps=200,
            overfit_extra_steps=0,
            overfit100_steps=150,
            lr_steps=60,
            lr_retries=5,
            range_steps=50,
            train_steps=400,
            train_seconds=10.0,
            sklearn_examples=1000,
            probe_examples=256,
        )


@dataclass
class Context:
    """What an experiment may use: the recipe, the trace, the task, the budget."""

    recipe: Recipe
    trace: Trace
    budget: Budget
    quick: bool = False
    seed: int = 0
    task: Task = field(default_factory=lambda: Task("unknown", "unknown"))
    #: Facts one experiment found that a later one needs (the loss works, the first layer...).
    facts: dict[str, Any] = field(default_factory=dict)
    preserved: Preserved | None = None

    @property
    def model(self) -> nn.Module:
        return self.recipe.model

    @property
    def device(self) -> torch.device:
        p = next(self.model.parameters(), None)
        return p.device if p is not None else torch.device("cpu")

    @property
    def loss_works(self) -> bool:
        return bool(self.facts.get("loss_works", False))

    def optimizer(self) -> torch.optim.Optimizer:
        """A fresh optimizer from the recipe's factory, saved for restoring after the experiment."""
        opt = self.recipe.make_optimizer(self.model.parameters())
        if self.preserved is not None:
            self.preserved.track(opt)
        return opt

    def reset(self) -> None:
        """Model and optimizers back to their state before the experiment (between two runs)."""
        if self.preserved is not None:
            self.preserved.reset()

    def set_attr(self, obj: Any, name: str, value: Any) -> None:
        """Change a module attribute (dropout ``p``) until the experiment ends."""
        if self.preserved is None:
            raise RuntimeError("set_attr outside an experiment")
        self.preserved.model.set_attr(obj, name, value)

    def name_of(self, module: nn.Module) -> str:
        """``model.encoder.fc1``."""
        names = self.facts.get("_module_names")
        if names is None:
            names = {id(m): ("model" if not n else f"model.{n}") for n, m in self.model.named_modules()}
            self.facts["_module_names"] = names
        return names.get(id(module), type(module).__name__)

    def event(self, name: str, step: int = 0, **data: Any) -> None:
        self.trace.event(name, step, **data)

    @property
    def val(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The validation split: the recipe's, or a held-out 20 % of train when it has none."""
        r = self.recipe
        if r.val_x is not None and r.val_y is not None:
            return r.val_x, r.val_y
        return self.holdout[2], self.holdout[3]

    @property
    def fit_split(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The training examples the short trainings use (train minus the hold-out, if any)."""
        r = self.recipe
        if r.val_x is not None:
            return r.train_x, r.train_y
        return self.holdout[0], self.holdout[1]

    @property
    def holdout(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        cached = self.facts.get("_holdout")
        if cached is None:
            x, y = self.recipe.train_x, self.recipe.train_y
            perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(self.seed))
            k = max(1, len(x) // 5)
            cached = (x[perm[k:]], y[perm[k:]], x[perm[:k]], y[perm[:k]])
            self.facts["_holdout"] = cached
        return cached


class Experiment:
    """Subclass, set the class attributes, implement :meth:`run`.

    ``run`` records into ``ctx.trace`` and returns a one-line summary of what it measured (shown
    in the report's measurement table). Raise :class:`StopExperiment` to end early, :class:`Skip`
    when the experiment does not apply.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: Needs a loss that can be computed on a batch (the probe found it works).
    needs_loss: ClassVar[bool] = True

    def run(self, ctx: Context) -> str | None:
        raise NotImplementedError
