"""Bug: lr-too-low. The batch loss (already a mean over the batch) is divided again by the
dataset size, `loss = criterion(out, y) / len(X)`, so with plain SGD at lr=0.1 every gradient is
1500x too small and the digits MLP barely moves from its initialisation."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(75)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X[:1500], dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y[:1500])

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(8):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx]) / len(X)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"last loss {loss.item() * len(X):.3f}")
