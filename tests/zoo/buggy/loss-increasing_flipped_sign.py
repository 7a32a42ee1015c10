"""Bug: the loss is negated (loss = -criterion(...)), so the optimizer maximises the cross-entropy."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(13)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(3):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = -criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
