"""Healthy: a hand-written SGD update (no optimizer) with gradient accumulation over 2 micro-batches
and p.grad = None after each update."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_iris
from torch import nn

torch.manual_seed(10)
X, y = load_iris(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 3))
lr = 0.1
for epoch in range(40):
    perm = torch.randperm(len(X))
    for k, i in enumerate(range(0, len(X), 15)):
        idx = perm[i : i + 15]
        loss = F.cross_entropy(model(X[idx]), y[idx]) / 2
        loss.backward()
        if k % 2 == 1:
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad = None
print(f"final loss {2 * loss.item():.3f}")
