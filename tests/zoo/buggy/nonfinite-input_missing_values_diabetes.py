"""Bug: a regression table with missing values (NaN) that were never imputed; the batches that hold
them make the loss NaN, and after that step every weight is NaN."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(5)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
X[torch.randperm(len(X))[:4], 3] = float("nan")  # BUG: 4 missing blood-pressure readings
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
y = (y - y.mean()) / y.std()

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
criterion = nn.MSELoss()
for _epoch in range(3):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
