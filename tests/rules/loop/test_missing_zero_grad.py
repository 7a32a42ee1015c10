"""missing-zero-grad: gradients never cleared between steps; accumulation and GAN loops are fine."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.monitor.monitor import Monitor
from nndoctor.rules.loop.missing_zero_grad import MissingZeroGrad
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,key",
    [
        ("buggy/missing-zero-grad_mlp_digits.py", "optimizer"),  # SGD + momentum, classification
        ("buggy/missing-zero-grad_regression_adam.py", "optimizer"),  # Adam, regression
        ("buggy/missing-zero-grad_manual_sgd.py", "manual"),  # no optimizer: p -= lr * p.grad
        ("buggy/missing-zero-grad_gru_sequences.py", "optimizer"),  # GRU classifier, SGD + momentum
        ("buggy/missing-zero-grad_once_per_epoch.py", "optimizer"),  # zero_grad() above the batch loop
    ],
)
def test_uncleared_gradients_are_found(script, key):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "missing-zero-grad"]
    assert f.severity is Severity.ERROR and f.where == "model"
    # every checked window, or all but the one that spans a zero_grad() once per epoch
    assert (
        f.evidence["windows_checked"] - 1 <= f.evidence["windows_not_cleared"]
        and f.evidence["windows_not_cleared"] >= 3
    )
    assert f.evidence["params_checked"] and all(p.startswith("model.") for p in f.evidence["params_checked"])
    assert "zero_grad" in f.fix or "p.grad = None" in f.fix
    if key == "optimizer":
        assert f.evidence["grad_norm_late"] > 2 * f.evidence["grad_norm_early"]  # gradients pile up


def test_healthy_loops_clear_their_gradients(clean_results):
    # accumulation, zero_grad(set_to_none=False), model.zero_grad(), p.grad = None, a GAN
    for name in (
        "grad_accumulation",
        "adversarial_fgsm",
        "frozen_bn_finetune",
        "manual_sgd_accumulation",
        "gan_mixture",
    ):
        assert name in clean_results
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "missing-zero-grad"], name


def _stale_values(train) -> dict[str, list[float]]:
    """Run ``train`` under a monitor measuring grad_clearing; stale_grad values by key."""

    class _Measure(MissingZeroGrad):
        def check(self, view):
            return ()

    monitor = Monitor(rules=[_Measure()])
    with monitor:
        train()
    view = monitor.trace.view(final=True)
    return {k: view.series("stale_grad", k).values.tolist() for k in view.keys("stale_grad")}


def test_gan_generator_backward_into_stale_discriminator_grads_is_not_stale():
    """DCGAN order: errG.backward() adds into netD's grads before netD.zero_grad() clears them."""
    torch.manual_seed(0)
    g, d = nn.Linear(4, 2), nn.Linear(2, 1)
    opt_d, opt_g = torch.optim.SGD(d.parameters(), lr=0.01), torch.optim.SGD(g.parameters(), lr=0.01)

    def train():
        for _ in range(8):
            d.zero_grad()
            d(torch.randn(8, 2)).mean().backward()
            fake = g(torch.randn(8, 4))
            d(fake.detach()).mean().backward()
            opt_d.step()
            g.zero_grad()
            (-d(fake).mean()).backward()
            opt_g.step()

    values = _stale_values(train)
    assert set(values) == {"optimizer", "optimizer2"}
    assert all(v == 0.0 for vs in values.values() for v in vs) and len(values["optimizer"]) >= 4


def test_zero_grad_called_on_another_model_is_found():
    # teacher.zero_grad() while the optimizer steps the student: the student's gradients pile up
    result = run_zoo("buggy/missing-zero-grad_zero_grad_wrong_model.py")
    (f,) = [f for f in result.findings if f.id == "missing-zero-grad"]
    assert f.severity is Severity.ERROR and f.where == "student"
    # every checked window, or all but the one that spans a zero_grad() once per epoch
    assert (
        f.evidence["windows_checked"] - 1 <= f.evidence["windows_not_cleared"]
        and f.evidence["windows_not_cleared"] >= 3
    )
    assert all(p.startswith("student.") for p in f.evidence["params_checked"])
    assert f.evidence["grad_norm_late"] > 2 * f.evidence["grad_norm_early"]


@pytest.mark.parametrize("clear", ["none", "set_to_none_false", "after_step", "manual_none"])
def test_every_way_of_clearing_counts(clear):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def train():
        for _ in range(6):
            if clear == "set_to_none_false":
                opt.zero_grad(set_to_none=False)
            model(torch.randn(5, 3)).pow(2).mean().backward()
            opt.step()
            if clear == "after_step":
                model.zero_grad()
            if clear == "manual_none":
                for p in model.parameters():
                    p.grad = None

    values = _stale_values(train)["optimizer"]
    assert len(values) >= 4
    assert all(v == (1.0 if clear == "none" else 0.0) for v in values)


def _trace(values, key="optimizer"):
    trace = Trace()
    for i, v in enumerate(values):
        trace.scalar("stale_grad", i + 1, v, key)
    trace.event("stale_grad_params", 1, key=key, params=["net.fc.bias"])
    return trace


def test_rule_needs_several_uncleared_windows():
    assert list(MissingZeroGrad().check(_trace([1.0, 1.0]).view())) == []
    assert list(MissingZeroGrad().check(_trace([0.0] * 10 + [1.0] * 3).view())) == []  # mostly cleared
    (f,) = MissingZeroGrad().check(_trace([1.0] * 5).view())
    assert f.where == "net" and f.step == 1


def test_the_fix_names_the_optimizer_the_script_holds():
    # (the optimizer is held in a variable called opt, or optimizer: the fix calls that one)
    result = run_zoo("buggy/missing-zero-grad_mlp_digits.py")
    (f,) = [f for f in result.findings if f.id == "missing-zero-grad"]
    var = f.evidence["optimizer_variable"]
    assert var.isidentifier() and f"{var}.zero_grad()" in f.fix
