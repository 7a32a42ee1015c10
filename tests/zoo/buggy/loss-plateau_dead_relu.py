"""Bug: a bad initialisation (large negative biases) kills every ReLU: the network outputs a constant
and the loss sits at the entropy of the label distribution (~ln 10)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(15)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
with torch.no_grad():
    model[0].bias.fill_(-20.0)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
