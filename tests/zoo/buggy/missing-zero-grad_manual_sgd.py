"""Bug: a hand-written SGD update (no optimizer) that never clears p.grad."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(2)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(13, 16), nn.ReLU(), nn.Linear(16, 3))
lr = 0.01
for epoch in range(15):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
print(f"final loss {loss.item():.3f}")
