"""Bug: double-softmax. The model ends in nn.Softmax(dim=0), normalising over the batch instead of
over the classes, and its output is fed to CrossEntropyLoss, which applies its own log-softmax over
the classes: the loss receives (column-normalised) probabilities, not logits (digits MLP)."""

import torch
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(51)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=0))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _epoch in range(8):
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        idx = perm[i : i + 64]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
with torch.no_grad():
    acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean().item()
print(f"val acc {acc:.3f}")
