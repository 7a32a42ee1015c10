"""Dead and saturated units: against slow loops, functional and module activations alike."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from quantity_helpers import watch_steps
from torch import nn

from nndoctor.quantities.activations import WINDOW, dead_fraction, fired_units, saturated_fraction


def slow_dead_fraction(out: torch.Tensor, dim: int) -> float:
    units = out.shape[dim]
    dead = 0
    for u in range(units):
        values = out.select(dim, u).reshape(-1).tolist()
        if all(v <= 0 for v in values):
            dead += 1
    return dead / units


@pytest.mark.parametrize("shape,dim", [((16, 12), 1), ((8, 6, 5, 5), 1), ((8, 7, 9), 2)])
def test_dead_fraction_matches_a_python_loop(shape, dim):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(*shape, generator=g)
    x = x - torch.linspace(-8, 8, shape[dim]).reshape([-1 if d == dim else 1 for d in range(len(shape))])
    out = F.relu(x)
    assert dead_fraction(out, dim) == pytest.approx(slow_dead_fraction(out, dim))
    assert 0 < dead_fraction(out, dim) < 1


def test_fired_units_ignores_nan_batches():
    assert fired_units(torch.full((4, 3), math.nan), 1) is None


def test_saturated_fraction_matches_a_python_loop():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(32, 10, generator=g) * 4
    for kind, fn in (("sigmoid", torch.sigmoid), ("tanh", torch.tanh)):
        y = fn(x)
        lo, hi = (0.0, 1.0) if kind == "sigmoid" else (-1.0, 1.0)
        flat = y.reshape(-1).tolist()
        expected = sum(1 for v in flat if v < lo + 0.01 or v > hi - 0.01) / len(flat)
        assert saturated_fraction(kind, y) == pytest.approx(expected)
    assert saturated_fraction(nn.Sigmoid(), torch.sigmoid(x)) == pytest.approx(
        saturated_fraction("sigmoid", torch.sigmoid(x))
    )


class Mixed(nn.Module):
    """A ReLU module, a functional ReLU, a functional tanh, swish, and a final sigmoid."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.act1 = nn.ReLU()
        self.fc2 = nn.Linear(16, 12)
        self.fc3 = nn.Linear(12, 10)
        self.fc4 = nn.Linear(10, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        h = self.act1(self.fc1(x))
        h = F.relu(self.fc2(h))
        h = torch.tanh(self.fc3(h))
        z = self.fc4(h)
        h = z * torch.sigmoid(z)  # swish: not a saturating activation
        return torch.sigmoid(self.out(h))


def _mixed_run(steps=6):
    torch.manual_seed(0)
    model = Mixed()
    with torch.no_grad():
        model.fc2.bias[:6] = -50.0  # six of twelve units can never fire
        model.fc3.weight.mul_(200.0)  # tanh driven into its tails
        model.out.weight.mul_(100.0)  # a very confident final sigmoid
    g = torch.Generator().manual_seed(3)
    xs = [torch.randn(32, 6, generator=g) for _ in range(steps)]
    y = torch.rand(32, 1, generator=g)
    view, _ = watch_steps(model, lambda i: F.binary_cross_entropy(model(xs[i]), y), steps, "activations")
    return model, xs, view


def test_functional_and_module_activations_are_found_and_named():
    model, xs, view = _mixed_run()
    sites = {e.data["key"]: e.data for e in view.events("activation_site")}
    assert sites["model.act1"]["functional"] is False and sites["model.act1"]["after"] == "model.fc1"
    assert sites["model.fc2"] == {**sites["model.fc2"], "kind": "relu", "functional": True, "after": "model.fc2"}
    assert sites["model.fc3"]["kind"] == "tanh"
    assert "model.fc4" not in sites  # swish's sigmoid is not a saturating activation
    assert "model.out" not in sites  # the final sigmoid is the output, not a hidden layer
    assert set(view.keys("saturated_fraction")) == {"model.fc3"}


def test_windowed_dead_fraction_matches_slow_version():
    model, xs, view = _mixed_run()
    series = view.series("dead_fraction", "model.fc2")
    # lr=0: the weights never change, so the window over steps 0-2 covers batches 0, 1 and 2.
    assert list(series.steps[:2]) == [WINDOW - 1, WINDOW]
    with torch.no_grad():
        pre = [model.fc2(model.act1(model.fc1(x))) for x in xs[:WINDOW]]
    expected = slow_dead_fraction(F.relu(torch.cat(pre)), 1)
    assert expected == pytest.approx(0.5)
    assert series.values[0] == pytest.approx(expected)


def test_saturated_fraction_series_matches_slow_version():
    model, xs, view = _mixed_run()
    with torch.no_grad():
        h = F.relu(model.fc2(model.act1(model.fc1(xs[0]))))
        y = torch.tanh(model.fc3(h)).reshape(-1).tolist()
    expected = sum(1 for v in y if abs(v) > 0.99) / len(y)
    s = view.series("saturated_fraction", "model.fc3")
    assert s.steps[0] == 0 and s.values[0] == pytest.approx(expected)
    assert expected > 0.5


def test_nan_activations_are_not_called_dead():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
    x = torch.randn(16, 4)
    x[0, 0] = math.nan
    view, _ = watch_steps(model, lambda i: model(x).mean(), 5, "activations")
    assert len(view.series("dead_fraction", "model.1")) == 0


def test_hand_written_softmax_input_is_recorded():
    torch.manual_seed(0)
    model = nn.Linear(5, 4)
    x = torch.randn(16, 5) * 20

    def step(i):
        logits = model(x)
        e = torch.exp(logits)
        p = e / e.sum(dim=1, keepdim=True)
        return -torch.log(p[:, 0]).mean()

    view, _ = watch_steps(model, step, 2, "activations")
    s = view.series("softmax_exp_input_max", "model")
    with torch.no_grad():
        expected = float(model(x).max())
    assert s.values[0] == pytest.approx(expected, rel=1e-4)


def test_hand_written_logsumexp_input_is_recorded_and_stable_forms_are_not():
    torch.manual_seed(0)
    model = nn.Linear(5, 4)
    x = torch.randn(16, 5) * 20

    def step(i):
        logits = model(x)
        lse = torch.log(torch.exp(logits).sum(dim=1) + 1e-12)
        return (lse - logits[:, 0]).mean() + torch.logsumexp(logits, dim=1).mean() + logits.softmax(1)[:, 0].mean()

    view, _ = watch_steps(model, step, 1, "activations")
    (value,) = view.series("softmax_exp_input_max", "model").values
    with torch.no_grad():
        assert value == pytest.approx(float(model(x).max()), rel=1e-4)
