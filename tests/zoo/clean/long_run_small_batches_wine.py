"""Healthy: a long run (~3000 steps) of a small wine classifier with batches of 8, AdamW and a
cosine schedule, validated every 25 epochs: the loss converges early and then sits at its floor."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(120)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:144], y[:144], X[144:], y[144:]

model = nn.Sequential(nn.Linear(13, 16), nn.ReLU(), nn.Linear(16, 3))
epochs = 170
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 8):
        idx = order[i : i + 8]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scheduler.step()
    if epoch % 25 == 24:
        model.eval()
        with torch.no_grad():
            val = F.cross_entropy(model(Xva), yva).item()
        print(f"epoch {epoch} val loss {val:.3f}")
