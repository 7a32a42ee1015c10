"""Bug: unnormalized-target. Diabetes features are standardised but the target (disease progression,
25 to 346) is used raw with MSE and Adam at lr=1e-3: the output starts near 0, the loss starts
near 29,000, and 20 epochs go into slowly moving the output's offset towards ~150."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(62)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.MSELoss()
for _epoch in range(20):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last mse {loss.item():.0f}")
