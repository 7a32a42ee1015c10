"""Healthy: an MLP on digits whose hidden layers use torch.nn.utils.parametrizations.weight_norm
and whose last layer uses spectral_norm, trained with Adam."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm, weight_norm

torch.manual_seed(47)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]

model = nn.Sequential(
    weight_norm(nn.Linear(64, 128)), nn.ReLU(),
    weight_norm(nn.Linear(128, 64)), nn.ReLU(),
    spectral_norm(nn.Linear(64, 10)),
)  # fmt: skip
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
for _epoch in range(8):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = F.cross_entropy(model(Xva), yva).item()
print(f"val loss {val:.3f}")
