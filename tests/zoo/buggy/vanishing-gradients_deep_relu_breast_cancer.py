"""Bug: a 12-layer plain ReLU MLP (default init, no normalisation, no residuals) on breast-cancer
features: the signal shrinks layer after layer and the first layers' gradients vanish."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(3)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y)

layers = [nn.Linear(30, 64), nn.ReLU()]
for _ in range(10):
    layers += [nn.Linear(64, 64), nn.ReLU()]
model = nn.Sequential(*layers, nn.Linear(64, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for _epoch in range(12):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
