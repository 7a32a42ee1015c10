"""Bug: a hand-written update that adds the gradient (p += lr * grad): gradient ascent."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(12)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
lr = 0.01
for epoch in range(12):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p += lr * p.grad
                p.grad = None
print(f"final loss {loss.item():.3f}")
