"""Healthy: heteroscedastic regression with GaussianNLLLoss: the network predicts a mean and a
variance (softplus output, so always positive) for a target whose noise grows with x."""

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(24)
N = 2000
x = torch.rand(N, 1) * 4 - 2
y = torch.sin(2 * x) + (0.05 + 0.3 * x.abs()) * torch.randn(N, 1)


class HeteroNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh())
        self.mean = nn.Linear(64, 1)
        self.var = nn.Linear(64, 1)

    def forward(self, x):
        h = self.body(x)
        return self.mean(h), F.softplus(self.var(h)) + 1e-4


model = HeteroNet()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.GaussianNLLLoss()
for epoch in range(8):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        mean, var = model(x[idx])
        loss = loss_fn(mean, y[idx], var)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} nll {loss.item():.3f}")
