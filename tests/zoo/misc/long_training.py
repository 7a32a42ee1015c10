"""Trains 'forever' (until killed or interrupted), printing each step number, flushed."""

import sys
import time

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=1e-2)
X, y = torch.randn(256, 16), torch.randn(256, 1)
step = 0
while True:
    loss = nn.functional.mse_loss(model(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step}", flush=True)
    step += 1
    time.sleep(0.01)
    if step > 100000:
        sys.exit(0)
