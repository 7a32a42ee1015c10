"""Healthy: mixup on digits: inputs and one-hot labels are mixed with a Beta(0.4, 0.4) weight and
CrossEntropyLoss is given the mixed probability targets (soft labels), logits from the model."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(20)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
Y = F.one_hot(torch.tensor(y), 10).float()

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
beta = torch.distributions.Beta(0.4, 0.4)
for epoch in range(6):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        lam = beta.sample()
        shuffle = torch.randperm(len(idx))
        xb = lam * X[idx] + (1 - lam) * X[idx][shuffle]
        yb = lam * Y[idx] + (1 - lam) * Y[idx][shuffle]
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch} loss {loss.item():.3f}")
