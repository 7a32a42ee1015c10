"""Bug: predictions of shape (N, 1) against targets of shape (N,): MSE broadcasts to (N, N) and the
best the model can do is predict the mean, so the loss sits at the target variance."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(17)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)
y = (y - y.mean()) / y.std()

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.MSELoss()
for epoch in range(15):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])  # (32, 1) vs (32,)
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
