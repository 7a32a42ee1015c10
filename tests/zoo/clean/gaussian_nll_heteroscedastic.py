"""Healthy: heteroscedastic regression minimising the Gaussian negative log-likelihood. The targets
are nearly noiseless, so as the predicted variance shrinks the NLL goes well below zero (to about
-2.5) and keeps falling slowly: a negative, falling loss that is bounded."""

import math

import torch
from torch import nn

torch.manual_seed(21)
x = torch.linspace(-3, 3, 512).unsqueeze(1)
y = torch.sin(x) + 0.02 * torch.randn_like(x)
model = nn.Sequential(nn.Linear(1, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(60):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 64):
        idx = perm[i : i + 64]
        mu, log_var = model(x[idx]).chunk(2, dim=1)
        nll = 0.5 * (log_var + (y[idx] - mu) ** 2 / log_var.exp() + math.log(2 * math.pi)).mean()
        opt.zero_grad()
        nll.backward()
        opt.step()
print(f"final NLL {nll.item():.3f}")
