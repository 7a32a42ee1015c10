"""Bug: a regression target column with missing values (NaN) read straight from a table: the inputs
are clean, but the targets of some batches hold NaN, so the loss is NaN."""

import torch
from sklearn.datasets import load_wine
from torch import nn

torch.manual_seed(6)
X, _ = load_wine(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = X[:, 12:13].clone()  # predict proline from the other features
X = X[:, :12]
X = (X - X.mean(0)) / X.std(0)
y = (y - y.mean()) / y.std()
y[torch.randperm(len(y))[:3]] = float("nan")  # BUG: three missing targets, never dropped

model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _epoch in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 16):
        idx = perm[i : i + 16]
        loss = nn.functional.mse_loss(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
