"""Healthy: a pretrained-style frozen backbone (requires_grad=False, eval mode) and a trained head."""

import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

torch.manual_seed(4)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32) / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
y = torch.tensor(y)

backbone = nn.Sequential(nn.Linear(64, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 64), nn.ReLU())
head = nn.Linear(64, 10)
# "Pretrain" the backbone briefly, then freeze it.
pre_opt = torch.optim.Adam(list(backbone.parameters()) + list(head.parameters()), lr=1e-3)
for step in range(60):
    idx = torch.randint(0, len(X), (64,))
    loss = F.cross_entropy(head(backbone(X[idx])), y[idx])
    pre_opt.zero_grad()
    loss.backward()
    pre_opt.step()

for p in backbone.parameters():
    p.requires_grad = False
backbone.eval()
model = nn.Sequential(backbone, nn.Linear(64, 10))
optimizer = torch.optim.Adam(model[1].parameters(), lr=3e-3)
for epoch in range(4):
    perm = torch.randperm(len(X))
    for i in range(0, len(X), 64):
        idx = perm[i : i + 64]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"final loss {loss.item():.3f}")
