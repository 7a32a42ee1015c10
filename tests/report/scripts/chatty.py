"""Prints while it trains (whole lines, a line written in two parts, a line on stderr) for about
two seconds (sleeping, so the live status has time to draw; ``CHATTY_PACE=0.2`` sleeps a fifth
as long); its loss overflows at step 25 (nonfinite-loss), so a finding is printed live."""

import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.factor = 1.0

    def forward(self, x):
        return x * self.factor


PACE = float(os.environ.get("CHATTY_PACE", "1"))
torch.manual_seed(0)
X, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), Scale(), nn.Linear(16, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for step in range(60):
    if step == 25:
        model[2].factor = float("inf")
    loss = F.cross_entropy(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print(f"epoch {step // 20}: ", end="", flush=True)
        time.sleep(0.3 * PACE)
        print(f"loss {loss.item():.6f}")
    if step == 30:
        print("a line on stderr", file=sys.stderr)
    time.sleep(0.02 * PACE)
print("finished")
