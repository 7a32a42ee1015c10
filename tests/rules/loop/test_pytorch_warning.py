"""pytorch-warning: PyTorch's own warnings with a known meaning for training become findings."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loop.pytorch_warning import PyTorchWarning
from nndoctor.trace import Trace

SCHEDULER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should "
    "call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`."
)


@pytest.mark.parametrize(
    "script,key,severity",
    [
        ("buggy/pytorch-warning_nonleaf_weights_logreg.py", "non-leaf-grad", Severity.WARNING),
        ("buggy/pytorch-warning_scheduler_before_step.py", "scheduler-before-optimizer", Severity.INFO),
        ("buggy/pytorch-warning_softmax_no_dim_attention.py", "implicit-softmax-dim", Severity.INFO),
    ],
)
def test_known_warnings_are_explained(script, key, severity):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "pytorch-warning"]
    assert f.evidence["warning"] == key and f.severity is severity
    assert "PyTorch warned" in f.message and "```" in f.fix


def _trace(*events: tuple[str, dict]) -> Trace:
    trace = Trace()
    for name, data in events:
        trace.event(name, 3, **data)
    return trace


def test_scheduler_warning_under_amp_is_the_scalers_doing():
    """GradScaler skips the first step when its initial scale overflows: the warning is expected."""
    warning = ("torch_warning", {"message": SCHEDULER_WARNING, "category": "UserWarning"})
    assert [f.id for f in PyTorchWarning().check(_trace(warning).view())] == ["pytorch-warning"]
    assert list(PyTorchWarning().check(_trace(("grad_scaler", {}), warning).view())) == []


def test_unknown_warnings_and_the_size_mismatch_are_left_alone():
    other = ("torch_warning", {"message": "This DataLoader will create 8 worker processes", "category": "UserWarning"})
    size = ("torch_warning", {"message": "Using a target size (torch.Size([8])) that is different to the input size"})
    assert list(PyTorchWarning().check(_trace(other, size).view())) == []
