"""Bug: params-not-updated. The training loop computes the loss, calls zero_grad() and backward(),
but the optimizer.step() line was lost in a refactor (moved under an if that never runs): every
parameter gets a gradient and none is ever updated."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(100)
Xn, yn = load_wine(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(yn)

model = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
log_every = 0
for _ in range(20):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 16):
        idx = perm[i : i + 16]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        if log_every and i % log_every == 0:
            optimizer.step()
print(f"final loss {loss.item():.3f}")
