"""Bug: output-activation-mismatch. A binary classifier with one output unit ends in
nn.Softmax(dim=1): the softmax of a single value is always 1, so BCELoss is constant."""

import torch
from sklearn.datasets import load_breast_cancer
from torch import nn

torch.manual_seed(7)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1), nn.Softmax(dim=1))  # bug
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for _step in range(10):
    idx = torch.randint(0, len(X), (64,))
    loss = criterion(model(X[idx]), y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.3f}")
