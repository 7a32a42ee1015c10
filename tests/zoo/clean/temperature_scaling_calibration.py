"""Healthy: train a classifier on digits, then calibrate it post hoc by fitting a single temperature
on held-out logits with LBFGS while the network stays frozen (Guo et al.'s temperature scaling)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(64)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
Xtr, ytr, Xcal, ycal = X[:1300], y[:1300], X[1300:], y[1300:]

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(10):
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
    logits = model(Xcal)
log_t = torch.zeros(1, requires_grad=True)
calib = torch.optim.LBFGS([log_t], lr=0.1, max_iter=50)


def closure():
    calib.zero_grad()
    nll = F.cross_entropy(logits / log_t.exp(), ycal)
    nll.backward()
    return nll


calib.step(closure)
print(f"temperature {log_t.exp().item():.2f}")
