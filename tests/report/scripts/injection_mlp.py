"""An MLP on made-up 8x8 "digits" whose middle layer is named like an HTML injection; at step 25 that layer's
output overflows (its factor becomes inf), so nonfinite-loss points at it.

``--forever``: keep training (slowly) until killed, printing each step, flushed.
"""

import sys
import time
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

NAME = "<script>alert(1)</script>"


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.factor = 1.0

    def forward(self, x):
        return x * self.factor


torch.manual_seed(0)
y = torch.randint(0, 10, (1024,))
X = torch.randn(1024, 64) * 0.5 + torch.nn.functional.one_hot(y, 64).float() * 2
model = nn.Sequential(
    OrderedDict([("fc1", nn.Linear(64, 32)), ("act", nn.ReLU()), (NAME, Scale()), ("fc2", nn.Linear(32, 10))])
)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
forever = "--forever" in sys.argv
step = 0
while forever or step < 40:
    idx = torch.arange(step * 32, step * 32 + 32) % len(X)
    if step == 25:
        model[2].factor = float("inf")
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    step += 1
    if forever:
        print(f"step {step}", flush=True)
        time.sleep(0.01)
print("done")
