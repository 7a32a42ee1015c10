"""Clean: an MLP on digits whose output layer starts at exactly zero (a common trick: every class
starts at the same score, the first updates come from the random hidden layers' features), and
whose biases are zero-initialised. It trains normally: zeros are only a problem where the
units they feed are all alike."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(5)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.zeros_(m.bias)
nn.init.zeros_(model[4].weight)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(8):
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        b = perm[i : i + 64]
        loss = F.cross_entropy(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
with torch.no_grad():
    acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean().item()
print(f"val acc {acc:.3f}")
