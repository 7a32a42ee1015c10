"""Healthy: two-stage training on digits: pre-train with Adam at 1e-3, then fine-tune the whole
network at 1e-5 for a few epochs (a standard last polish): the second stage moves little because
the model is already near its optimum."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(50)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def train(optimizer, epochs):
    for _ in range(epochs):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), 64):
            idx = perm[i : i + 64]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return loss.item()


print(f"pre-train loss {train(torch.optim.Adam(model.parameters(), lr=1e-3), 6):.3f}")
print(f"fine-tune loss {train(torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9), 3):.3f}")
