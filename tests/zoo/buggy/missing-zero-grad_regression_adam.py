"""Bug: gradients are never cleared (zero_grad forgotten) in an Adam regression on diabetes."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(1)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
y = (y - y.mean()) / y.std()

model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.MSELoss()
for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
