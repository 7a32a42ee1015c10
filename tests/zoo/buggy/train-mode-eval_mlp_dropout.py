"""Bug: the validation loop runs under no_grad but model.eval() is never called, so dropout is
still active while measuring validation loss."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1400], y[:1400], X[1400:], y[1400:]

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.4), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(4):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        val = sum(F.cross_entropy(model(Xva[j : j + 100]), yva[j : j + 100]).item() for j in range(0, len(Xva), 100))
    print(f"epoch {epoch} val loss {val:.3f}")
