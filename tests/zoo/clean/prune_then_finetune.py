"""Healthy: train a CNN on 8x8 digits, prune 50% of its conv and linear weights by L1 magnitude
with torch.nn.utils.prune (weight_orig + weight_mask), then fine-tune with a new optimizer and a
10x lower learning rate."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.nn.utils import prune

torch.manual_seed(65)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
X = (X - 0.3) / 0.4
y = torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1500], y[:1500], X[1500:], y[1500:]

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 10),
)  # fmt: skip


def train(optimizer, epochs):
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr), 64):
            idx = perm[i : i + 64]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return F.cross_entropy(model(Xva), yva).item()


print(f"dense val loss {train(torch.optim.Adam(model.parameters(), lr=2e-3), 5):.3f}")
for layer in (model[0], model[4], model[6]):
    prune.l1_unstructured(layer, name="weight", amount=0.5)
print(f"pruned val loss {train(torch.optim.Adam(model.parameters(), lr=2e-4), 3):.3f}")
