"""Bug: unnormalized-input. Raw sensor readings go into a 1-D conv net: temperatures in kelvin
(~290-310) and pressure in hPa (~1000) as two channels, never standardised, so every
pre-activation is dominated by a constant offset of hundreds."""

import math

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(36)
N, T = 800, 48
t = torch.arange(T, dtype=torch.float32)
storm = torch.randint(0, 2, (N,))
temp = 300 + 5 * torch.sin(2 * math.pi * t / 24 + torch.rand(N, 1) * 6) - 3 * storm[:, None] * (t / T)
pressure = 1013 + 2 * torch.randn(N, T) - 15 * storm[:, None] * (t / T)
X = torch.stack([temp, pressure], 1)
y = storm

model = nn.Sequential(
    nn.Conv1d(2, 16, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(16, 2)
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(5):
    perm = torch.randperm(N)
    for i in range(0, N, 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
