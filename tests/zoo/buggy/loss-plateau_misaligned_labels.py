"""Bug: the targets were shuffled separately from the inputs, so the model can only learn the
positive rate: the BCE loss stalls at the binary entropy of the labels."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(16)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32)[torch.randperm(len(y))]  # shuffled on its own

model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
criterion = nn.BCEWithLogitsLoss()
for epoch in range(12):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]).squeeze(1), y[idx])
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
