"""Bug: params-not-updated. optimizer.zero_grad() sits between loss.backward() and optimizer.step()
(the lines were reordered), so step() always finds the gradients cleared (None) and changes
nothing: the digits MLP keeps its random initial weights."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(101)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(3):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
