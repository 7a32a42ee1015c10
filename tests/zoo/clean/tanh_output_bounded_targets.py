"""Healthy: a controller-style regression whose targets are bounded in [-1, 1] and often near the
bounds (a saturating function of the inputs), so the network ends in tanh, as policies in
continuous control do; MSE loss, Adam."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(25)
N = 2000
X = torch.randn(N, 4)
y = torch.tanh(2.0 * (X[:, :1] - 0.5 * X[:, 1:2]) + 0.3 * X[:, 2:3] * X[:, 3:4])

model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Tanh())
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(8):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = F.mse_loss(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} mse {loss.item():.4f}")
