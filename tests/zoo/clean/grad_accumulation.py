"""Healthy: gradient accumulation over 4 micro-batches, zero_grad after the step, a cosine LR schedule."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(3)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=150)
accum = 4
for epoch in range(60):
    perm = torch.randperm(len(X))
    for k, i in enumerate(range(0, len(X), 16)):
        idx = perm[i : i + 16]
        loss = F.cross_entropy(model(X[idx]), y[idx]) / accum
        loss.backward()
        if (k + 1) % accum == 0:
            optimizer.step()
            optimizer.zero_grad()
            scheduler.step()
print(f"final loss {loss.item() * accum:.3f}")
