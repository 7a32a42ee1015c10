"""examine leaves no trace: parameters, buffers, gradients, modes, optimizer state and RNGs bit-identical."""

import random

import numpy as np
import pytest
import torch
from examine_helpers import BUDGET
from recipe_data import iris
from torch import nn

from nndoctor.experiments import EXPERIMENTS, examine


class Gain(nn.Module):
    """A custom (non-torch.nn) module, so that the gradient check has something to check."""

    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n))

    def forward(self, x):
        return x * self.gain


def _model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Dropout(0.9),
        nn.Linear(4, 16),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        Gain(16),
        nn.Dropout(0.9),
        nn.Linear(16, 3),
    )


def _snapshot(model, opt):
    state = opt.state_dict()
    return {
        "params": [p.detach().clone() for p in model.parameters()],
        "grads": [None if p.grad is None else p.grad.clone() for p in model.parameters()],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "buffers": [b.clone() for b in model.buffers()],
        "modes": [m.training for m in model.modules()],
        "dropout": [m.p for m in model.modules() if isinstance(m, nn.Dropout)],
        "opt_state": {
            k: {n: v.clone() if torch.is_tensor(v) else v for n, v in s.items()} for k, s in state["state"].items()
        },
        "opt_groups": [dict(g) for g in state["param_groups"]],
        "rng": (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate()),
        "threads": torch.get_num_threads(),
    }


def _same(a, b):
    if torch.is_tensor(a):
        return torch.is_tensor(b) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def _used_model_and_optimizer():
    """A model part-way through training: momentum buffers, a grad, a frozen parameter, eval mode."""
    model = _model()
    Xtr, ytr, Xva, yva = iris()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=0.5)
    for _ in range(3):  # an optimizer with momentum buffers, shared with the factory
        opt.zero_grad()
        nn.functional.cross_entropy(model(Xtr[:16]), ytr[:16]).backward()
        opt.step()
    model[2].weight.requires_grad_(False)  # a frozen parameter stays frozen
    model.eval()  # and the mode the user left it in stays
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    recipe = {
        "model": model,
        "loss_fn": nn.CrossEntropyLoss(),
        "optimizer": lambda params: opt,
        "train": (Xtr, ytr),
        "val": (Xva, yva),
        "batch_size": 16,
    }
    return model, opt, recipe


def _assert_unchanged(before, after):
    for key in before:
        assert _same(before[key], after[key]), key


def test_examine_restores_model_optimizer_and_rng_bit_for_bit():
    model, opt, recipe = _used_model_and_optimizer()
    before = _snapshot(model, opt)
    result = examine(recipe, budget=BUDGET)
    after = _snapshot(model, opt)
    ran = {o.name: o.status for o in result.outcomes}
    assert {ran[name] for name in ran} == {"done"}, ran
    # The regularisation-free rerun ran (it changes dropout p and weight decay): the restore covers it.
    assert result.trace.view().events("overfit_unregularized")
    _assert_unchanged(before, after)


@pytest.mark.parametrize("name", [cls.name for cls in EXPERIMENTS if cls.name != "probe"])
def test_each_experiment_alone_leaves_no_trace(name):
    model, opt, recipe = _used_model_and_optimizer()
    before = _snapshot(model, opt)
    result = examine(recipe, only=(name,), budget=BUDGET)
    after = _snapshot(model, opt)
    assert {o.name: o.status for o in result.outcomes}[name] == "done"
    _assert_unchanged(before, after)
