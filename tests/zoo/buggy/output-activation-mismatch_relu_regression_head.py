"""Bug: output-activation-mismatch. A regression network on standardised diabetes targets (about
half of them negative) ends with nn.ReLU(), copied from the hidden layers: it can never predict a
negative value, so half the targets are out of reach."""

import torch
from sklearn.datasets import load_diabetes
from torch import nn

torch.manual_seed(63)
Xn, yn = load_diabetes(return_X_y=True)
X = torch.tensor(Xn, dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = ((y - y.mean()) / y.std()).unsqueeze(1)

model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1), nn.ReLU())
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for _ in range(40):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final mse {loss.item():.3f}")
