"""missing-activation: stacked linear layers; not bottlenecks, separable convs or F.relu."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from conftest import run_zoo


@pytest.mark.parametrize(
    "script,where,second",
    [
        ("buggy/missing-activation_sequential.py", "model.0", "model.1"),  # nn.Sequential Linear, Linear
        ("buggy/missing-activation_cnn_forward.py", "model.conv1", "model.conv2"),  # conv2(conv1(x)) in forward
    ],
)
def test_stacked_linear_layers_are_found(script, where, second):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "missing-activation"]
    assert f.where == where and f.evidence["second"] == second
    assert "ReLU" in f.fix


def test_an_activation_defined_but_never_called_in_forward():
    """self.relu = nn.ReLU() in __init__, forward() never calls it: fc1 -> fc2 -> fc3 is one linear map."""
    result = run_zoo("buggy/missing-activation_relu_defined_not_used.py")
    pairs = {(f.where, f.evidence["second"]) for f in result.findings if f.id == "missing-activation"}
    assert pairs == {("model.fc1", "model.fc2"), ("model.fc2", "model.fc3")}


def test_healthy_runs_have_their_activations(clean_results):
    # Includes an autoencoder with a linear code and a depthwise-separable convolution.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "missing-activation"], name


class Deliberate(nn.Module):
    """Linear pairs on purpose: a LoRA-style low-rank bypass and an encoder/decoder code."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(16, 16)
        self.lora_a = nn.Linear(16, 2, bias=False)
        self.lora_b = nn.Linear(2, 16, bias=False)
        self.encoder = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4))
        self.decoder = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 16))

    def forward(self, x):
        x = F.relu(self.fc(x) + self.lora_b(self.lora_a(x)))
        return self.decoder(self.encoder(x))


def test_deliberate_linear_pairs_are_not_flagged():
    torch.manual_seed(0)
    model = Deliberate()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with nndoctor.watch(model, opt, live=False) as doctor:
        for _ in range(3):
            x = torch.randn(8, 16)
            loss = F.mse_loss(model(x), x)
            opt.zero_grad()
            loss.backward()
            opt.step()
    chains = doctor.trace.view().events("linear_chain")
    assert len(chains) == 2  # both pairs were seen...
    assert "missing-activation" not in {f.id for f in doctor.findings}  # ...and judged deliberate
