"""Healthy: count regression with PoissonNLLLoss (log-rate output) on synthetic event counts whose
rate depends on a few features; Adam, and a held-out check each epoch."""

import torch
from torch import nn

torch.manual_seed(13)
N = 2000
X = torch.randn(N, 6)
rate = torch.exp(0.5 + 0.6 * X[:, 0] - 0.4 * X[:, 1] + 0.3 * X[:, 2] * X[:, 3])
y = torch.poisson(rate).unsqueeze(1)
Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]

model = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 1))
loss_fn = nn.PoissonNLLLoss(log_input=True)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
for epoch in range(8):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i : i + 64]
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(Xva), yva).item()
    print(f"epoch {epoch} val poisson nll {val:.3f}")
