"""Bug: loss-plateau. A hand-made shuffling step permutes the features and the labels with two
different random permutations (perm_x, perm_y), so inputs and labels no longer match: the digits
MLP can only learn the class frequencies and the loss sits at ln(10)."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(34)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(6):
    perm_x = torch.randperm(len(X))
    perm_y = torch.randperm(len(y))
    Xs, ys = X[perm_x], y[perm_y]
    for i in range(0, len(X), 64):
        loss = F.cross_entropy(model(Xs[i : i + 64]), ys[i : i + 64])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
