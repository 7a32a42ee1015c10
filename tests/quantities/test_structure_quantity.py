"""Linear chains by tensor provenance: real chains found with their widths, functional ReLUs not."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from quantity_helpers import watch_steps
from torch import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(16, 8)
        self.fc3 = nn.Linear(8, 4)
        self.enc = nn.Sequential(nn.Linear(4, 2))
        self.dec = nn.Sequential(nn.Linear(2, 3))

    def forward(self, x):
        x = self.fc2(self.drop(self.fc1(x)))  # a chain through dropout
        x = self.fc3(F.relu(x))  # functional relu: no chain
        return self.dec(self.enc(x))  # chains across parents (fc3 -> enc.0 -> dec.0)


def test_linear_chains_carry_widths_and_parents():
    torch.manual_seed(0)
    model = Net()
    x = torch.randn(8, 6)
    view, _ = watch_steps(model, lambda i: model(x).sum(), 2, "structure")
    chains = {(e.data["first"], e.data["second"]): e.data for e in view.events("linear_chain")}
    assert set(chains) == {("model.fc1", "model.fc2"), ("model.fc3", "model.enc.0"), ("model.enc.0", "model.dec.0")}
    c = chains[("model.fc1", "model.fc2")]
    assert (c["first_in"], c["first_out"], c["second_out"]) == (6, 16, 8)
    assert c["same_parent"] and c["between"] == ["Dropout"]
    assert not chains[("model.enc.0", "model.dec.0")]["same_parent"]


def test_depthwise_conv_is_marked():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(4, 4, 3, groups=4), nn.Conv2d(4, 8, 1))
    x = torch.randn(2, 4, 6, 6)
    view, _ = watch_steps(model, lambda i: model(x).sum(), 1, "structure")
    (e,) = view.events("linear_chain")
    assert e.data["first_depthwise"] and not e.data["second_depthwise"]


class InPlace(nn.Module):
    """ResNet style: conv -> bn -> in-place ReLU (module or functional) -> conv."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.conv3 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        x = self.conv2(self.relu(self.bn1(self.conv1(x))))
        return self.conv3(x.relu_())


def test_in_place_activations_break_the_chain():
    torch.manual_seed(0)
    model = InPlace()
    x = torch.randn(2, 3, 6, 6)
    view, _ = watch_steps(model, lambda i: model(x).sum(), 2, "structure")
    assert view.events("linear_chain") == []
