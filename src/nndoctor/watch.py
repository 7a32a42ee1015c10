"""``nndoctor.watch``: the monitor inside the user's own training loop."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from nndoctor.findings import Finding
from nndoctor.monitor.monitor import Monitor
from nndoctor.report.terminal import make_console, print_finding, print_summary
from nndoctor.trace.record import RecordWriter, new_run_dir


class Doctor(Monitor):
    """A started monitor for one model (and optionally its optimizer); use it as a context manager.

    ``doctor.findings`` holds every finding so far; ``doctor.stop()`` ends the watch and, when
    ``live`` is on, prints the summary.
    """

    def __init__(self, *args: Any, live: bool = True, writer: RecordWriter | None = None, **kwargs: Any) -> None:
        self._console = make_console() if live else None
        self._writer = writer
        on_finding = (lambda f: print_finding(self._console, f)) if live else None
        super().__init__(*args, on_finding=on_finding, sink=writer, **kwargs)

    @property
    def record_dir(self) -> Path | None:
        return self._writer.directory if self._writer is not None else None

    def stop(self) -> list[Finding]:
        already = self.stopped
        findings = super().stop()
        if not already:
            if self._writer is not None:
                self._writer.write_findings([f.to_dict() for f in findings])
                self._writer.close()
            if self._console is not None:
                print_summary(self._console, findings, details=False, resolved=self.resolved)
        return findings


def watch(
    model: nn.Module | Iterable[nn.Module],
    optimizer: torch.optim.Optimizer | Iterable[torch.optim.Optimizer] | None = None,
    *,
    live: bool = True,
    ignore: Iterable[str] = (),
    log_dir: str | Path | None = None,
) -> Doctor:
    """Watch ``model`` (and ``optimizer``) in your own loop.

    Example::

        with nndoctor.watch(model, optimizer) as doctor:
            for x, y in loader:
                ...
        print(doctor.findings)

    Args:
        model: a module, or several (a GAN's generator and discriminator).
        optimizer: the optimizer(s) to watch; ``None`` watches any that steps.
        live: print each new finding when found and a summary at the end.
        ignore: diagnosis ids to silence.
        log_dir: also keep a crash-safe run record there.
    """
    models = [model] if isinstance(model, nn.Module) else list(model) if isinstance(model, (list, tuple)) else [model]
    for m in models:
        if not isinstance(m, nn.Module):
            raise TypeError(f"nndoctor.watch expects a torch.nn.Module, got {type(m).__name__}")
    optimizers = None
    if optimizer is not None:
        optimizers = [optimizer] if isinstance(optimizer, torch.optim.Optimizer) else list(optimizer)
    writer = None
    if log_dir is not None:
        writer = RecordWriter(new_run_dir(log_dir, "watch"), {"kind": "watch", "torch": torch.__version__})
    doctor = Doctor(models, optimizers, live=live, writer=writer, ignore=ignore)
    return doctor.start()
