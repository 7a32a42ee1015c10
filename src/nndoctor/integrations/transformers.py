"""Hugging Face Trainer: ``Trainer(..., callbacks=[NNDoctorCallback()])``.

Only converts the Trainer's events into the monitor's start and stop; the monitor sees the
losses (``F.cross_entropy`` inside the model), backward passes and optimizer steps itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nndoctor.findings import Finding
from nndoctor.integrations._session import WatchSession, unwrap_optimizer

try:
    from transformers import TrainerCallback
except ImportError as exc:
    raise ImportError("nndoctor.integrations.transformers needs transformers: pip install transformers") from exc


class NNDoctorCallback(TrainerCallback):
    """Watches the Trainer's model and optimizer from ``on_train_begin`` to ``on_train_end``.

    Args:
        live: print each new finding when found and a summary at the end of training.
        ignore: diagnosis ids to silence.
        log_dir: also keep a crash-safe run record there.
    """

    def __init__(self, live: bool = True, ignore: Iterable[str] = (), log_dir: str | Path | None = None) -> None:
        self._session = WatchSession(live, ignore, log_dir)

    @property
    def findings(self) -> list[Finding]:
        return self._session.findings

    def on_train_begin(
        self, args: Any, state: Any, control: Any, model: Any = None, optimizer: Any = None, **kwargs: Any
    ) -> None:
        if model is not None:
            self._session.start(model, [unwrap_optimizer(optimizer)] if optimizer is not None else None)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._session.stop()
