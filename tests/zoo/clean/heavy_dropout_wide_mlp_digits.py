"""Clean: a wide MLP on digits with heavy dropout (p=0.8 on its 1024 hidden units, 0.5 after):
strong regularisation, but wide enough that enough units get through; it learns well."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(8)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)
model = nn.Sequential(
    nn.Linear(64, 1024), nn.ReLU(), nn.Dropout(0.8), nn.Linear(1024, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10)
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(10):
    model.train()
    perm = torch.randperm(1500)
    for i in range(0, 1500, 64):
        b = perm[i : i + 64]
        loss = F.cross_entropy(model(X[b]), y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean().item()
print(f"train loss {loss.item():.3f} val acc {acc:.3f}")
