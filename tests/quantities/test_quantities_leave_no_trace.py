"""The graph walks and module hooks of these quantities never change the user's run."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from quantity_helpers import measuring
from torch import nn

from nndoctor.monitor.monitor import Monitor


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc1 = nn.Linear(4 * 6 * 6, 16)
        self.fc2 = nn.Linear(16, 3)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)), inplace=True)
        x = self.drop(torch.tanh(self.fc1(x.flatten(1))))
        return F.softmax(self.fc2(x), dim=1)


def _train(watch: bool) -> tuple[torch.Tensor, dict, torch.Tensor]:
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    mon = None
    if watch:
        names = ("activations", "inputs", "outputs", "loss_inputs", "structure", "warnings", "nonfinite_ops")
        mon = Monitor([net], rules=[measuring(*names)]).start()
    losses = []
    try:
        for _ in range(12):
            x = torch.randn(8, 1, 8, 8) * 40
            y = torch.randint(0, 3, (8,))
            loss = F.nll_loss(torch.log(net(x)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.detach())
    finally:
        if mon is not None:
            mon.stop()
            assert mon.trace.view().keys("dead_fraction")  # it did measure
    return torch.stack(losses), {k: v.clone() for k, v in net.state_dict().items()}, torch.get_rng_state()


def test_losses_weights_and_rng_are_bit_identical():
    a, b = _train(False), _train(True)
    assert torch.equal(a[0].view(torch.int32), b[0].view(torch.int32))
    for k in a[1]:
        assert torch.equal(a[1][k], b[1][k]), k
    assert torch.equal(a[2], b[2])
