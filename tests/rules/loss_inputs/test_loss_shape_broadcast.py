"""loss-shape-broadcast: (N, 1) against (N,) in elementwise losses, and PyTorch's own warning."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.quantities.loss_inputs import broadcast_shape
from nndoctor.rules.loss.loss_shape_broadcast import LossShapeBroadcast
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,where,shapes,fix",
    [
        ("buggy/loss-shape-broadcast_mse_module.py", "model.2", ([32, 1], [32]), "output.squeeze(-1)"),
        ("buggy/loss-shape-broadcast_l1_functional.py", "model", ([32], [32, 1]), "y.squeeze(-1)"),
        # nn.SmoothL1Loss, output squeezed to (N,), targets loaded as a (N, 1) column
        ("buggy/loss-shape-broadcast_huber_targets_column.py", "model", ([64], [64, 1]), "y.squeeze(-1)"),
    ],
)
def test_broadcasting_losses_are_found(script, where, shapes, fix):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "loss-shape-broadcast"]
    assert f.where == where and f.severity is Severity.ERROR
    assert (f.evidence["input_shape"], f.evidence["target_shape"]) == shapes
    n = shapes[0][0]
    assert f.evidence["broadcast_shape"] == [n, n] and fix in f.fix


def test_healthy_runs_have_matching_shapes(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "loss-shape-broadcast"], name


def test_broadcast_matches_torch():
    import torch

    for a, b in [([4, 1], [4]), ([3], [4, 1]), ([2, 3], [3]), ([5, 2], [5, 3])]:
        try:
            expected = list(torch.broadcast_shapes(tuple(a), tuple(b)))
        except RuntimeError:
            expected = None
        assert broadcast_shape(a, b) == expected


def test_pytorch_warning_alone_is_enough():
    trace = Trace()
    msg = (
        "Using a target size (torch.Size([64])) that is different to the input size (torch.Size([64, 1])). "
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size."
    )
    trace.event("torch_warning", 7, message=msg, category="UserWarning")
    (f,) = LossShapeBroadcast().check(trace.view())
    assert f.step == 7 and f.evidence["detected_from"] == "PyTorch warning"
    assert f.evidence["broadcast_shape"] == [64, 64]
    trace.event("loss_call", 7, fn="mse_loss", input_shape=[64, 1], target_shape=[64], producer="model.fc")
    (f,) = LossShapeBroadcast().check(trace.view())  # the same mismatch is reported once
    assert f.where == "model.fc"


def test_expanded_target_is_a_warning_and_a_constant_target_is_fine():
    trace = Trace()
    trace.event("loss_call", 0, fn="mse_loss", input_shape=[8, 3], target_shape=[8, 1])
    trace.event("loss_call", 0, fn="mse_loss", input_shape=[8, 3], target_shape=[1])
    (f,) = LossShapeBroadcast().check(trace.view())
    assert f.severity is Severity.WARNING and f.evidence["target_shape"] == [8, 1]


def test_a_smaller_last_batch_is_the_same_mismatch():
    trace = Trace()
    trace.event("loss_call", 0, fn="mse_loss", input_shape=[32, 1], target_shape=[32], producer="model.2")
    msg = "Using a target size (torch.Size([26])) that is different to the input size (torch.Size([26, 1]))."
    trace.event("torch_warning", 13, message=msg, category="UserWarning")
    (f,) = LossShapeBroadcast().check(trace.view())
    assert f.where == "model.2" and f.step == 0
