"""Healthy: only the head is given to the optimizer while the backbone keeps requires_grad=True (a frozen
backbone by omission: at most an info finding)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(13)
X, y = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

backbone = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
model = nn.Sequential(backbone, nn.Linear(32, 3))
optimizer = torch.optim.SGD(model[1].parameters(), lr=0.05, momentum=0.9)
for _step in range(150):
    idx = torch.randint(0, len(X), (32,))
    loss = F.cross_entropy(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
