"""Run the experiments in order, each in isolation, then let the examine rules judge the trace.

Each experiment runs inside :func:`~nndoctor.experiments.state.preserved`: the model, every
optimizer the recipe's factory returned, dropout probabilities and the random generators are
restored when it ends, however it ends. An experiment that fails (a bug in nndoctor, or a model
that cannot do what the experiment needs) is recorded and the examination goes on.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

import torch

from nndoctor.errors import BadInput
from nndoctor.experiments.base import Budget, Context, Experiment, Skip, StopExperiment
from nndoctor.experiments.state import preserved
from nndoctor.findings import Finding, sort_findings
from nndoctor.recipe import Recipe, _one_line, recipe_from_dict
from nndoctor.trace import Trace

#: Models with fewer parameters than this are examined on one thread (see ``_threads_for``).
SMALL_MODEL = 2_000_000


class Progress(Protocol):
    """Told when each experiment starts and ends (the command shows it with rich)."""

    def started(self, experiment: Experiment, index: int, total: int) -> None: ...

    def finished(self, experiment: Experiment, status: str, seconds: float, summary: str) -> None: ...


@dataclass
class Outcome:
    """How one experiment went: ``done``, ``stopped`` early, ``skipped`` or ``failed``."""

    name: str
    title: str
    status: str
    seconds: float
    summary: str


@dataclass
class Examination:
    """The findings (most severe first), the trace the rules judged, and what each experiment did."""

    findings: list[Finding]
    trace: Trace
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def ids(self) -> set[str]:
        return {f.id for f in self.findings}


def experiment_classes(only: Iterable[str] | None = None) -> list[type[Experiment]]:
    """The experiments in running order; ``only`` keeps those names (the probe always runs)."""
    from nndoctor.experiments import EXPERIMENTS

    if only is None:
        return list(EXPERIMENTS)
    wanted = set(only) | {"probe"}
    known = {cls.name for cls in EXPERIMENTS}
    unknown = wanted - known
    if unknown:
        raise BadInput(
            f"unknown experiment {', '.join(sorted(unknown))} (known: {', '.join(cls.name for cls in EXPERIMENTS)})"
        )
    return [cls for cls in EXPERIMENTS if cls.name in wanted]


def examine(
    recipe: Recipe | dict[str, Any],
    *,
    quick: bool = False,
    only: Iterable[str] | None = None,
    ignore: Sequence[str] = (),
    progress: Progress | None = None,
    seed: int = 0,
    budget: Budget | None = None,
) -> Examination:
    """Examine a recipe (CONTRACT.md) and return the findings.

    Args:
        recipe: the dict ``recipe()`` returns, or a loaded :class:`~nndoctor.recipe.Recipe`.
        quick: shorter trainings (about a quarter of the time).
        only: run only these experiments (by ``name``); the probe always runs.
        ignore: diagnosis ids to silence.
        progress: told when each experiment starts and ends.
        seed: the seed every experiment's random generators start from.
        budget: how many steps each experiment may take (default: ``Budget()`` or ``Budget.quick()``).
    """
    recipe = recipe_from_dict(recipe)
    trace = Trace()
    budget = budget or (Budget.quick() if quick else Budget())
    ctx = Context(recipe, trace, budget, quick=quick, seed=seed)
    classes = experiment_classes(only)
    outcomes = []
    start = time.monotonic()
    with _threads_for(recipe.model):
        for i, cls in enumerate(classes):
            exp = cls()
            if progress is not None:
                progress.started(exp, i, len(classes))
            outcome = _run_one(exp, ctx)
            outcomes.append(outcome)
            trace.event(
                "experiment",
                0,
                experiment=exp.name,
                title=exp.title,
                status=outcome.status,
                seconds=round(outcome.seconds, 3),
                summary=outcome.summary,
            )
            if progress is not None:
                progress.finished(exp, outcome.status, outcome.seconds, outcome.summary)
    findings = judge(trace, ignore)
    return Examination(findings, trace, outcomes, time.monotonic() - start)


@contextmanager
def _threads_for(model: torch.nn.Module) -> Iterator[None]:
    """One thread for small models (and for the BLAS under scikit-learn); restored afterwards.

    Experiments run thousands of tiny steps: with several threads, synchronising them costs more
    than the arithmetic, and on a busy machine (CI) it can make a step 50x slower.
    """
    before = torch.get_num_threads()
    small = sum(p.numel() for p in model.parameters()) < SMALL_MODEL
    limits: Any = nullcontext()
    if small:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - scikit-learn depends on it
            pass
        else:
            limits = threadpool_limits(limits=1)
    try:
        if small:
            torch.set_num_threads(1)
        with limits:
            yield
    finally:
        torch.set_num_threads(before)


def _run_one(exp: Experiment, ctx: Context) -> Outcome:
    t0 = time.monotonic()
    if exp.needs_loss and not ctx.loss_works:
        return Outcome(exp.name, exp.title, "skipped", 0.0, "the loss cannot be computed on a batch")
    status, summary = "done", ""
    with preserved(ctx.model, ctx.seed) as saved, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx.preserved = saved
        try:
            summary = exp.run(ctx) or ""
        except Skip as exc:
            status, summary = "skipped", str(exc)
        except StopExperiment as exc:
            status, summary = "stopped", str(exc)
        except BadInput:
            raise
        except Exception as exc:  # one broken experiment must not hide the others
            status, summary = "failed", f"{type(exc).__name__}: {_one_line(exc)}"
            ctx.trace.event("experiment_failed", 0, experiment=exp.name, error=summary)
        finally:
            ctx.preserved = None
    return Outcome(exp.name, exp.title, status, time.monotonic() - t0, summary)


def judge(trace: Trace, ignore: Sequence[str] = ()) -> list[Finding]:
    """Run every examine rule on the trace; one finding per (id, where), most severe first."""
    from nndoctor.registry import rule_classes
    from nndoctor.rules.experiments.base import ExamineRule

    view = trace.view(final=True)
    found: dict[tuple[str, str | None], Finding] = {}
    for _, cls in sorted(rule_classes().items()):
        if not issubclass(cls, ExamineRule) or cls.id in ignore:
            continue
        try:
            for f in cls().check(view):
                found.setdefault(f.key, f)
        except Exception as exc:  # a broken rule must not hide the others
            warnings.warn(f"nndoctor: rule {cls.id} failed: {type(exc).__name__}: {exc}", RuntimeWarning, stacklevel=2)
    return sort_findings(list(found.values()))
