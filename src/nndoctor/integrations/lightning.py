"""PyTorch Lightning: ``Trainer(callbacks=[NNDoctorCallback()])``.

Only converts Lightning's hooks into the monitor's start and stop; the monitor itself sees the
forward passes, losses, backward passes and optimizer steps through PyTorch's hooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nndoctor.findings import Finding
from nndoctor.integrations._session import WatchSession, unwrap_optimizer

try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the older package name
    try:
        from pytorch_lightning.callbacks import Callback
    except ImportError as exc:
        raise ImportError("nndoctor.integrations.lightning needs PyTorch Lightning: pip install lightning") from exc


class NNDoctorCallback(Callback):
    """Watches the LightningModule and its optimizers during ``fit``; prints findings live.

    Args:
        live: print each new finding when found and a summary at the end of fit.
        ignore: diagnosis ids to silence.
        log_dir: also keep a crash-safe run record there.
    """

    def __init__(self, live: bool = True, ignore: Iterable[str] = (), log_dir: str | Path | None = None) -> None:
        super().__init__()
        self._session = WatchSession(live, ignore, log_dir)

    @property
    def findings(self) -> list[Finding]:
        """Findings of the current (or last) fit, most severe first."""
        return self._session.findings

    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        self._session.start(pl_module, [unwrap_optimizer(o) for o in trainer.optimizers])

    def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
        self._session.stop()

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        self._session.stop()
