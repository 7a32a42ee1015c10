"""Healthy: an MLP regression on scikit-learn diabetes, standardised inputs and targets, MSE, val split."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(5)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
y = (y - y.mean()) / y.std()
Xtr, ytr, Xva, yva = X[:360], y[:360], X[360:], y[360:]

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
criterion = nn.MSELoss()
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        loss = criterion(model(Xtr[idx]), ytr[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = criterion(model(Xva), yva).item()
print(f"val mse {val:.3f}")
