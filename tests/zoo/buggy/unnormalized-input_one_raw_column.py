"""Bug: unnormalized-input. Tabular regression where every feature is standardised except one
raw "annual income" column in dollars (tens of thousands) that was appended afterwards: it
dominates the first layer's input (diabetes features plus an income column)."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(57)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
income = 30000 + 15000 * torch.rand(len(X), 1)
X = torch.cat([X, income], dim=1)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
y = (y - y.mean()) / y.std()

model = nn.Sequential(nn.Linear(11, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(30):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = nn.functional.mse_loss(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last loss {loss.item():.3f}")
