"""The start/stop logic both callbacks share: one watch per training run."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nndoctor.findings import Finding
from nndoctor.watch import Doctor, watch


class WatchSession:
    """Holds the Doctor of the current fit; ``findings`` survives the end of training."""

    def __init__(self, live: bool, ignore: Iterable[str], log_dir: str | Path | None) -> None:
        self.live = live
        self.ignore = tuple(ignore)
        self.log_dir = log_dir
        self.doctor: Doctor | None = None
        self._findings: list[Finding] = []

    def start(self, model: Any, optimizers: Any = None) -> None:
        self.stop()
        opts = [o for o in (optimizers or []) if o is not None] or None
        self.doctor = watch(model, opts, live=self.live, ignore=self.ignore, log_dir=self.log_dir)

    def stop(self) -> None:
        if self.doctor is not None:
            self._findings = self.doctor.stop()
            self.doctor = None

    @property
    def findings(self) -> list[Finding]:
        return self.doctor.findings if self.doctor is not None else self._findings


def unwrap_optimizer(opt: Any) -> Any:
    """Lightning's LightningOptimizer and accelerate's AcceleratedOptimizer wrap the torch one."""
    for attr in ("_optimizer", "optimizer"):
        inner = getattr(opt, attr, None)
        if inner is not None and hasattr(inner, "param_groups") and inner is not opt:
            return unwrap_optimizer(inner)
    return opt
