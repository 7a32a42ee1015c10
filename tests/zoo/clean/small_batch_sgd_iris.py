"""Healthy: SGD with batch size 4 on iris: each step's loss jumps with the few examples in its
batch (a noisy curve is expected), while the epoch loss falls steadily."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from torch import nn

torch.manual_seed(18)
Xn, yn = load_iris(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)

model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.02)
for epoch in range(15):
    perm = torch.randperm(len(X))
    total = 0.0
    for i in range(0, len(X), 4):
        idx = perm[i : i + 4]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    print(f"epoch {epoch} loss {total / len(X):.3f}")
