"""Bug: the data is sorted by class and never shuffled: each batch holds one class, the model chases
the class of the moment and the loss swings with the batch order instead of falling."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(19)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
order = torch.argsort(y, stable=True)
X, y = X[order], y[order]

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
for epoch in range(4):
    for i in range(0, len(X), 32):
        loss = F.cross_entropy(model(X[i : i + 32]), y[i : i + 32])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
