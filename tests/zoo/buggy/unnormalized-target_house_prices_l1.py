"""Bug: unnormalized-target. A "house price" regression whose targets are in dollars (about
40,000 to 500,000) trained with L1 loss and Adam at lr=1e-3 on standardised features: the
model's output crawls up from 0 by about the learning rate per step and stays far from the prices."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(60)
X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
price = torch.tensor(y, dtype=torch.float32).unsqueeze(1) * 1500.0

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(25):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = nn.functional.l1_loss(model(X[idx]), price[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last mean absolute error {loss.item():.0f} dollars")
