"""Healthy: an exponential-moving-average copy of a CNN (copy.deepcopy, requires_grad off) updated
under torch.no_grad() after each optimizer step and used for evaluation, on 8x8 digits."""

import copy

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(44)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
X = (X - 0.3) / 0.4
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
    nn.Flatten(), nn.Linear(32, 10),
)  # fmt: skip
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
decay = 0.99
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters(), strict=False):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


for _epoch in range(6):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        update_ema()
    ema.eval()
    with torch.no_grad():
        val = F.cross_entropy(ema(Xva), yva).item()
print(f"ema val loss {val:.3f}")
